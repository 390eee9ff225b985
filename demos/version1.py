"""Versión 1 del chat y su primera mejora: el código que la sala lee, y la prueba de la vaca con él.

En la presentación, la función ``responder(mensajes, …)`` vive en una celda que se ve en la
diapositiva. Aquí está lo que la acompaña: mostrar su código, y hacerle la prueba de la vaca
anotando qué le envió al modelo (un «cerebro que escucha»), para ver por qué falla y por qué
una línea la arregla.
"""

from __future__ import annotations

import difflib
import html
import inspect
import textwrap

from demos.chat import EmbeddedBackend, plain_messages, strip_notice
from demos.chat.payload import Call, new_call
from demos.memory import COW_QUESTIONS, calls_html


def source_of(function) -> str:
    """El código de una función tal como está escrito (también si está en una celda de marimo)."""
    return textwrap.dedent(inspect.getsource(function)).strip()


def code_html(function, changed: set[int] = frozenset()) -> str:
    """El código en letra grande; las líneas de ``changed`` (desde 0) resaltadas."""
    lines = []
    for number, line in enumerate(source_of(function).splitlines()):
        style = "background:#fff3bf;outline:2px solid #e8590c" if number in changed else ""
        lines.append(f"<span style='display:block;{style}'>{html.escape(line) or ' '}</span>")
    return ("<pre style='font-size:20px;line-height:1.35;padding:10px;background:#f8f9fa;border-radius:8px;"
            f"white-space:pre-wrap;margin:0'><code>{''.join(lines)}</code></pre>")


def changed_lines(before, after) -> set[int]:
    """Qué líneas de código de ``after`` cambiaron respecto de ``before`` (para resaltarlas).

    No cuentan el nombre de la función, su explicación (docstring) ni los comentarios: solo lo que hace.
    """
    old, new = (_what_it_does(source_of(f)) for f in (before, after))
    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    return {j for tag, _, _, j1, j2 in matcher.get_opcodes() if tag != "equal" for j in range(j1, j2)}


def _what_it_does(source: str) -> list[str]:
    lines = []
    for line in source.splitlines():
        code = line.split("#", 1)[0].strip()
        lines.append("def" if code.startswith("def ") else '"""' if code.startswith('"""') else code)
    return lines


class Listening:
    """Un cerebro que anota lo que recibe y, por lo demás, es el cerebro de siempre."""

    def __init__(self, inner):
        self.inner, self.sent = inner, []

    def __getattr__(self, name):
        return getattr(self.inner, name)

    def stream(self, messages, **settings):
        self.sent.append(plain_messages(messages))
        yield from self.inner.stream(messages, **settings)


def cow_through(responder, brain=None) -> list[Call]:
    """La prueba de la vaca con el ``responder`` de la sala: por pregunta, qué envió y qué volvió."""
    listening = Listening(brain or EmbeddedBackend(seed=0))
    history: list[dict] = []
    calls = []
    for number, question in enumerate(COW_QUESTIONS, start=1):
        history.append({"role": "user", "content": question})
        reply = strip_notice("".join(responder(list(history), None, listening)))
        made = new_call(listening, listening.sent[-1] if listening.sent else [], f"pregunta {number}")
        made.reply = reply
        calls.append(made)
        history.append({"role": "assistant", "content": reply})
    return calls


def cow_html(calls: list[Call]) -> str:
    """La segunda pregunta de la prueba: lo que recibió el modelo y lo que contestó."""
    return calls_html(calls[-1:])
