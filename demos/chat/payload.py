"""Lo que se envía: el modelo no recuerda nada, así que en cada turno el programa arma el paquete.

Tres estrategias de memoria (la sección «Memoria» las muestra; aquí está cómo se hacen):

- «sin memoria»: solo el último mensaje del usuario;
- «historial completo» (técnica 1): toda la conversación, cada vez;
- «resumen» (técnica 2): los turnos viejos se cambian por un resumen que escribe el mismo modelo,
  en una llamada encadenada antes de la respuesta, y los últimos turnos van tal cual.

``build_payload`` arma el paquete, ``prepare_turn`` hace lo previo (el resumen, que ``Summaries``
recuerda) y cada llamada queda anotada en un ``Call``, para mostrarla «detrás de la cortina».
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field

from demos.chat.guarded import complete
from demos.chat.messages import plain_messages
from demos.model import load_pretrained

STRATEGIES = ("sin memoria", "historial completo", "resumen")
KEEP_LAST_TURNS = 1  # ¿cuántos turnos recientes (pregunta + respuesta) van tal cual junto al resumen?
CHARS_PER_TOKEN = 4  # ¿cuántos caracteres trae un token en un modelo grande? (estimación para español)
SUMMARY_INSTRUCTION = ("Resume en dos o tres frases la conversación que te paso. Conserva los datos concretos: "
                       "nombres, animales, números y de qué se está hablando.")
SUMMARY_PREFIX = "Resumen de la conversación hasta ahora: "


# ---------------------------------------------------------------- el paquete que se envía
def split_recent(history: list[dict], keep_last_turns: int = KEEP_LAST_TURNS) -> tuple[list[dict], list[dict]]:
    """Separa la conversación en (viejos, recientes). Recientes: los últimos turnos y la pregunta nueva."""
    user_positions = [i for i, m in enumerate(history) if m["role"] == "user"]
    if len(user_positions) <= keep_last_turns:
        return [], list(history)
    cut = user_positions[-(keep_last_turns + 1)]
    return list(history[:cut]), list(history[cut:])


def transcript(messages: list[dict]) -> str:
    """La conversación como texto corrido, para pedir un resumen."""
    names = {"user": "Usuario", "assistant": "Asistente", "system": "Sistema"}
    return "\n".join(f"{names.get(m['role'], m['role'])}: {m['content']}" for m in messages)


def summary_request(older: list[dict]) -> list[dict]:
    """Los mensajes de la llamada que pide el resumen (una llamada encadenada antes de la respuesta)."""
    return [{"role": "system", "content": SUMMARY_INSTRUCTION}, {"role": "user", "content": transcript(older)}]


def build_payload(history: list[dict], strategy: str, system_prompt: str = "", summary: str = "",
                  keep_last_turns: int = KEEP_LAST_TURNS) -> list[dict]:
    """Exactamente los mensajes que se envían al modelo en este turno.

    ``history`` termina con la pregunta nueva del usuario. ``summary`` solo se usa en «resumen».
    """
    history = [m for m in plain_messages(history) if m["role"] != "system"]
    system = [{"role": "system", "content": system_prompt.strip()}] if system_prompt.strip() else []
    if strategy == "sin memoria":
        last = [m for m in history if m["role"] == "user"][-1:]
        return system + last
    if strategy == "resumen":
        older, recent = split_recent(history, keep_last_turns)
        if older and summary.strip():
            return system + [{"role": "system", "content": SUMMARY_PREFIX + summary.strip()}] + recent
        return system + recent
    if strategy == "historial completo":
        return system + history
    raise ValueError(f"estrategia desconocida: «{strategy}». Usa una de {STRATEGIES}")


def payload_chars(messages: list[dict]) -> int:
    """Cuántos caracteres lleva el paquete (sumando el texto de todos sus mensajes)."""
    return sum(len(m["content"]) for m in messages)


def estimate_tokens(messages: list[dict]) -> int:
    """Tokens aproximados en un modelo grande (≈ 4 caracteres por token en español)."""
    return math.ceil(payload_chars(messages) / CHARS_PER_TOKEN)


# ---------------------------------------------------------------- llamadas y turnos
@dataclass
class Call:
    """Una llamada al modelo: para qué, a quién, qué se envió y qué volvió (nunca la clave)."""

    purpose: str
    backend: str
    messages: list[dict]
    reply: str = ""
    error: str | None = None
    reported_tokens: int | None = None
    settings: dict = field(default_factory=dict)
    context_length: int | None = None  # solo los modelos incluidos: cuántos caracteres alcanzan a ver
    kind: str = ""  # qué cerebro: "quijote", "ollama" u "openai"
    template: str | None = None  # solo QuijoteChat: el texto exacto que lee, con las marcas de turno

    @property
    def chars(self) -> int:
        return payload_chars(self.messages)

    @property
    def tokens(self) -> int:
        """Los incluidos: un token por carácter (o marca). Uno grande: la estimación (o lo que contó el servidor)."""
        if self.context_length:
            return self.chars
        return self.reported_tokens or estimate_tokens(self.messages)


def call(backend, messages: list[dict], purpose: str = "respuesta", temperature: float = 0.7,
         max_tokens: int = 300, deadline=None) -> Call:
    """Hace una llamada completa (sin transmitir) y la registra. Nunca lanza: el error queda en ``Call``.

    Si el modelo solo acepta su temperatura de fábrica, la llamada se repite sin ella (ver
    ``OpenAIBackend`` en ``backends.py``). ``deadline``: el plazo del turno del chat, si la llamada
    es parte de uno.
    """
    sent = backend.outgoing(messages)
    made = new_call(backend, sent, purpose, temperatura=temperature, max_tokens=max_tokens)
    made.reply, made.error = complete(backend, sent, temperature=temperature, max_tokens=max_tokens,
                                      deadline=deadline)
    made.reported_tokens = None if made.context_length else backend.usage.get("prompt_tokens")
    return made


class Summaries:
    """Recuerda los resúmenes ya escritos para no pedir el mismo resumen dos veces."""

    def __init__(self):
        self._known: dict[str, str] = {}

    def get(self, backend, older: list[dict], temperature: float = 0.3, deadline=None) -> tuple[str, Call | None]:
        key = json.dumps([backend.label, older], ensure_ascii=False)
        if key in self._known:
            return self._known[key], None
        made = call(backend, summary_request(older), "resumen", temperature=temperature, max_tokens=200,
                    deadline=deadline)
        summary = made.reply.strip() if not made.error else ""
        if summary:
            self._known[key] = summary
        return summary, made


def prepare_turn(backend, history: list[dict], strategy: str, system_prompt: str = "",
                 summaries: Summaries | None = None, keep_last_turns: int = KEEP_LAST_TURNS,
                 deadline=None) -> tuple[list[Call], list[dict]]:
    """Lo que pasa antes de responder: (llamadas previas, como el resumen; paquete de la respuesta)."""
    history = plain_messages(history)
    before: list[Call] = []
    summary = ""
    if strategy == "resumen":
        older, _ = split_recent(history, keep_last_turns)
        if older:
            summary, made = (summaries or Summaries()).get(backend, older, deadline=deadline)
            before += [made] if made else []
    return before, build_payload(history, strategy, system_prompt, summary, keep_last_turns)


def new_call(backend, messages: list[dict], purpose: str, **settings) -> Call:
    """Una llamada vacía, lista para anotar la respuesta (sabe si el cerebro es un modelo incluido)."""
    context = None
    if getattr(backend, "kind", "") == "quijote":
        context = load_pretrained()[0].context_length
    template = backend.template(messages) if hasattr(backend, "template") else None
    return Call(purpose, backend.label, messages, settings=settings, context_length=context,
                kind=getattr(backend, "kind", ""), template=template)
