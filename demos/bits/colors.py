"""Colores: tres bytes, cuánto rojo, cuánto verde y cuánto azul (``#e8590c`` = 232, 89, 12).

Los deslizadores, la caja ``#rrggbb`` y la paleta de la diapositiva cambian el mismo color; lo que
no es un color da un aviso y el color anterior se queda.
"""

from __future__ import annotations

import re

from demos.bits.numbers import clamped, grouped_bits
from demos.bits.text import notes_html, shorten
from demos.formatting import clean

CHANNELS = ("R (rojo)", "G (verde)", "B (azul)")
HEX_COLOR = re.compile(r"#?([0-9a-fA-F]{6}|[0-9a-fA-F]{3})")
SWATCHES = {  # la paleta de la diapositiva: un clic y ese color pasa a los deslizadores
    "🟥 rojo": (224, 49, 49), "🟧 naranja": (232, 89, 12), "🟨 amarillo": (250, 204, 21),
    "🟩 verde": (47, 158, 68), "🟦 azul": (28, 126, 214), "🟪 morado": (132, 94, 247),
    "⬛ negro": (0, 0, 0), "⬜ blanco": (255, 255, 255),
}


def channel(value) -> int:
    """Un canal de color: un byte, de 0 a 255."""
    return clamped(value, 0, 255, default=0)[0]


def channels(r, g, b) -> tuple[tuple[int, int, int], list[str]]:
    """Los tres canales como bytes, con un aviso por cada uno que hubo que cambiar."""
    values, notes = [], []
    for name, value in zip(CHANNELS, (r, g, b), strict=True):
        number, note = clamped(value, 0, 255, default=0)
        values.append(number)
        if note:
            notes.append(f"Ojo: en {name}, {note}")
    return tuple(values), notes


def with_channel(color: tuple[int, int, int], index: int, value) -> tuple[int, int, int]:
    """El mismo color con un canal cambiado (lo que hace cada deslizador)."""
    changed = list(color)
    changed[index] = channel(value)
    return tuple(changed)


def hex_code(r, g, b) -> str:
    return "#" + "".join(f"{channel(v):02x}" for v in (r, g, b))


def parse_hex(text) -> tuple[tuple[int, int, int] | None, str | None]:
    """«#e8590c» (o «e8590c», o la forma corta «#f80») → ``(232, 89, 12)``; si no, un aviso."""
    text, _ = clean(text)
    match = HEX_COLOR.fullmatch(text.strip())
    if not match:
        return None, (f"«{shorten(text)}» no es un color: escribe # y seis cifras hexadecimales (0 a 9 y "
                      "a a f), como #e8590c.")
    digits = match.group(1)
    digits = "".join(d * 2 for d in digits) if len(digits) == 3 else digits
    return tuple(bytes.fromhex(digits)), None


def color_swatch(r: int, g: int, b: int, size: int = 140) -> str:
    return (f"<span style='display:inline-block;width:{size}px;height:{size}px;border-radius:8px;"
            f"background:rgb({r},{g},{b});border:1px solid #868e96;vertical-align:middle'></span>")


def color_rows(r, g, b) -> list[dict]:
    values, _ = channels(r, g, b)
    return [{"canal": name, "valor": v, "hex": f"{v:02x}", "bits": f"{v:08b}"}
            for name, v in zip(CHANNELS, values, strict=True)]


def color_html(r, g, b, notes: list[str] | None = None) -> str:
    """Un color = 3 bytes = 24 bits: cuánto rojo, cuánto verde y cuánto azul."""
    rows = color_rows(r, g, b)
    notes = (notes or []) + channels(r, g, b)[1]
    code = "#" + "".join(row["hex"] for row in rows)
    bars = "".join(
        f"<tr><td style='padding:4px 10px'>{row['canal']}</td><td style='padding:4px 10px;text-align:right'>"
        f"{row['valor']}</td><td style='padding:4px 10px;font-family:ui-monospace,monospace'>{row['hex']}</td>"
        f"<td style='padding:4px 10px;font-family:ui-monospace,monospace'>{grouped_bits(row['bits'])}</td></tr>"
        for row in rows)
    return (f"<div style='display:flex;gap:28px;align-items:center;font-size:22px'>"
            f"{color_swatch(*(row['valor'] for row in rows))}<div><div style='font-size:28px'>"
            f"<code>{code}</code> = 3 bytes = 24 bits</div>"
            f"<table style='border-collapse:collapse'>{bars}</table>{notes_html(notes)}</div></div>")


def hex_box_html(text, r, g, b) -> str:
    """El color elegido (r, g, b) y, si lo escrito en la caja #rrggbb no es un color, por qué."""
    _, note = parse_hex(text)
    return color_html(r, g, b, notes=[f"Ojo: {note} Sigo con {hex_code(r, g, b)}."] if note else [])
