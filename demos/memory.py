"""Memoria: el modelo no recuerda nada; el programa le reenvía la conversación.

Cada llamada a un LLM es como multiplicar matrices: parte siempre del mismo estado. Si el chat
«recuerda», es porque el programa arma un paquete de mensajes (el *payload*) y lo manda completo
en cada turno. Tres estrategias:

- «sin memoria»: solo el último mensaje del usuario;
- «historial completo» (técnica 1): toda la conversación, cada vez;
- «resumen» (técnica 2): los turnos viejos se cambian por un resumen que escribe el mismo modelo,
  y los últimos turnos van tal cual.

Cómo se arma el paquete es parte del chat (``demos/chat/payload.py``): el chat de la diapositiva lo
usa en cada mensaje. Aquí está lo propio de la sección: la prueba de la vaca, los roles, los ejemplos
(few-shot) y las llamadas encadenadas, y cómo se ve cada llamada en pantalla.

Uso: ``python -m demos.memory`` hace la prueba de la vaca con las tres estrategias.
"""

from __future__ import annotations

import html
import sys

from demos.aula.cli import ArgumentParser
from demos.chat.messages import redact
from demos.chat.payload import (
    KEEP_LAST_TURNS,
    STRATEGIES,
    Call,
    Summaries,
    build_payload,
    call,
    estimate_tokens,
    payload_chars,
    prepare_turn,
)
from demos.chat.pick import CHOICES, pick_backend
from demos.formatting import count, thousands

COW_KEEP_LAST_TURNS = 0  # en la prueba de la vaca: la pregunta 2 va solo con el resumen de la 1
SHOW_CHARS = 600  # ¿cuánto de cada mensaje mostramos en pantalla?
COW_QUESTIONS = ("¿Qué animal da leche y dice mu?", "¿Cómo se llama un animal castrado de esa especie?")


# ---------------------------------------------------------------- la prueba de la vaca
def run_turn(backend, history: list[dict], strategy: str, system_prompt: str = "", temperature: float = 0.7,
             max_tokens: int = 300, summaries: Summaries | None = None,
             keep_last_turns: int = KEEP_LAST_TURNS) -> list[Call]:
    """Un turno completo (sin transmitir): las llamadas previas y la respuesta."""
    before, payload = prepare_turn(backend, history, strategy, system_prompt, summaries, keep_last_turns)
    return before + [call(backend, payload, "respuesta", temperature, max_tokens)]


def cow_test(backend, strategy: str, system_prompt: str = "", temperature: float = 0.3,
             max_tokens: int = 200) -> list[list[Call]]:
    """La prueba de la vaca: dos preguntas seguidas; la segunda solo tiene sentido con memoria."""
    history: list[dict] = []
    turns = []
    summaries = Summaries()
    for question in COW_QUESTIONS:
        history.append({"role": "user", "content": question})
        calls = run_turn(backend, history, strategy, system_prompt, temperature, max_tokens, summaries,
                         COW_KEEP_LAST_TURNS)
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
    text = redact(text)
    if len(text) <= limit:
        return text
    return f"{text[:limit]} … ({count(len(text) - limit, 'carácter más', 'caracteres más')} que no se muestran)"


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
    chars = count(made.chars, "carácter", "caracteres")
    if made.context_length:
        return (f"{chars} = {count(made.chars, 'token', 'tokens')} de {made.backend} (uno por carácter); "
                f"solo ve los últimos {thousands(made.context_length)}")
    if made.reported_tokens:
        return f"{chars} · {count(made.reported_tokens, 'token', 'tokens')} según el servidor"
    return f"{chars} · ≈ {count(estimate_tokens(made.messages), 'token', 'tokens')} (estimado: 1 cada 4 caracteres)"


def answer_html(made: Call) -> str:
    """Solo la respuesta de una llamada (o su error), para poner bajo los mensajes que se ven arriba."""
    body = f'<div dir="auto" style="white-space:pre-wrap"><b>Respuesta:</b> {html.escape(shown(made.reply))}</div>'
    error = f'<div style="color:#b91c1c">⚠️ {html.escape(shown(made.error))}</div>' if made.error else ""
    return f"{body}{error}{detail(f'{html.escape(made.backend)} · {size_text(made)}')}"


def detail(text: str) -> str:
    """Un dato de apoyo (el tamaño, quién contestó): en gris, con letra que se lee desde el fondo."""
    return f'<span style="font-size:19px;color:#495057">{text}</span>'


def scroll_box(inner: str, height_px: int = 380) -> str:
    return f'<div style="max-height:{height_px}px;overflow:auto">{inner}</div>'


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
            f'{html.escape(made.backend)} · {detail(size_text(made))}</div>'
            f'{messages_html(made.messages)}{template_html(made)}{answer}</div>')
    return "".join(blocks)


def template_html(made: Call) -> str:
    """QuijoteChat no recibe una lista de mensajes: lee un solo texto con marcas de turno. Este."""
    if not made.template:
        return ""
    ignored = " El mensaje de sistema no está: este modelo nunca vio uno, así que se omite." \
        if any(m["role"] == "system" for m in made.messages) else ""
    return (f'<div style="margin-top:6px"><b>Lo que lee {html.escape(made.backend)}</b> (la plantilla, '
            f'con sus marcas; cada marca es un solo token):{ignored}'
            f'<pre style="white-space:pre-wrap;overflow-wrap:anywhere">{html.escape(shown(made.template))}</pre></div>')


def cow_table_html(results: dict[str, list[list[Call]]]) -> str:
    """Resumen de la prueba de la vaca: por estrategia, qué se envió con la pregunta 2 y qué volvió."""
    rows = []
    for strategy, turns in results.items():
        answer = turns[-1][-1]
        extra = " + 1 llamada para el resumen" if len(turns[-1]) > 1 else ""
        reply = html.escape(shown(answer.reply, 160)) or "<i>(nada)</i>"
        if answer.error:
            reply += f'<br><span style="color:#b91c1c">⚠️ {html.escape(shown(answer.error, 160))}</span>'
        rows.append(f"<tr><td><b>{html.escape(strategy)}</b></td><td>"
                    f"{count(len(answer.messages), 'mensaje', 'mensajes')}{extra}<br>"
                    f"{detail(size_text(answer))}</td><td dir=\"auto\">{reply}</td></tr>")
    head = "<tr><th>Estrategia</th><th>Qué se envió (pregunta 2)</th><th>Respuesta a la pregunta 2</th></tr>"
    return f'<table style="width:100%;font-size:20px">{head}{"".join(rows)}</table>'


def growth_rows(turns: int = 8, question_chars: int = 60, answer_chars: int = 300,
                summary_chars: int = 250) -> list[dict]:
    """Cuántos caracteres se envían en cada turno con cada estrategia (conversación de ejemplo)."""
    history: list[dict] = []
    rows = []
    for turn in range(1, turns + 1):
        history.append({"role": "user", "content": "q" * question_chars})
        for strategy in STRATEGIES:
            payload = build_payload(history, strategy, summary="r" * summary_chars)
            rows.append({"turno": turn, "caracteres enviados": payload_chars(payload), "estrategia": strategy})
        history.append({"role": "assistant", "content": "a" * answer_chars})
    return rows


def curtain_html(turns: list[list[Call]]) -> str:
    """«Detrás de la cortina»: lo que se envió en el último turno y cómo creció el paquete turno a turno."""
    if not turns:
        return "<p>Todavía no hay mensajes. Escribe algo en el chat y vuelve aquí.</p>"
    sizes = "".join(f"<tr><td>{i}</td><td>{html.escape(c[-1].settings.get('estrategia', ''))}</td>"
                    f"<td>{thousands(len(c[-1].messages))}</td><td>{thousands(c[-1].chars)}</td>"
                    f"<td>{thousands(c[-1].tokens)}</td></tr>"
                    for i, c in enumerate(turns, start=1))
    table = ("<table style='font-size:20px'><tr><th>Turno</th><th>Estrategia</th><th>Mensajes</th>"
             f"<th>Caracteres</th><th>Tokens</th></tr>{sizes}</table>")
    last = calls_html(turns[-1], show_reply=False)
    return (f'<div style="display:flex;gap:24px;align-items:flex-start">'
            f'<div style="flex:3;max-height:520px;overflow:auto"><h3>Último turno: lo que se envió</h3>{last}</div>'
            f'<div style="flex:2"><h3>Turno a turno</h3>{table}</div></div>')


def main(argv: list[str]) -> int:
    parser = ArgumentParser(description="La prueba de la vaca con cada estrategia de memoria, y lo que se envía.")
    parser.add_argument("cerebro", nargs="?", default="auto", choices=sorted(CHOICES),
                        help="quién responde (auto: Ollama, una API con clave o QuijoteChat)")
    backend, said = pick_backend(parser.parse_args(argv).cerebro)
    print(said)
    for strategy in STRATEGIES:
        print(f"\n=== {strategy} ===")
        for turn in cow_test(backend, strategy):
            for made in turn:
                print(f"[{made.purpose}] se enviaron {count(len(made.messages), 'mensaje', 'mensajes')}, "
                      f"{count(made.chars, 'carácter', 'caracteres')}:")
                for m in made.messages:
                    print(f"   {m['role']:>9}: {m['content'][:100]!r}")
                print(f"   respuesta: {made.reply[:150]!r}" + (f"\n   ⚠️ {made.error}" if made.error else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
