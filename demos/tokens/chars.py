"""1. Un token por carácter, como el notebook del taller: cada letra distinta recibe un número.

El vocabulario sale de las letras del Quijote (el mismo del modelo incluido); ``encode`` y
``decode`` van y vuelven, y lo que el vocabulario no tiene se nombra en castellano (``char_name``).
"""

from __future__ import annotations

import html
import unicodedata

from demos.formatting import INVISIBLE, clean, thousands, visible, visible_char
from demos.model import load_pretrained
from demos.tokenizer import CharTokenizer

MAX_SHOWN_VOCAB = 120  # ¿cuántos caracteres del vocabulario, con su número, caben en la diapositiva?
ROUND_TRIP_CHARS = 60  # ¿cuántos caracteres caben en la línea de encode/decode?


def char_tokenizer(text: str | None, error: str | None = None) -> tuple[CharTokenizer, str | None]:
    """El tokenizador del notebook, hecho con las letras del corpus. Sin corpus: el del modelo incluido
    (y, en la nota, cómo conseguir el corpus: ``error`` es el mensaje de ``corpus.try_load_text``)."""
    if text:
        return CharTokenizer.from_text(text), None
    note = "No pude leer El Quijote: uso el vocabulario del modelo incluido, que es el mismo."
    if not error:
        return load_pretrained()[1], f"*{note}*"
    # plegado: el mensaje completo no cabe en la diapositiva junto al vocabulario
    return load_pretrained()[1], f"/// details | {note}\n\n```text\n{error.strip()}\n```\n///"


def same_vocabulary_as_model(tokenizer: CharTokenizer) -> bool:
    return tokenizer.chars == load_pretrained()[1].chars


def vocabulary_note(tokenizer: CharTokenizer, note: str | None = None) -> str:
    """¿El modelo incluido usa este mismo vocabulario? (no necesita el corpus para saberlo)"""
    same = ("El modelo incluido, QuijoteGPT, usa **este mismo vocabulario**."
            if same_vocabulary_as_model(tokenizer) else
            f"Ojo: el modelo incluido usa otro vocabulario ({load_pretrained()[1].vocab_size} caracteres).")
    # sin corpus, la nota ya dice que el vocabulario es el del modelo: repetirlo no cabría
    return note or same


def vocab_html(tokenizer: CharTokenizer, limit: int = MAX_SHOWN_VOCAB) -> str:
    """Cada carácter del vocabulario con su número: ese número es el token."""
    cells = "".join(
        f"<span style='display:inline-block;text-align:center;min-width:34px;margin:2px;padding:2px;"
        f"background:#f1f3f5;border-radius:4px'><span style='font-size:22px;white-space:pre'>"
        f"{html.escape(visible(ch))}</span><br><small style='font-size:19px;color:#495057'>{i}</small></span>"
        for i, ch in enumerate(tokenizer.chars[:limit]))
    extra = len(tokenizer.chars) - limit
    more = f"<span style='font-size:20px'> … y {extra} más</span>" if extra > 0 else ""
    return f"<div style='line-height:1.1'>{cells}{more}</div>"


def round_trip_md(tokenizer: CharTokenizer, text="Hola Don") -> str:
    """``encode`` → números; ``decode`` → el mismo texto. La ida y la vuelta, en markdown."""
    text, notes = clean(text)
    if not text:
        return "Escribe algo en la caja para ver sus números."
    shown = text[:ROUND_TRIP_CHARS]
    ids = tokenizer.encode(shown)
    back = tokenizer.decode(ids)
    lines = [f"``encode({_code(shown)})`` → ``{ids}``", f"``decode(…)`` → ``{_code(back)}``"]
    if back == unicodedata.normalize("NFC", shown):
        lines.append("✔ ida y vuelta: el mismo texto.")
    unknown = tokenizer.unknown_chars(shown)
    if unknown:
        names = ", ".join(char_name(c) for c in unknown)
        lines.append(f"Ojo: el vocabulario no tiene {names}: se reemplaza por el más parecido, así que la vuelta "
                     "no es idéntica.")
    if len(text) > len(shown):
        lines.append(f"(Muestro solo los primeros {len(shown)} de {thousands(len(text))} caracteres.)")
    # un solo párrafo, con saltos de línea: sin el espacio entre párrafos, cabe bajo el vocabulario
    return "  \n".join(lines + notes)


def _code(text: str) -> str:
    """El texto como lo escribe Python (los invisibles como \\x00, \\u202e…); el acento grave, como
    \\x60, que es lo mismo para Python y no corta el código en markdown."""
    return repr(text).replace("`", "\\x60")


def char_name(ch: str) -> str:
    """Cómo nombrar un carácter en un aviso: «k», o ␣ (espacio), ZWJ (unión de ancho cero), ␇ (U+0007)…"""
    label, name = visible_char(ch)
    if ch in INVISIBLE:
        return f"{label} ({name})"
    code = f"U+{ord(ch):04X}"
    if code in label:  # su dibujo ya es su punto de código: ⟨U+2063⟩
        return label
    if label != ch:  # controles, marcas combinables: con su punto de código
        return f"{label} ({code})"
    return f"«{ch}»"
