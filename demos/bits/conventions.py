"""Los mismos bytes, otra convención: el mismo ``c3 b1`` es «ñ», o «Ã±», o dos números, o un color.

Y la misma «á» guardada de dos maneras: NFC (una letra con tilde) y NFD (la letra y la tilde por
separado), como viene el archivo del Quijote.
"""

from __future__ import annotations

import html
import re
import unicodedata

from demos.bits.colors import color_swatch
from demos.bits.text import bit_string, hex_bytes, mono, printable, table_html, utf8
from demos.formatting import clean, thousands

MAX_READING_BYTES = 8  # ¿cuántos bytes leemos con cada convención? (8 bytes = un número de 64 bits)
READING_EXAMPLE = "año"  # lo que se lee si la caja está vacía


def first_bytes(text, limit: int = MAX_READING_BYTES) -> bytes:
    """Los bytes de los primeros caracteres ENTEROS de ``text`` que caben en ``limit`` bytes."""
    text, _ = clean(text)
    data = b""
    for ch in text or READING_EXAMPLE:
        if len(data) + len(utf8(ch)) > limit:
            break
        data += utf8(ch)
    return data


def readings(data: bytes) -> list[tuple[str, str]]:
    """Los mismos bytes leídos con distintas convenciones: ``[(convención, resultado)]``."""
    data = bytes(data[:MAX_READING_BYTES])
    return [
        ("bits", bit_string(data)),
        ("números de 0 a 255 (un byte cada uno)", " ".join(str(b) for b in data)),
        (f"un solo número entero de {8 * len(data)} bits", thousands(int.from_bytes(data, "big")) if data else "—"),
        ("texto UTF-8", printable(data.decode("utf-8", errors="replace"))),
        ("texto Windows-1252 (computadores antiguos)", printable(data.decode("cp1252", errors="replace"))),
    ]


def readings_html(data: bytes) -> str:
    rows = [(html.escape(name), html.escape(value)) for name, value in readings(data)]
    if len(data) >= 3:  # tres bytes también pueden ser un color
        rows.append(("color RGB (los 3 primeros bytes)", color_swatch(*data[:3], size=30)))
    cells = "".join(
        f"<tr><td style='padding:4px 14px;color:#495057'>{name}</td>"
        f"<td dir='ltr' style='padding:4px 14px;font-family:ui-monospace,monospace;font-size:22px;"
        f"unicode-bidi:isolate'>{value}</td></tr>"
        for name, value in rows
    )
    return f"<table style='font-size:20px;border-collapse:collapse'>{cells}</table>"


def mojibake_html(data: bytes) -> str:
    """Lo que pasa al leer UTF-8 con la convención equivocada (o que da lo mismo, si todo es ASCII)."""
    data = bytes(data[:MAX_READING_BYTES])
    right = printable(data.decode("utf-8", errors="replace"))
    wrong = printable(data.decode("cp1252", errors="replace"))
    if right == wrong:
        text = ("Con solo letras del inglés (ASCII) las dos convenciones coinciden: "
                "prueba con una «ñ», una tilde o un emoji.")
    else:
        text = (f"<b>La convención decide.</b> Por eso a veces un correo llega con «{html.escape(wrong)}» "
                f"en vez de «{html.escape(right)}».")
    return f"<div style='font-size:22px'>{text}</div>"


# ---------------------------------------------------------------- la misma «á»: NFC y NFD


def normal_forms(text: str = "á") -> list[dict]:
    """NFC: la letra con tilde es UN punto de código. NFD: la letra y la tilde por separado."""
    rows = []
    for form in ("NFC", "NFD"):
        same = unicodedata.normalize(form, text)
        rows.append({"forma": form, "puntos de código": [f"U+{ord(c):04X}" for c in same],
                     "bytes": hex_bytes(utf8(same)), "caracteres": len(same), "cuántos bytes": len(utf8(same))})
    return rows


def normal_forms_table(text: str = "á") -> str:
    rows = []
    for r in normal_forms(text):
        glyph = html.escape(unicodedata.normalize(r["forma"], text))
        rows.append([f"<b>{r['forma']}</b>", f"<span style='font-size:30px'>{glyph}</span>",
                     mono(" + ".join(r["puntos de código"])), mono(r["bytes"]), str(r["caracteres"])])
    return table_html(["forma", "se ve", "puntos de código", "bytes UTF-8", "largo según Python"], rows)


def nfd_example(raw: str) -> tuple[str, str] | None:
    """La primera palabra con tilde de un texto guardado en NFD y sus bytes, o None si no hay."""
    match = re.search(r"\w*[\u0300-\u036f]\w*", raw)
    if not match:
        return None
    return match.group(0), hex_bytes(utf8(match.group(0)))


def corpus_nfd_note() -> str:
    """Lo que dice el archivo del Quijote sobre NFD, en markdown (o un aviso si no se puede leer)."""
    from demos import corpus

    found = nfd_example(corpus.raw_beginning())
    if not found:
        return ("*(No pude leer el archivo del Quijote para mostrar cómo guarda sus tildes: "
                "revisa `TALLER_CORPUS`.)*")
    word, data = found
    return (f"En el archivo de *El Quijote*, «{unicodedata.normalize('NFC', word)}» está en **NFD**: `{data}` "
            f"({len(word)} puntos de código). Antes de entrenar lo pasamos a NFC.")
