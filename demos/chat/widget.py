"""La caja de chat del taller, en castellano: la conversación, la respuesta que se escribe en vivo,
Enviar, Detener, Borrar y preguntas de ejemplo.

El chat de marimo (``mo.ui.chat``) le dice a la sala «Type your message here…» y no deja cambiarlo.
Esta caja hace lo mismo en castellano, con ``anywidget``: el dibujo vive en ``widget.js`` y
``widget.css``; aquí se guarda la conversación y se escribe la respuesta. Se usa igual que
``mo.ui.chat``: se le pasa una función ``responder(mensajes, config)`` que recibe la lista de
mensajes (``{"role": …, "content": …}``) y devuelve un texto o lo entrega de a pedazos (un
generador, también asíncrono)::

    def responder(mensajes, config):
        return "Dijiste: " + mensajes[-1]["content"]

    caja = widget.chat(responder, prompts=["Hola"])

La respuesta se escribe en un hilo aparte: mientras tanto la presentación sigue respondiendo, y
«Detener» corta la respuesta de inmediato (la parte ya escrita queda en la conversación).
"""

from __future__ import annotations

import asyncio
import inspect
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import anywidget
import traitlets

HERE = Path(__file__).parent
PLACEHOLDER = "Escribe tu mensaje y aprieta Enter (Mayús + Enter: otra línea)"
STOPPED = " […detenido]"
SHOW_EVERY_SECONDS = 0.03  # ¿cada cuánto se le muestra a la sala lo que va escrito? (~30 veces por segundo)
MAX_HEIGHT_PX = 420  # ¿cuánto alto ocupa la conversación antes de desplazarse?


@dataclass
class ChatConfig:
    """Lo que recibe ``responder`` como segundo argumento (como en ``mo.ui.chat``)."""

    temperature: float | None = None
    max_tokens: int | None = None


class ChatWidget(anywidget.AnyWidget):
    """La caja de chat. Python es dueño de la conversación; la página solo la dibuja."""

    _esm = HERE / "widget.js"
    _css = HERE / "widget.css"

    messages = traitlets.List(traitlets.Dict()).tag(sync=True)  # los turnos terminados
    streaming = traitlets.Unicode("").tag(sync=True)  # la respuesta que se está escribiendo
    busy = traitlets.Bool(False).tag(sync=True)
    prompts = traitlets.List(traitlets.Unicode()).tag(sync=True)
    placeholder = traitlets.Unicode(PLACEHOLDER).tag(sync=True)
    max_height = traitlets.Int(MAX_HEIGHT_PX).tag(sync=True)
    # lo que avisa la página: un mensaje nuevo, «Detener», «Borrar» y «ya vi terminar la respuesta»
    send = traitlets.Dict().tag(sync=True)
    stop = traitlets.Int(0).tag(sync=True)
    clear = traitlets.Int(0).tag(sync=True)
    seen = traitlets.Int(0).tag(sync=True)

    def __init__(self, reply, *, prompts=(), max_height: int = MAX_HEIGHT_PX, config: ChatConfig | None = None):
        super().__init__(prompts=list(prompts), max_height=int(max_height))
        self.reply = reply
        self.config = config or ChatConfig()
        self._lock = threading.Lock()  # la página (el kernel) y el hilo que escribe tocan la conversación
        self._turn = 0  # cada respuesta tiene su número: «Detener» o «Borrar» dejan viejo al hilo en curso
        self.observe(self._on_send, "send")
        self.observe(self._on_stop, "stop")
        self.observe(self._on_clear, "clear")

    # ------------------------------------------------------------ lo que hace la sala

    def ask(self, text: str) -> threading.Thread | None:
        """Manda un mensaje como si se escribiera en la caja. Devuelve el hilo que responde."""
        text = str(text or "").strip()
        with self._lock:
            if not text or self.busy:
                return None
            self._turn += 1
            self.messages = [*self.messages, {"role": "user", "content": text}]
            self.streaming, self.busy = "", True
            turn, history = self._turn, [dict(m) for m in self.messages]
        worker = _thread(self._write_reply, turn, history)
        worker.start()
        return worker

    def halt(self) -> None:
        """«Detener»: lo escrito hasta ahora queda como respuesta."""
        with self._lock:
            if self.busy:
                self._finish(self.streaming + STOPPED)

    def reset(self) -> None:
        """«Borrar conversación»: también detiene una respuesta a medias."""
        with self._lock:
            if self.busy:
                self._finish("")
            self.messages = []

    def _on_send(self, change) -> None:
        self.ask((change["new"] or {}).get("text", ""))

    def _on_stop(self, _change) -> None:
        self.halt()

    def _on_clear(self, _change) -> None:
        self.reset()

    # ------------------------------------------------------------ escribir la respuesta

    def _write_reply(self, turn: int, history: list[dict]) -> None:
        written, shown_at = "", 0.0
        pieces = deltas(lambda: self.reply(history, self.config))
        try:
            for piece in pieces:
                written += piece
                if self._turn != turn:  # la detuvieron o borraron la conversación: ya no es nuestra
                    return
                if time.monotonic() - shown_at >= SHOW_EVERY_SECONDS:
                    self.streaming, shown_at = written, time.monotonic()
        except Exception as error:  # lo que sea que falle, la sala lo lee en castellano y nada se pierde
            written += f"\n⚠️ No pude terminar la respuesta: {error}"
        finally:
            pieces.close()
            with self._lock:
                if self._turn == turn:
                    self._finish(written)

    def _finish(self, text: str) -> None:
        """Cierra el turno en curso (con el candado tomado)."""
        self._turn += 1
        if text:
            self.messages = [*self.messages, {"role": "assistant", "content": text}]
        self.streaming, self.busy = "", False


def deltas(make_reply) -> Iterator[str]:
    """Los pedazos de texto de una respuesta: un texto, un generador o un generador asíncrono.

    Cerrar este generador (al detener) cierra también el de ``responder``: así sus ``finally``
    corren y, por ejemplo, se deja de pagar una API que seguía escribiendo.
    """
    reply = make_reply()
    if inspect.iscoroutine(reply):
        reply = asyncio.run(reply)
    if reply is None:
        return
    if isinstance(reply, str):
        yield reply
    elif inspect.isasyncgen(reply):
        yield from _from_async(reply)
    else:
        for piece in reply:
            yield str(piece)


def _from_async(pieces) -> Iterator[str]:
    loop = asyncio.new_event_loop()
    try:
        while True:
            try:
                yield str(loop.run_until_complete(pieces.__anext__()))
            except StopAsyncIteration:
                return
    finally:
        loop.run_until_complete(pieces.aclose())
        loop.close()


def _thread(target, *args) -> threading.Thread:
    """Un hilo que puede hablarle a la página (``mo.Thread``) si corre dentro de marimo."""
    try:
        import marimo as mo

        return mo.Thread(target=target, args=args, daemon=True)
    except ImportError:  # pragma: no cover
        return threading.Thread(target=target, args=args, daemon=True)


def chat(reply, *, prompts=(), max_height: int = MAX_HEIGHT_PX, config: ChatConfig | None = None):
    """La caja de chat lista para una celda de marimo (como ``mo.ui.chat(responder)``).

    Su ``.value["messages"]`` es la conversación; las celdas que lo leen se recalculan al enviar un
    mensaje y al terminar cada respuesta.
    """
    import marimo as mo

    return mo.ui.anywidget(ChatWidget(reply, prompts=prompts, max_height=max_height, config=config))
