"""Transmitir sin colgarse: la respuesta de un cerebro llega desde un hilo aparte, con plazos.

- ``Deadline``: el plazo de un turno completo, compartido por todas sus llamadas.
- ``GuardedStream``: pasa los pedazos de texto y corta (con una explicación en castellano) si el
  servidor no contesta, se calla, va demasiado lento o se acaba el plazo. Nunca lanza.
- ``reply_stream``: los pedazos y, al final, los avisos (para la terminal y la caja de chat).
- ``complete``: la respuesta entera y su error, para las llamadas encadenadas (como un resumen).
"""

from __future__ import annotations

import contextlib
import queue
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass

from demos.chat import knobs
from demos.chat.backends import Backend, friendly_error
from demos.chat.messages import info_line, notice
from demos.formatting import count


@dataclass
class Deadline:
    """El plazo de un turno del chat, compartido por todas sus llamadas (sondeo, resumen, respuesta)."""

    seconds: float | None = None  # por defecto, knobs.TURN_SECONDS (leído al crear el plazo)
    at: float = 0.0

    def __post_init__(self):
        self.seconds = knobs.TURN_SECONDS if self.seconds is None else self.seconds
        self.at = self.at or time.monotonic() + self.seconds

    def passed(self) -> bool:
        return time.monotonic() >= self.at


class GuardedStream:
    """Transmite la respuesta de un cerebro desde un hilo aparte, con plazos.

    Nunca lanza excepciones hacia quien lo usa: cualquier falla (servidor apagado, clave mala, error
    500, corte a mitad, silencio, lentitud extrema) termina la respuesta y deja en ``error`` una
    explicación en castellano. Con un ``deadline`` de turno, algo se ve antes de que venza: el primer
    pedazo o el aviso (``whole=True``: la llamada completa debe terminar antes, como un resumen).
    La velocidad se juzga desde el primer pedazo: un modelo que tarda en partir no es lento.
    """

    def __init__(self, backend: Backend, messages, *, temperature: float | None = 0.8, max_tokens: int = 300,
                 deadline: Deadline | None = None, whole: bool = False):
        self.backend, self.deadline, self.whole = backend, deadline, whole
        self.error: str | None = None
        self.text = ""
        self.first_delta_seconds: float | None = None
        self._queue: queue.Queue = queue.Queue()
        self._stop = threading.Event()
        self._done = False
        self._created = self._start = self._last = time.monotonic()
        self._first: float | None = None  # cuándo llegó el primer pedazo
        self._first_chars = 0
        temperature = None if temperature is None else float(temperature)
        args = (list(messages), temperature, int(max_tokens))
        threading.Thread(target=self._pump, args=args, daemon=True).start()

    def _pump(self, messages, temperature, max_tokens) -> None:
        deltas = None
        try:
            self.backend.load_client()
            self._queue.put(("ready", None))
            deltas = self.backend.stream(messages, temperature=temperature, max_tokens=max_tokens)
            self._pass_on(deltas)
            self._queue.put(("end", None))
        except BaseException as exc:  # noqa: BLE001 — toda falla se explica en castellano
            self._queue.put(("error", exc))
        finally:
            close = getattr(deltas, "close", None)
            if close:
                with contextlib.suppress(Exception):
                    close()

    def _pass_on(self, deltas) -> None:
        """Pasa los pedazos a la cola. Los del modelo incluido llegan de a un carácter, más de mil por
        segundo: se juntan de a ~10 ms, porque cada paso por la cola despierta al otro hilo y eso
        cuesta tanto como generar. Los de un servidor pasan apenas llegan (pueden venir con pausas)."""
        pending, sent = "", 0.0
        for delta in deltas:
            if self._stop.is_set():
                break
            pending += delta
            now = time.monotonic()
            if not self.backend.local or now - sent >= knobs.LOCAL_BATCH_SECONDS:
                self._queue.put(("delta", pending))
                pending, sent = "", now
        if pending:
            self._queue.put(("delta", pending))

    def cancel(self) -> None:
        self._stop.set()
        self._done = True

    def _finish(self, message: str | None) -> None:
        self.error = message
        self.cancel()

    def _turn_counts(self) -> bool:
        """¿Corre el plazo del turno? Hasta el primer pedazo (o hasta el final, si ``whole``)."""
        return self.deadline is not None and not self.backend.local and (self.whole or not self.text)

    def _limits(self) -> list[float]:
        """Los momentos en que hay que revisar algo: plazos y velocidad."""
        if self.backend.local:
            return []  # el modelo incluido no tiene plazos: aunque el computador esté ocupado, termina
        if not self.text:
            limits = [self._start + knobs.FIRST_DELTA_SECONDS]
        else:
            limits = [self._last + knobs.STALL_SECONDS]
            if time.monotonic() < self._first + knobs.SLOW_CHECK_SECONDS:
                limits.append(self._first + knobs.SLOW_CHECK_SECONDS)
        return limits + ([self.deadline.at] if self._turn_counts() else [])

    def _wait(self) -> float:
        """Cuánto esperamos el siguiente pedazo antes de revisar plazos y velocidad."""
        limits = self._limits()
        return min(limits) - time.monotonic() if limits else 3600.0

    def _too_slow(self) -> bool:
        """¿Llega el texto más lento que lo aceptable? Se mide desde el primer pedazo, no desde la petición."""
        if self.backend.local or self._first is None:
            return False
        since = time.monotonic() - self._first
        chars = len(self.text) - self._first_chars
        return since >= knobs.SLOW_CHECK_SECONDS and chars / since < knobs.MIN_CHARS_PER_SECOND

    def _on_silence(self) -> None:
        """No llegó nada a tiempo: ¿venció el turno, no contestó, va demasiado lento o se quedó callado?"""
        backend, now = self.backend, time.monotonic()
        if self._turn_counts() and self.deadline.passed():
            self._finish(self._late())
        elif not self.text and now >= self._start + knobs.FIRST_DELTA_SECONDS:
            self._finish(f"{backend.name} ({backend.where}) no contestó en {knobs.FIRST_DELTA_SECONDS:.0f} "
                         "segundos. ¿Está encendido y con el modelo cargado?")
        elif self._too_slow():
            self._slow()
        elif self.text and now - self._last >= knobs.STALL_SECONDS:
            self._finish(f"{backend.name} dejó de enviar texto por {knobs.STALL_SECONDS:.0f} segundos; corté la "
                         "respuesta. Lo que alcanzó a llegar queda arriba.")

    def _late(self) -> str:
        backend, seconds = self.backend, self.deadline.seconds
        if self.text:
            return (f"{backend.name} no alcanzó a terminar dentro del plazo del turno ({seconds:.0f} segundos); "
                    "corté la llamada.")
        return (f"{backend.name} ({backend.where}) no contestó dentro del plazo del turno ({seconds:.0f} segundos). "
                "¿Está encendido y con el modelo cargado?")

    def _slow(self) -> None:
        since = time.monotonic() - self._first
        chars = len(self.text) - self._first_chars
        self._finish(f"La respuesta llega demasiado lenta ({count(chars, 'carácter', 'caracteres')} en "
                     f"{since:.0f} s desde que empezó); la corté. Prueba con un modelo más pequeño o con QuijoteGPT.")

    def _take(self, kind: str, value) -> str | None:
        """Procesa lo que mandó el hilo; devuelve el texto nuevo, si hay."""
        if kind == "ready":
            self._start = time.monotonic()  # importar el cliente la primera vez no cuenta como espera
        elif kind == "end":
            self._done = True
        elif kind == "error":
            self._finish(friendly_error(value, self.backend, started=bool(self.text)))
        elif value:
            now = time.monotonic()
            if self._first is None:
                self._first, self._first_chars = now, len(value)
                self.first_delta_seconds = now - self._created
            self._last = now
            self.text += value
            if self._too_slow():
                self._slow()
            elif self._turn_counts() and self.deadline.passed():
                self._finish(self._late())  # una llamada que no se ve (un resumen) no puede pasarse del turno
            return value
        return None

    def _drain(self) -> list[str]:
        """Todo lo que ya está en la cola, sin esperar."""
        pieces = []
        while not self._done:
            try:
                kind, value = self._queue.get_nowait()
            except queue.Empty:
                break
            if (text := self._take(kind, value)) is not None:
                pieces.append(text)
        return pieces

    def next_chunk(self, gather_seconds: float = 0.0) -> str | None:
        """El siguiente texto, con lo que llegue en ``gather_seconds`` más; ``None`` cuando termina.

        Mientras junta, duerme en vez de despertar con cada carácter: así el hilo que genera no
        comparte la CPU con quien muestra.
        """
        while not self._done:
            try:
                kind, value = self._queue.get(timeout=max(self._wait(), 0.001))
            except queue.Empty:
                self._on_silence()
                continue
            if (text := self._take(kind, value)) is not None:
                if gather_seconds > 0 and not self._done:
                    time.sleep(gather_seconds)
                return "".join([text, *self._drain()])
        return None

    def __iter__(self) -> Iterator[str]:
        while (chunk := self.next_chunk()) is not None:
            yield chunk


def reply_stream(backend: Backend, messages, *, temperature=0.8, max_tokens=300,
                 gather_seconds: float = 0.0) -> Iterator[str]:
    """Deltas de la respuesta y, al final, los avisos en castellano (si algo falló). Nunca lanza."""
    if note := backend.cut_note(messages):
        yield info_line(note)
    guarded = GuardedStream(backend, messages, temperature=temperature, max_tokens=max_tokens, deadline=Deadline())
    while (chunk := guarded.next_chunk(gather_seconds)) is not None:
        yield chunk
    for note in backend.notes:
        yield info_line(note, at_end=True)
    if guarded.error:
        yield notice(guarded.error)


def complete(backend: Backend, messages, *, temperature=0.8, max_tokens=300,
             deadline: Deadline | None = None) -> tuple[str, str | None]:
    """La respuesta completa y el error en castellano (o ``None``). Para llamadas encadenadas."""
    guarded = GuardedStream(backend, messages, temperature=temperature, max_tokens=max_tokens,
                            deadline=deadline, whole=True)
    text = "".join(guarded)
    return text, guarded.error
