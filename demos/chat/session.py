"""El chat del notebook: lo que contesta la caja de chat de la diapositiva.

- ``embedded_reply``: la versión 1: el último mensaje, solo, a QuijoteChat (sin memoria).
- ``ChatSession``: lee los controles de la diapositiva (cerebro, modelo, temperatura, memoria,
  mensaje de sistema) en cada mensaje, arma lo que se envía y anota cada llamada para mostrarla
  «detrás de la cortina».
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator

from demos.chat import knobs
from demos.chat.backends import Backend, EmbeddedBackend
from demos.chat.guarded import Deadline, GuardedStream, reply_stream
from demos.chat.messages import NOTICE, field_value, info_line, last_user_text, notice, plain_messages
from demos.chat.payload import Summaries, new_call, prepare_turn
from demos.chat.pick import make_backend, pick_backend


def embedded_reply(messages, config=None) -> Iterator[str]:
    """Para la caja de chat (``demos.chat.widget``): QuijoteChat contesta el último mensaje del usuario,
    solo (versión 1 del chat: sin memoria)."""
    limit = knobs.MAX_NEW_CHARS
    temperature = field_value(config, "temperature", 0.8) if config is not None else 0.8
    max_tokens = field_value(config, "max_tokens", limit) if config is not None else limit
    last = [{"role": "user", "content": last_user_text(messages)}]
    yield from reply_stream(EmbeddedBackend(), last, temperature=0.8 if temperature is None else temperature,
                            max_tokens=max_tokens or limit, gather_seconds=knobs.GATHER_SECONDS)


class ChatSession:
    """El chat del notebook: lee los controles en el momento de cada mensaje y anota qué se envió.

    Los controles se registran con ``use(backend=…, model=…, temperature=…, strategy=…, system=…)``
    (elementos de marimo o valores simples). Así, mover un control no borra la conversación; borrar
    la conversación en la caja de chat sí empieza de cero lo que se anotó (``turns``) y los resúmenes.
    """

    def __init__(self, max_tokens: int = 300):
        self.controls: dict = {}
        self.turns: list[list] = []  # por turno, las llamadas hechas (payload.Call)
        self.summaries = Summaries()
        self.max_tokens = max_tokens
        self._told = False
        self._history: list[dict] | None = None  # la conversación que llegó en el turno anterior

    def use(self, **controls) -> ChatSession:
        self.controls.update(controls)
        return self

    def setting(self, name: str, default=None):
        value = getattr(self.controls.get(name), "value", self.controls.get(name))
        return default if value in (None, "") else value

    def backend(self) -> tuple[Backend, str | None]:
        """El cerebro elegido en los controles y, si se eligió en automático, la frase que dice cuál."""
        choice, model = self.setting("backend", "quijote"), self.setting("model", "")
        if choice == "auto":
            return pick_backend("auto")
        return make_backend(choice, model), None

    def reset(self) -> None:
        self.turns, self.summaries, self._told = [], Summaries(), False

    def _follow(self, history: list[dict]) -> None:
        """¿Sigue la conversación anterior? Si en marimo se borró el chat (o un mensaje), se empieza de cero."""
        previous, self._history = self._history, history
        if previous is None:
            return
        if history == previous:
            if self.turns:
                self.turns.pop()  # el mismo pedido otra vez: se rehace el último turno
        elif history[: len(previous)] != previous:
            self.reset()

    def sync(self, messages) -> None:
        """Lo que la caja de chat muestra ahora: si se borró (o se borró un mensaje), se empieza de cero.

        Así «detrás de la cortina» se vacía en cuanto se borra el chat, sin esperar al próximo mensaje.
        """
        shown = plain_messages(messages)
        if self._history is not None and shown[: len(self._history)] != self._history:
            self.reset()
            self._history = None

    def speaker_kind(self, choice: str, auto_kind: str = "quijote") -> str:
        """Qué cerebro contesta: el elegido o, en automático, el que respondió el último turno
        (antes del primero, ``auto_kind``: lo que eligió ``survey``)."""
        if choice != "auto":
            return choice
        answered = [c.kind for c in self.last_turn if c.purpose == "respuesta" and c.reply and c.kind]
        return answered[-1] if answered else auto_kind

    async def reply(self, messages, config=None) -> AsyncIterator[str]:
        """Para la caja de chat (``demos.chat.widget``): arma el paquete según la estrategia y transmite la respuesta.

        Todo el turno (sondeo en automático, resumen y respuesta) comparte un plazo: antes de
        ``TURN_SECONDS`` se ve la respuesta o un aviso en castellano.
        """
        history = plain_messages(messages)
        if not history or history[-1]["role"] != "user":
            yield f"{NOTICE} Escribe un mensaje para empezar."
            return
        self._follow(history)
        deadline = Deadline()
        settings = (self.setting("strategy", "historial completo"), str(self.setting("system", "")),
                    float(self.setting("temperature", 0.8)))
        backend, said = await asyncio.to_thread(self.backend)
        auto = said is not None
        if auto and isinstance(backend, EmbeddedBackend) and not self._told:
            self._told = True  # una vez basta: no hay Ollama ni una API que responda, contesta el modelo incluido
            yield info_line(said)
        async for chunk in self._turn(backend, history, *settings, deadline, quiet=auto):
            yield chunk
        answer = self.last_turn[-1]
        if auto and answer.error and not answer.reply:
            # en automático, si nadie más contesta, contesta el modelo incluido (el aviso va en una línea ℹ️)
            yield info_line(f"{answer.error} Contesta QuijoteChat, el modelo incluido:")
            async for chunk in self._turn(EmbeddedBackend(), history, *settings, deadline, append=True):
                yield chunk
        elif auto and answer.error:
            yield notice(answer.error)

    async def _turn(self, backend, history, strategy, system, temperature, deadline, append=False,
                    quiet=False) -> AsyncIterator[str]:
        """Un turno con un cerebro: resumen si hace falta, y la respuesta. ``quiet``: el error no se muestra."""
        before, payload = await asyncio.to_thread(prepare_turn, backend, history, strategy, system,
                                                  self.summaries, deadline=deadline)
        sent = backend.outgoing(payload)
        answer = new_call(backend, sent, "respuesta", estrategia=strategy, temperatura=temperature)
        if append and self.turns:
            self.turns[-1] += before + [answer]
        else:
            self.turns.append(before + [answer])
        if note := backend.cut_note(payload):
            yield info_line(note)
        failed = [c for c in before if c.error]
        if failed:
            answer.error = f"No pude pedir el resumen: {failed[0].error}"
        else:
            async for chunk in self._answer(backend, sent, temperature, deadline, answer):
                yield chunk
        if answer.error and not quiet:
            yield notice(answer.error)

    async def _answer(self, backend, sent, temperature, deadline, answer) -> AsyncIterator[str]:
        """Transmite la respuesta en pedazos de ~30 ms y anota en ``answer`` lo que volvió."""
        guarded = GuardedStream(backend, sent, temperature=temperature, max_tokens=self.max_tokens,
                                deadline=deadline)
        try:
            while (chunk := await asyncio.to_thread(guarded.next_chunk, knobs.GATHER_SECONDS)) is not None:
                answer.reply += chunk
                yield chunk
        finally:
            guarded.cancel()
        answer.error = guarded.error
        answer.reported_tokens = None if answer.context_length else backend.usage.get("prompt_tokens")
        for note in backend.notes:
            yield info_line(note, at_end=True)

    @property
    def last_turn(self) -> list:
        return self.turns[-1] if self.turns else []
