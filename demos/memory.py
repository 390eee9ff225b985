"""Memoria: el modelo no recuerda nada; el programa le reenvía la conversación.

Cada llamada a un LLM es como multiplicar matrices: parte siempre del mismo estado. Si el chat
«recuerda», es porque el programa arma un paquete de mensajes (el *payload*) y lo manda completo
en cada turno. Tres estrategias:

- «sin memoria»: solo el último mensaje del usuario;
- «historial completo» (técnica 1): toda la conversación, cada vez;
- «resumen» (técnica 2): los turnos viejos se cambian por un resumen que escribe el mismo modelo,
  y los últimos turnos van tal cual.

Uso: ``python -m demos.memory`` hace la prueba de la vaca con las tres estrategias.
"""

from __future__ import annotations

import html
import json
import math
import sys
from dataclasses import dataclass, field

STRATEGIES = ("sin memoria", "historial completo", "resumen")
KEEP_LAST_TURNS = 1  # ¿cuántos turnos recientes (pregunta + respuesta) van tal cual junto al resumen?
CHARS_PER_TOKEN = 4  # ¿cuántos caracteres trae un token en un modelo grande? (estimación para español)
SHOW_CHARS = 600  # ¿cuánto de cada mensaje mostramos en pantalla?
SUMMARY_INSTRUCTION = ("Resume en dos o tres frases la conversación que te paso. Conserva los datos concretos: "
                       "nombres, animales, números y de qué se está hablando.")
SUMMARY_PREFIX = "Resumen de la conversación hasta ahora: "
COW_QUESTIONS = ("¿Qué animal da leche y dice mu?", "¿Cómo se llama un animal castrado de esa especie?")


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
    from demos.chat import plain_messages

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

    @property
    def chars(self) -> int:
        return payload_chars(self.messages)

    @property
    def tokens(self) -> int:
        return estimate_tokens(self.messages)


def call(backend, messages: list[dict], purpose: str = "respuesta", temperature: float = 0.7,
         max_tokens: int = 300) -> Call:
    """Hace una llamada completa (sin transmitir) y la registra. Nunca lanza: el error queda en ``Call``."""
    from demos import chat

    reply, error = chat.complete(backend, messages, temperature=temperature, max_tokens=max_tokens)
    return Call(purpose, backend.label, messages, reply, error, backend.usage.get("prompt_tokens"),
                {"temperature": temperature, "max_tokens": max_tokens})


class Summaries:
    """Recuerda los resúmenes ya escritos para no pedir el mismo resumen dos veces."""

    def __init__(self):
        self._known: dict[str, str] = {}

    def get(self, backend, older: list[dict], temperature: float = 0.3) -> tuple[str, Call | None]:
        key = json.dumps([backend.label, older], ensure_ascii=False)
        if key in self._known:
            return self._known[key], None
        made = call(backend, summary_request(older), "resumen", temperature=temperature, max_tokens=200)
        summary = made.reply.strip() if not made.error else ""
        if summary:
            self._known[key] = summary
        return summary, made


def prepare_turn(backend, history: list[dict], strategy: str, system_prompt: str = "",
                 summaries: Summaries | None = None) -> tuple[list[Call], list[dict]]:
    """Lo que pasa antes de responder: (llamadas previas, como el resumen; paquete de la respuesta)."""
    from demos.chat import plain_messages

    history = plain_messages(history)
    before: list[Call] = []
    summary = ""
    if strategy == "resumen":
        older, _ = split_recent(history)
        if older:
            summary, made = (summaries or Summaries()).get(backend, older)
            before += [made] if made else []
    return before, build_payload(history, strategy, system_prompt, summary)


def run_turn(backend, history: list[dict], strategy: str, system_prompt: str = "", temperature: float = 0.7,
             max_tokens: int = 300, summaries: Summaries | None = None) -> list[Call]:
    """Un turno completo (sin transmitir): las llamadas previas y la respuesta."""
    before, payload = prepare_turn(backend, history, strategy, system_prompt, summaries)
    return before + [call(backend, payload, "respuesta", temperature, max_tokens)]


def cow_test(backend, strategy: str, system_prompt: str = "", temperature: float = 0.3,
             max_tokens: int = 200) -> list[list[Call]]:
    """La prueba de la vaca: dos preguntas seguidas; la segunda solo tiene sentido con memoria."""
    history: list[dict] = []
    turns = []
    summaries = Summaries()
    for question in COW_QUESTIONS:
        history.append({"role": "user", "content": question})
        calls = run_turn(backend, history, strategy, system_prompt, temperature, max_tokens, summaries)
        history.append({"role": "assistant", "content": calls[-1].reply})
        turns.append(calls)
    return turns


# ---------------------------------------------------------------- roles, few-shot y llamadas encadenadas
ROLES_EXAMPLE = [
    {"role": "system", "content": "Eres un nutricionista que da consejos breves para una dieta saludable "
                                  "sin mencionar carne roja."},
    {"role": "user", "content": "¿Qué puedo almorzar hoy?"},
]
FEW_SHOT_EXAMPLE = [
    {"role": "system", "content": "Eres un traductor de español a inglés. Respondes solo con la traducción."},
    {"role": "user", "content": "¿Cómo se dice 'hola' en inglés?"},
    {"role": "assistant", "content": "Hello"},
    {"role": "user", "content": "¿Cómo se dice 'gracias' en inglés?"},
]
CHAIN_STEPS = (
    "Analiza el problema en dos frases: {problema}",
    "Con ese análisis, enumera los pasos a seguir (máximo 3).",
    "Ahora resuelve paso a paso y da la respuesta final en una línea.",
)
CHAIN_PROBLEM = "Tengo 3 cajas con 12 huevos cada una y se rompen 5. ¿Cuántos huevos sanos quedan?"


def chained_calls(backend, problem: str = CHAIN_PROBLEM, temperature: float = 0.3, max_tokens: int = 250) -> list[Call]:
    """Divide una tarea en pasos: cada llamada recibe lo que respondió la anterior."""
    history: list[dict] = []
    calls = []
    for number, step in enumerate(CHAIN_STEPS, start=1):
        history.append({"role": "user", "content": step.format(problema=problem)})
        made = call(backend, list(history), f"paso {number}", temperature, max_tokens)
        calls.append(made)
        if made.error:
            break
        history.append({"role": "assistant", "content": made.reply})
    return calls


# ---------------------------------------------------------------- para mirar
ROLE_COLORS = {"system": "#6b7280", "user": "#2563eb", "assistant": "#059669"}
ROLE_NAMES = {"system": "system (sistema)", "user": "user (usuario)", "assistant": "assistant (asistente)"}


def shown(text: str, limit: int = SHOW_CHARS) -> str:
    """Recorta textos muy largos para la pantalla y lo dice."""
    from demos.chat import redact

    text = redact(text)
    if len(text) <= limit:
        return text
    return f"{text[:limit]} … ({len(text) - limit:,} caracteres más que no se muestran)"


def messages_html(messages: list[dict]) -> str:
    """Los mensajes como tarjetas con su rol; ``dir=auto`` respeta textos de derecha a izquierda."""
    cards = []
    for m in messages:
        color = ROLE_COLORS.get(m["role"], "#111827")
        cards.append(
            f'<div style="border-left:4px solid {color};padding:2px 8px;margin:4px 0">'
            f'<b style="color:{color}">{html.escape(ROLE_NAMES.get(m["role"], m["role"]))}</b>'
            f'<div dir="auto" style="white-space:pre-wrap">{html.escape(shown(m["content"]))}</div></div>')
    return "".join(cards)


def size_text(made: Call) -> str:
    reported = f", el servidor contó {made.reported_tokens} tokens" if made.reported_tokens else ""
    return f"{made.chars:,} caracteres · ≈ {made.tokens:,} tokens{reported}"


def calls_html(calls: list[Call], show_reply: bool = True) -> str:
    """Cada llamada: qué se envió, su tamaño y qué volvió (o el error, en castellano)."""
    blocks = []
    for made in calls:
        answer = ""
        if show_reply:
            body = html.escape(shown(made.reply)) or "<i>(nada)</i>"
            error = f'<div style="color:#b91c1c">⚠️ {html.escape(shown(made.error))}</div>' if made.error else ""
            answer = f'<div style="margin-top:4px"><b>Respuesta:</b> <span dir="auto">{body}</span></div>{error}'
        blocks.append(
            f'<div style="margin-bottom:10px"><div><b>{html.escape(made.purpose.capitalize())}</b> → '
            f'{html.escape(made.backend)} · <small>{size_text(made)}</small></div>'
            f'{messages_html(made.messages)}{answer}</div>')
    return "".join(blocks)


def main(argv: list[str]) -> int:
    from demos import chat

    backend, said = chat.pick_backend(argv[0] if argv else "auto")
    print(said)
    for strategy in STRATEGIES:
        print(f"\n=== {strategy} ===")
        for turn in cow_test(backend, strategy):
            for made in turn:
                print(f"[{made.purpose}] se enviaron {len(made.messages)} mensajes, {made.chars} caracteres:")
                for m in made.messages:
                    print(f"   {m['role']:>9}: {m['content'][:100]!r}")
                print(f"   respuesta: {made.reply[:150]!r}" + (f"\n   ⚠️ {made.error}" if made.error else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
