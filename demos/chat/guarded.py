"""Transmitir sin colgarse: la respuesta de un cerebro llega desde un hilo aparte, con plazos.

- ``Deadline``: el plazo de un turno completo, compartido por todas sus llamadas.
- ``Watch``: los plazos, sin reloj propio: decide si hay que cortar y por qué (en castellano);
- ``GuardedStream``: pasa los pedazos de texto desde un hilo y corta cuando ``Watch`` lo dice
  (el servidor no contesta, se calla, va demasiado lento o se acaba el plazo). Nunca lanza.
- ``reply_stream``: los pedazos y, al final, los avisos (para la terminal y la caja de chat).
- ``complete``: la respuesta entera y su error, para las llamadas encadenadas (como un resumen).
"""

from __future__ import annotations

import contextlib
import queue
import threading
import time
from collections.abc import Callable, Iterator
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
    clock: Callable[[], float] = time.monotonic

    def __post_init__(self):
        self.seconds = knobs.TURN_SECONDS if self.seconds is None else self.seconds
        self.at = self.at or self.clock() + self.seconds

    def passed(self, now: float | None = None) -> bool:
        return (self.clock() if now is None else now) >= self.at


class Watch:
    """Los plazos de una respuesta, sin reloj propio: quien la usa le dice qué hora es (``now``).

    Decide, con lo que va llegando, si hay que cortar y por qué (en castellano); no espera ni duerme.
    Así las pruebas lo recorren con un reloj de mentira, en milisegundos, con los plazos de verdad.
    La velocidad se juzga desde el primer pedazo: un modelo que tarda en partir no es lento.
    """

    def __init__(self, backend: Backend, now: float, deadline: Deadline | None = None, whole: bool = False):
        self.backend, self.deadline, self.whole = backend, deadline, whole
        self.start = self.last = now
        self.first: float | None = None  # cuándo llegó el primer pedazo
        self.first_chars = self.chars = 0

    def ready(self, now: float) -> None:
        """El cliente ya cargó: importarlo la primera vez no cuenta como espera."""
        self.start = now

    def turn_counts(self) -> bool:
        """¿Corre el plazo del turno? Hasta el primer pedazo (o hasta el final, si ``whole``)."""
        return self.deadline is not None and not self.backend.local and (self.whole or not self.chars)

    def got(self, now: float, chars: int) -> str | None:
        """Llegaron ``chars`` caracteres: ``None`` si todo sigue bien, o por qué hay que cortar."""
        if self.first is None:
            self.first, self.first_chars = now, chars
        self.last, self.chars = now, self.chars + chars
        if self.too_slow(now):
            return self.slow_message(now)
        if self.turn_counts() and self.deadline.passed(now):
            return self.late_message()  # una llamada que no se ve (un resumen) no puede pasarse del turno
        return None

    def silence(self, now: float) -> str | None:
        """No llegó nada a tiempo: ¿venció el turno, no contestó, va demasiado lento o se quedó callado?"""
        backend = self.backend
        if self.turn_counts() and self.deadline.passed(now):
            return self.late_message()
        if not self.chars and now >= self.start + knobs.FIRST_DELTA_SECONDS:
            return (f"{backend.name} ({backend.where}) no contestó en {knobs.FIRST_DELTA_SECONDS:.0f} segundos. "
                    "¿Está encendido y con el modelo cargado?")
        if self.too_slow(now):
            return self.slow_message(now)
        if self.chars and now - self.last >= knobs.STALL_SECONDS:
            return (f"{backend.name} dejó de enviar texto por {knobs.STALL_SECONDS:.0f} segundos; corté la "
                    "respuesta. Lo que alcanzó a llegar queda arriba.")
        return None

    def wait(self, now: float) -> float:
        """Cuánto esperar el siguiente pedazo antes de revisar plazos y velocidad."""
        if self.backend.local:
            return 3600.0  # el modelo incluido no tiene plazos: aunque el computador esté ocupado, termina
        if not self.chars:
            limits = [self.start + knobs.FIRST_DELTA_SECONDS]
        else:
            limits = [self.last + knobs.STALL_SECONDS]
            if now < self.first + knobs.SLOW_CHECK_SECONDS:
                limits.append(self.first + knobs.SLOW_CHECK_SECONDS)
        if self.turn_counts():
            limits.append(self.deadline.at)
        return min(limits) - now

    def too_slow(self, now: float) -> bool:
        """¿Llega el texto más lento que lo aceptable? Se mide desde el primer pedazo, no desde la petición."""
        if self.backend.local or self.first is None:
            return False
        since, chars = now - self.first, self.chars - self.first_chars
        return since >= knobs.SLOW_CHECK_SECONDS and chars / since < knobs.MIN_CHARS_PER_SECOND

    def slow_message(self, now: float) -> str:
        chars = self.chars - self.first_chars
        return (f"La respuesta llega demasiado lenta ({count(chars, 'carácter', 'caracteres')} en "
                f"{now - self.first:.0f} s desde que empezó); la corté. Prueba con un modelo más pequeño o con "
                "QuijoteChat.")

    def late_message(self) -> str:
        backend, seconds = self.backend, self.deadline.seconds
        if self.chars:
            return (f"{backend.name} no alcanzó a terminar dentro del plazo del turno ({seconds:.0f} segundos); "
                    "corté la llamada.")
        return (f"{backend.name} ({backend.where}) no contestó dentro del plazo del turno ({seconds:.0f} segundos). "
                "¿Está encendido y con el modelo cargado?")


class GuardedStream:
    """Transmite la respuesta de un cerebro desde un hilo aparte, con plazos (los decide ``Watch``).

    Nunca lanza excepciones hacia quien lo usa: cualquier falla (servidor apagado, clave mala, error
    500, corte a mitad, silencio, lentitud extrema) termina la respuesta y deja en ``error`` una
    explicación en castellano. Con un ``deadline`` de turno, algo se ve antes de que venza: el primer
    pedazo o el aviso (``whole=True``: la llamada completa debe terminar antes, como un resumen).
    """

    def __init__(self, backend: Backend, messages, *, temperature: float | None = 0.8, max_tokens: int = 300,
                 deadline: Deadline | None = None, whole: bool = False):
        self.backend = backend
        self.error: str | None = None
        self.text = ""
        self.first_delta_seconds: float | None = None
        self._queue: queue.Queue = queue.Queue()
        self._stop = threading.Event()
        self._done = False
        self._created = time.monotonic()
        self.watch = Watch(backend, self._created, deadline, whole)
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

    def _take(self, kind: str, value) -> str | None:
        """Procesa lo que mandó el hilo; devuelve el texto nuevo, si hay."""
        now = time.monotonic()
        if kind == "ready":
            self.watch.ready(now)
        elif kind == "end":
            self._done = True
        elif kind == "error":
            self._finish(friendly_error(value, self.backend, started=bool(self.text)))
        elif value:
            if self.first_delta_seconds is None:
                self.first_delta_seconds = now - self._created
            self.text += value
            if problem := self.watch.got(now, len(value)):
                self._finish(problem)
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
                kind, value = self._queue.get(timeout=max(self.watch.wait(time.monotonic()), 0.001))
            except queue.Empty:
                if problem := self.watch.silence(time.monotonic()):
                    self._finish(problem)
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
