"""Números y texto para personas, como se escriben en Chile: 1.000, 0,5, 12 %, y lo invisible a la vista.

Es la hoja del árbol: no importa nada del taller, y todo el taller (el motor, las secciones, la
terminal) escribe sus números con estas funciones.
"""

from __future__ import annotations

import re
import unicodedata

ZWJ = "\u200d"  # unión de ancho cero: pega emojis en uno solo (👩 + ZWJ + 💻 = 👩‍💻)

# cómo dibujamos lo que no se ve, y cómo lo llamamos en castellano
INVISIBLE = {
    " ": ("␣", "espacio"),
    "\n": ("↵", "salto de línea"),
    "\r": ("⏎", "retorno de carro"),
    "\t": ("⇥", "tabulación"),
    "\x7f": ("␡", "borrar"),
    ZWJ: ("ZWJ", "unión de ancho cero"),
    "\u200c": ("ZWNJ", "no unión de ancho cero"),
    "\u200b": ("ZWSP", "espacio de ancho cero"),
    "\u200e": ("LRM", "marca de izquierda a derecha"),
    "\u200f": ("RLM", "marca de derecha a izquierda"),
    "\ufeff": ("BOM", "marca de orden de bytes"),
    "\ufe0f": ("VS16", "selector de variante: dibujo a color"),
    "\ufe0e": ("VS15", "selector de variante: dibujo de texto"),
    # los que dan vuelta el orden en que se DIBUJA el texto (no el orden en que se guarda)
    "\u202a": ("LRE", "empieza un tramo de izquierda a derecha"),
    "\u202b": ("RLE", "empieza un tramo de derecha a izquierda"),
    "\u202c": ("PDF", "termina el tramo"),
    "\u202d": ("LRO", "fuerza izquierda a derecha"),
    "\u202e": ("RLO", "fuerza derecha a izquierda"),
    "\u2066": ("LRI", "aísla un tramo de izquierda a derecha"),
    "\u2067": ("RLI", "aísla un tramo de derecha a izquierda"),
    "\u2068": ("FSI", "aísla un tramo según su primera letra"),
    "\u2069": ("PDI", "termina el tramo aislado"),
}


def thousands(n: int) -> str:
    """100000 → «100.000»."""
    return f"{int(n):,}".replace(",", ".")


def decimal(x: float, digits: int = 1) -> str:
    """41.666 → «41,7»: coma decimal."""
    return f"{x:.{digits}f}".replace(".", ",")


def count(n: int, singular: str, plural: str) -> str:
    """«1 carácter», «2 caracteres», «1.000 caracteres»."""
    return f"{thousands(n)} {singular if n == 1 else plural}"


def percent(p: float) -> str:
    """0.354 → «35 %», 0.004 → «0,4 %»: el espacio antes del signo, como se escribe en castellano."""
    value = 100 * float(p)
    if value >= 9.95 or value == 0:
        return f"{value:.0f} %"
    digits = 1 if value >= 0.095 else 2
    return f"{value:.{digits}f} %".replace(".", ",")


def visible_char(ch: str) -> tuple[str, str]:
    """Un dibujo que SÍ se ve para cada carácter, y su nombre si es invisible o raro ("" si es común)."""
    if ch in INVISIBLE:
        return INVISIBLE[ch]
    category = unicodedata.category(ch)
    if category == "Cc":  # los de la vieja teleimpresora: Unicode tiene un dibujo para cada uno (NUL → ␀)
        return (chr(0x2400 + ord(ch)) if ord(ch) < 0x20 else f"⟨U+{ord(ch):04X}⟩"), "carácter de control (invisible)"
    if category in ("Mn", "Me"):  # marcas combinables: se montan sobre la letra anterior
        return "◌" + ch, "marca combinable (se monta sobre la letra anterior)"
    if category == "Cs":
        return "�", "sustituto suelto: no es un carácter válido"
    if category in ("Cf", "Zl", "Zp") or (category == "Zs" and ch != " "):
        return f"⟨U+{ord(ch):04X}⟩", "carácter invisible"
    if unicodedata.bidirectional(ch) in ("R", "AL"):
        return ch, "se escribe de derecha a izquierda"
    return ch, ""


def visible(text: str) -> str:
    """El texto con cada carácter invisible dibujado («Hola␣Don↵»); un texto vacío se ve como «∅»."""
    if text == "":
        return "∅"
    return "".join(visible_char(ch)[0] for ch in text)


def clean(text) -> tuple[str, list[str]]:
    """Deja el texto listo para mostrar: nunca falla. Devuelve ``(texto, avisos)``."""
    if text is None:
        return "", []
    if not isinstance(text, str):
        text = str(text)
    notes = []
    if re.search("[\ud800-\udfff]", text):
        text = re.sub("[\ud800-\udfff]", "\ufffd", text)
        notes.append("Había un «sustituto» suelto (no es un carácter válido): lo reemplacé por �.")
    return text, notes
