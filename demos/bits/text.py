"""Texto → bytes → bits: cada carácter en su cajita, con su punto de código, sus bytes UTF-8 y sus bits.

También los avisos en castellano para lo raro que escriba la sala (vacío, enorme, invisibles,
derecha a izquierda, emojis pegados con ZWJ, tildes sueltas) y la tabla de cuántos bytes ocupa
cada carácter. Lo invisible se dibuja con ``demos.formatting.visible_char``, como en todo el taller.
"""

from __future__ import annotations

import html
import unicodedata
from dataclasses import dataclass

from demos.formatting import INVISIBLE, ZWJ, clean, count, thousands, visible_char

MAX_BOXES = 20  # ¿cuántas cajitas de carácter caben en una diapositiva? (dos filas de 10)
MAX_RIBBON_BYTES = 24  # ¿cuántos bytes de la «cinta» de bits mostramos? (dos líneas)
# colores suaves, uno por carácter (se repiten en ciclo)
SOFT_COLORS = ["#d0e2ff", "#ffd8c2", "#c9f0d3", "#ecd5f5", "#fff0b3", "#c5eef2", "#fcd0de", "#e3e6e9"]
# los invisibles que cambian el orden en que se DIBUJA el texto (RLO, PDF…): merecen su aviso
BIDI_CONTROLS = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"


# ---------------------------------------------------------------- texto → bytes → bits


def hex_bytes(data: bytes) -> str:
    return " ".join(f"{b:02x}" for b in data)


def bit_string(data: bytes) -> str:
    return " ".join(f"{b:08b}" for b in data)


def utf8(text: str) -> bytes:
    """Los bytes UTF-8 de ``text``; un «sustituto» suelto (inválido en UTF-8) se vuelve �."""
    return text.encode("utf-8", errors="replace")


@dataclass
class CharInfo:
    char: str
    code_point: int
    utf8: bytes
    label: str  # cómo se dibuja (los invisibles, con un símbolo)
    name: str  # descripción en castellano, si es invisible o especial

    @property
    def code(self) -> str:
        return f"U+{self.code_point:04X}"


def describe_char(ch: str) -> CharInfo:
    label, name = visible_char(ch)
    return CharInfo(ch, ord(ch), utf8(ch), label, name)


def describe(text: str) -> list[CharInfo]:
    return [describe_char(ch) for ch in text]


# ---------------------------------------------------------------- entradas raras: avisos claros


def printable(text: str) -> str:
    """El texto con sus invisibles a la vista (␣ no: el espacio queda espacio; ␀, ↵, RLO sí)."""
    return "".join(visible_char(ch)[0] if _hidden(ch) else ch for ch in text)


def shorten(text: str, limit: int = 40) -> str:
    """Un pedazo de lo que escribieron, para citarlo en un aviso sin llenar la pantalla."""
    return printable(text[:limit]) + ("…" if len(text) > limit else "")


def _hidden(ch: str) -> bool:
    return ch != " " and (ch in INVISIBLE or unicodedata.category(ch) in ("Cc", "Cf", "Cs"))


def notes_about(text: str, limit: int = MAX_BOXES) -> list[str]:
    """Avisos en castellano sobre lo que se muestra: vacío, cortado, invisibles, derecha a izquierda…"""
    if not text:
        return ["Escribe algo en la caja: por ahora no hay nada que mostrar."]
    notes = []
    if len(text) > limit:
        notes.append(f"El texto tiene {thousands(len(text))} caracteres: muestro solo los primeros "
                     f"{thousands(limit)}.")
    shown = text[:limit]
    if "\x00" in shown:
        notes.append("Hay un carácter NUL (U+0000, el «nulo», dibujado ␀): se guarda como el byte 00.")
    controls = {ch for ch in shown if unicodedata.category(ch) == "Cc" and ch not in "\n\t\x00"}
    if controls:
        notes.append("Hay caracteres de control (invisibles): los dibujo con el símbolo que Unicode tiene para "
                     "cada uno, por ejemplo ␇ (el «timbre»).")
    if any(unicodedata.bidirectional(ch) in ("R", "AL") for ch in shown):
        notes.append("Hay texto que se escribe de derecha a izquierda (árabe o hebreo): "
                     "las cajitas van en el orden en que se guarda en memoria.")
    flips = sorted({INVISIBLE[ch][0] for ch in shown if ch in BIDI_CONTROLS})
    if flips:
        notes.append(f"Hay caracteres invisibles que cambian la dirección del texto ({', '.join(flips)}): "
                     "lo que se dibuja puede salir en otro orden que lo guardado; las cajitas muestran "
                     "el orden real.")
    if ZWJ in shown:
        notes.append("Hay un emoji compuesto con ZWJ (U+200D): lo que ves como un solo dibujo "
                     "son varios puntos de código pegados.")
    if any(unicodedata.combining(ch) for ch in shown):
        notes.append("Hay marcas combinables (tildes sueltas que se montan sobre la letra anterior): "
                     "es la forma NFD, como en el archivo del Quijote.")
    return notes


def notes_html(notes: list[str]) -> str:
    items = "".join(f"<li>{html.escape(n)}</li>" for n in notes)
    return f"<ul style='font-size:20px;color:#8a4b00;margin:4px 0'>{items}</ul>" if notes else ""


# ---------------------------------------------------------------- lo que se ve en la diapositiva


def _soft(i: int) -> str:
    return SOFT_COLORS[i % len(SOFT_COLORS)]


def char_box(info: CharInfo, color: str) -> str:
    """Una cajita: el carácter, su punto de código, sus bytes y sus bits (un byte por línea)."""
    bits = "<br>".join(f"{b:08b}" for b in info.utf8)
    title = html.escape(info.name or f"{info.char} = {info.code}", quote=True)
    return (
        f"<div title='{title}' style='background:{color};border-radius:8px;padding:4px 8px;"
        "text-align:center;font-family:ui-monospace,monospace;min-width:86px'>"
        f"<div dir='ltr' style='font-size:30px;font-family:system-ui,sans-serif;unicode-bidi:isolate;"
        f"min-height:36px;line-height:1.2'>{html.escape(info.label)}</div>"
        f"<div style='font-size:19px;color:#495057'>{info.code}</div>"
        f"<div style='font-size:20px;font-weight:600'>{hex_bytes(info.utf8)}</div>"
        f"<div style='font-size:19px;line-height:1.15'>{bits}</div></div>"
    )


def bit_ribbon(infos: list[CharInfo], max_bytes: int = MAX_RIBBON_BYTES) -> str:
    """Así está guardado en memoria: una sola fila de bits; el color dice de qué carácter es cada uno."""
    spans, used = [], 0
    for i, info in enumerate(infos):
        if used >= max_bytes:
            spans.append("<span> …</span>")
            break
        bits = "".join(f"{b:08b}" for b in info.utf8)
        spans.append(f"<span style='background:{_soft(i)};padding:2px 0'>{bits}</span>")
        used += len(info.utf8)
    return ("<div style='font-family:ui-monospace,monospace;font-size:19px;word-break:break-all;"
            f"line-height:1.5;max-width:1140px'>{''.join(spans)}</div>")


def size_summary(text: str) -> str:
    total = len(utf8(text))
    return (f"{count(len(text), 'carácter', 'caracteres')} → {count(total, 'byte', 'bytes')} → "
            f"{thousands(8 * total)} bits")


def utf8_html(text, limit: int = MAX_BOXES) -> str:
    """Cada carácter en su cajita de color, la cinta de bits y el total: caracteres → bytes → bits."""
    text, notes = clean(text)
    notes += notes_about(text, limit)
    infos = describe(text[:limit])
    boxes = "".join(char_box(info, _soft(i)) for i, info in enumerate(infos))
    summary = f"<div style='font-size:20px'><b>{size_summary(text)}</b></div>"
    # los avisos van arriba: si algo se corta o se reemplaza, la sala lo lee primero
    return (f"<div style='display:flex;flex-direction:column;gap:10px'>{summary}{notes_html(notes)}"
            f"<div style='display:flex;flex-wrap:wrap;gap:6px'>{boxes}</div>"
            f"{bit_ribbon(infos) if infos else ''}</div>")


# ---------------------------------------------------------------- ¿cuántos bytes ocupa cada carácter?

SIZE_EXAMPLES = ["a", "Z", "7", "ñ", "á", "¿", "€", "😀", "👩‍💻"]


def size_rows(examples: list[str] = SIZE_EXAMPLES) -> list[dict]:
    rows = []
    for text in examples:
        data = utf8(text)
        rows.append({"texto": text, "puntos de código": " ".join(f"U+{ord(c):04X}" for c in text),
                     "bytes": hex_bytes(data), "cuántos bytes": len(data)})
    return rows


def table_html(headers: list[str], rows: list[list[str]], font_px: int = 22) -> str:
    """Una tabla con letra de proyector (las celdas ya vienen escapadas)."""
    head = "".join(f"<th style='padding:4px 14px;text-align:left'>{h}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td style='padding:4px 14px'>{cell}</td>" for cell in row) + "</tr>"
                   for row in rows)
    return f"<table style='font-size:{font_px}px;border-collapse:collapse'><tr>{head}</tr>{body}</table>"


def mono(text: str) -> str:
    return f"<code style='font-size:0.9em'>{html.escape(text)}</code>"


def size_table(examples: list[str] = SIZE_EXAMPLES) -> str:
    """ASCII ocupa 1 byte; ñ, á, ¿, 2; €, 3; un emoji, 4 (o más, si va pegado a otros)."""
    rows = [[f"<span style='font-size:28px'>{html.escape(r['texto'])}</span>", mono(r["puntos de código"]),
             mono(r["bytes"]), f"<b>{r['cuántos bytes']}</b>"] for r in size_rows(examples)]
    return table_html(["se ve", "puntos de código", "bytes UTF-8", "¿cuántos?"], rows)
