"""Bits: todo en un computador es discreto (texto, números, colores, imágenes).

Los mismos bits significan cosas distintas según la CONVENCIÓN con que se leen: los bytes
``c3 b1`` son dos números (195 y 177), o la letra «ñ» en UTF-8, o «Ã±» en Windows-1252.

Uso:
    python -m demos.bits "ñ"            # cada carácter: punto de código, bytes y bits
    python -m demos.bits --numero 300   # un número en 8, 16 y 32 bits (¿cabe?)
    python -m demos.bits --color 232 89 12
    python -m demos.bits --hex e8590c   # el mismo color, escrito como en la web (#e8590c)
    python -m demos.bits --imagen       # la carita de 16×16 como grilla de números
"""

from __future__ import annotations

import html
import math
import re
import sys
import unicodedata
from dataclasses import dataclass

from demos import charts
from demos.aula.cli import ArgumentParser
from demos.formatting import INVISIBLE, ZWJ, clean, count, thousands, visible_char

MAX_BOXES = 20  # ¿cuántas cajitas de carácter caben en una diapositiva? (dos filas de 10)
MAX_RIBBON_BYTES = 24  # ¿cuántos bytes de la «cinta» de bits mostramos? (dos líneas)
EXAMPLE_TEXT = "¡Hola, Ñandú! 😀"
# colores suaves, uno por carácter (se repiten en ciclo)
SOFT_COLORS = ["#d0e2ff", "#ffd8c2", "#c9f0d3", "#ecd5f5", "#fff0b3", "#c5eef2", "#fcd0de", "#e3e6e9"]
BIDI_CONTROLS = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"


def clamped(value, low: int, high: int, default: int, unit: tuple[str, str] = ()) -> tuple[int, str | None]:
    """Un entero dentro de [low, high] pase lo que pase con la entrada, y un aviso si hubo que cambiarlo.

    ``unit`` es (singular, plural). El aviso va en minúscula para ponerlo detrás de «Ojo: »:
    «Ojo: el máximo es 100 muestras por segundo; uso 100.»
    """
    if value is None:  # nadie eligió nada: el valor de partida, sin aviso
        return default, None
    try:
        number = value if isinstance(value, int) else float(value)
    except (TypeError, ValueError, OverflowError):
        return default, f"«{shorten(str(value))}» no es un número; uso {thousands(default)}."
    if number != number:  # NaN
        return default, f"eso no es un número; uso {thousands(default)}."
    if number > high:
        return high, f"el máximo es {_amount(high, unit)}; uso {thousands(high)}."
    if number < low:
        return low, f"el mínimo es {_amount(low, unit)}; uso {thousands(low)}."
    rounded = int(round(number))
    return rounded, None if rounded == number else f"redondeo {f'{number:g}'.replace('.', ',')} a {rounded}."


def _amount(n: int, unit: tuple[str, str]) -> str:
    return count(n, *unit) if unit else thousands(n)


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


def notes_html(notes: list[str]) -> str:
    items = "".join(f"<li>{html.escape(n)}</li>" for n in notes)
    return f"<ul style='font-size:20px;color:#8a4b00;margin:4px 0'>{items}</ul>" if notes else ""


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


def _mono(text: str) -> str:
    return f"<code style='font-size:0.9em'>{html.escape(text)}</code>"


def size_table(examples: list[str] = SIZE_EXAMPLES) -> str:
    """ASCII ocupa 1 byte; ñ, á, ¿, 2; €, 3; un emoji, 4 (o más, si va pegado a otros)."""
    rows = [[f"<span style='font-size:28px'>{html.escape(r['texto'])}</span>", _mono(r["puntos de código"]),
             _mono(r["bytes"]), f"<b>{r['cuántos bytes']}</b>"] for r in size_rows(examples)]
    return table_html(["se ve", "puntos de código", "bytes UTF-8", "¿cuántos?"], rows)


# ---------------------------------------------------------------- los mismos bytes, otra convención

MAX_READING_BYTES = 8  # ¿cuántos bytes leemos con cada convención? (8 bytes = un número de 64 bits)
READING_EXAMPLE = "año"  # lo que se lee si la caja está vacía


def printable(text: str) -> str:
    """El texto con sus invisibles a la vista (␣ no: el espacio queda espacio; ␀, ↵, RLO sí)."""
    return "".join(visible_char(ch)[0] if _hidden(ch) else ch for ch in text)


def shorten(text: str, limit: int = 40) -> str:
    """Un pedazo de lo que escribieron, para citarlo en un aviso sin llenar la pantalla."""
    return printable(text[:limit]) + ("…" if len(text) > limit else "")


def _hidden(ch: str) -> bool:
    return ch != " " and (ch in INVISIBLE or unicodedata.category(ch) in ("Cc", "Cf", "Cs"))


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
                     _mono(" + ".join(r["puntos de código"])), _mono(r["bytes"]), str(r["caracteres"])])
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


# ---------------------------------------------------------------- números: 8, 16 y 32 bits

WIDTHS = (8, 16, 32)  # ¿cuántos bits tiene la cajita donde guardamos el número?
MAX_DIGITS = 1_000  # más cifras que esto no caben en una diapositiva (ni sirven para el ejemplo)
TOO_BIG = f"Ese número tiene más de {thousands(MAX_DIGITS)} cifras: no cabe en la diapositiva; muestro el 0."


def as_integer(value) -> tuple[int, list[str]]:
    """Lo que llega de la caja de número (vacío, texto, decimal, enorme…) como entero, con avisos.

    Un entero escrito con cifras se lee exacto: pasar por ``float`` redondea (2**64 − 1 se volvería 2**64).
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        return 0, ["La caja está vacía: muestro el 0."]
    number, notes = (value, []) if isinstance(value, int) else _read_number(value)
    if number is None:
        return 0, notes
    if abs(number) >= 10**MAX_DIGITS:
        return 0, [TOO_BIG]
    return number, notes + sign_notes(number)


def _read_number(value) -> tuple[int | None, list[str]]:
    text = str(value).strip()
    if re.fullmatch(r"[+-]?\d+", text):  # solo cifras: un entero exacto, sin pasar por float
        return (None, [TOO_BIG]) if len(text.lstrip("+-")) > MAX_DIGITS else (int(text), [])
    return _from_float(value)


def _from_float(value) -> tuple[int | None, list[str]]:
    """El camino de los decimales (3,7 → 3) y de lo que no es número, con su aviso."""
    try:
        number = float(value)
    except OverflowError:
        return None, ["Ese número es demasiado grande para leerlo: muestro el 0."]
    except (TypeError, ValueError):
        return None, [f"«{shorten(str(value))}» no es un número: muestro el 0."]
    if math.isinf(number) and "inf" not in str(value).lower():  # «1e400»: finito, pero no cabe en un float
        return None, ["Ese número es demasiado grande para leerlo: muestro el 0."]
    if not math.isfinite(number):
        return None, ["Eso no es un número finito: muestro el 0."]
    if number != int(number):
        return int(number), ["Los decimales se guardan con otra convención (punto flotante): uso la parte entera."]
    return int(number), []


def sign_notes(n: int) -> list[str]:
    """Cómo se guarda un negativo: complemento a dos, contado en la cajita más chica donde cabe."""
    if n >= 0:
        return []
    width = next((w for w in WIDTHS if n >= -(2 ** (w - 1))), None)
    if width is None:
        return ["Los negativos se guardan con signo (complemento a dos): el primer bit vale negativo. "
                "Este no cabe ni en 32 bits."]
    top = 2 ** (width - 1)
    return [f"Los negativos se guardan con signo (complemento a dos): en {width} bits el primer bit vale "
            f"{thousands(-top)} y los demás suman como siempre: {thousands(-top)} + {thousands(n + top)} = "
            f"{thousands(n)}."]


def fit(n: int, width: int) -> dict:
    """Qué queda guardado si metemos ``n`` en ``width`` bits: los bits de más se pierden.

    Un número desde 0 va en una cajita sin signo (0 … 2**width − 1); un negativo, en una con
    signo (complemento a dos: −2**(width−1) … 2**(width−1) − 1), donde el primer bit dice «negativo».
    """
    signed = n < 0
    low, high = (-(2 ** (width - 1)), 2 ** (width - 1) - 1) if signed else (0, 2**width - 1)
    raw = n % 2**width  # solo los últimos ``width`` bits
    stored = raw - 2**width if signed and raw > high else raw
    return {"bits": width, "con signo": signed, "mínimo": low, "máximo": high, "guardado": stored,
            "binario": f"{raw:0{width}b}", "desborda": not low <= n <= high}


def number_rows(n: int) -> list[dict]:
    return [fit(n, width) for width in WIDTHS]


def headline(n: int) -> str:
    """La primera línea: el número en binario (o, si es negativo, cómo se guarda)."""
    if n < 0:
        return f"{thousands(n)} es negativo: se guarda con signo (complemento a dos)"
    return f"{thousands(n)} en binario: {n:b}" if n < 2**64 else f"{thousands(n)} en binario: (más de 64 bits)"


def verdict(row: dict) -> str:
    return f"¡no cabe! queda {thousands(row['guardado'])}" if row["desborda"] else "cabe"


def limits(row: dict) -> str:
    kind = "con signo" if row["con signo"] else "sin signo"
    return f"{kind}: de {thousands(row['mínimo'])} a {thousands(row['máximo'])}"


def _grouped_bits(binary: str) -> str:
    """Bits de a 8, con los unos marcados: así se ve cada byte."""
    groups = [binary[i : i + 8] for i in range(0, len(binary), 8)]
    colored = ["".join("<b style='color:#1f6feb'>1</b>" if b == "1" else "<span style='color:#adb5bd'>0</span>"
                       for b in group) for group in groups]
    return "&nbsp;".join(colored)


def number_html(value) -> str:
    """El número en binario y en cajitas de 8, 16 y 32 bits: si no cabe, se pierden los bits de más."""
    n, notes = as_integer(value)
    title, _, binary = headline(n).partition(": ")
    binary = f": <code style='word-break:break-all'>{binary}</code>" if n >= 0 else ""
    rows = "".join(_number_row(row) for row in number_rows(n))
    return (f"<div style='font-size:20px'><div style='font-size:26px;margin-bottom:8px;word-break:break-all'>"
            f"{title}{binary}</div><table style='border-collapse:collapse'>{rows}</table>"
            f"{notes_html(notes)}</div>")


def _number_row(row: dict) -> str:
    color = "#c2255c" if row["desborda"] else "#2f9e44"
    return (f"<tr><td style='padding:6px 12px'><b>{row['bits']} bits</b><br>"
            f"<span style='font-size:19px;color:#495057'>{limits(row)}</span></td>"
            f"<td style='padding:6px 12px;font-family:ui-monospace,monospace;font-size:20px'>"
            f"{_grouped_bits(row['binario'])}</td>"
            f"<td style='padding:6px 12px'><span style='color:{color}'>{verdict(row)}</span></td></tr>")


# ---------------------------------------------------------------- colores: tres bytes

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
        f"<td style='padding:4px 10px;font-family:ui-monospace,monospace'>{_grouped_bits(row['bits'])}</td></tr>"
        for row in rows)
    return (f"<div style='display:flex;gap:28px;align-items:center;font-size:22px'>"
            f"{color_swatch(*(row['valor'] for row in rows))}<div><div style='font-size:28px'>"
            f"<code>{code}</code> = 3 bytes = 24 bits</div>"
            f"<table style='border-collapse:collapse'>{bars}</table>{notes_html(notes)}</div></div>")


def hex_box_html(text, r, g, b) -> str:
    """El color elegido (r, g, b) y, si lo escrito en la caja #rrggbb no es un color, por qué."""
    _, note = parse_hex(text)
    return color_html(r, g, b, notes=[f"Ojo: {note} Sigo con {hex_code(r, g, b)}."] if note else [])


# ---------------------------------------------------------------- una imagen = una grilla de números

# Una carita de 16×16 dibujada con letras: cámbiala y mira cómo cambian los números.
SPRITE = (
    "................",
    ".....NNNNNN.....",
    "...NNAAAAAANN...",
    "..NAAAAAAAAAAN..",
    ".NAAAAAAAAAAAAN.",
    ".NAAANNAANNAAAN.",
    "NAAAANNAANNAAAAN",
    "NAAAAAAAAAAAAAAN",
    "NARRAAAAAAAARRAN",
    "NAAANAAAAAANAAAN",
    "NAAAANAAAANAAAAN",
    ".NAAAANNNNAAAAN.",
    ".NAAAAAAAAAAAAN.",
    "..NAAAAAAAAAAN..",
    "...NNAAAAAANN...",
    ".....NNNNNN.....",
)
# letra → (número guardado, color RGB, nombre)
PALETTE = {
    ".": (0, (255, 255, 255), "blanco"),
    "N": (1, (33, 37, 41), "negro"),
    "A": (2, (255, 200, 0), "amarillo"),
    "R": (3, (255, 120, 140), "rosado"),
}


def sprite_numbers(sprite=SPRITE) -> list[list[int]]:
    """La imagen tal como se guarda: una grilla de números (un número por píxel)."""
    return [[PALETTE.get(ch, PALETTE["."])[0] for ch in row] for row in sprite]


def sprite_pixels(sprite=SPRITE) -> list[list[tuple[int, int, int]]]:
    colors = {number: rgb for number, rgb, _ in PALETTE.values()}
    return [[colors[n] for n in row] for row in sprite_numbers(sprite)]


def number_grid_html(numbers: list[list[int]], cell_px: int = 26) -> str:
    colors = {number: rgb for number, rgb, _ in PALETTE.values()}
    cells = "".join(
        "<tr>" + "".join(
            f"<td style='width:{cell_px}px;height:{cell_px}px;text-align:center;font-size:19px;padding:0;"
            f"background:rgba{colors.get(n, (255, 255, 255)) + (0.35,)}'>{n}</td>" for n in row) + "</tr>"
        for row in numbers)
    return ("<table style='border-collapse:collapse;font-family:ui-monospace,monospace;line-height:1'>"
            f"{cells}</table>")


def image_html(sprite=SPRITE, width_px: int = 416) -> str:
    """La carita como píxeles y como la grilla de números que hay detrás, más la paleta."""
    numbers = sprite_numbers(sprite)
    height, width = len(numbers), len(numbers[0])
    legend = " · ".join(f"<b>{n}</b> = rgb{rgb} {name}" for n, rgb, name in PALETTE.values())
    image = (f"<img alt='carita de {width}×{height} píxeles' src='{charts.png_data_uri(sprite_pixels(sprite))}' "
             f"style='width:{width_px}px;image-rendering:pixelated;border:1px solid #ccc'/>")
    return (f"<div style='display:flex;gap:32px;align-items:center'>{image}{number_grid_html(numbers)}</div>"
            f"<div style='font-size:20px;margin-top:8px'>{legend}</div>"
            f"<div style='font-size:20px'>{width}×{height} = {width * height} píxeles; con 3 bytes (R, G, B) "
            f"por píxel son {3 * width * height} bytes.</div>")


# ---------------------------------------------------------------- en la terminal


def print_text(text: str) -> None:
    text, notes = clean(text)
    notes += notes_about(text, limit=200)
    for info in describe(text[:200]):
        extra = f"  ({info.name})" if info.name else ""
        print(f"«{info.label}»  {info.code:<8}  bytes: {hex_bytes(info.utf8):<12}  "
              f"bits: {bit_string(info.utf8)}{extra}")
    print(f"\n{size_summary(text)}")
    for note in notes:
        print(f"Ojo: {note}")


def print_number(value) -> None:
    n, notes = as_integer(value)
    print(headline(n))
    for row in number_rows(n):
        print(f"  {row['bits']:>2} bits ({limits(row)}): {row['binario']}  → {verdict(row)}")
    for note in notes:
        print(f"Ojo: {note}")


def print_color(r, g, b, notes: list[str] = ()) -> None:
    rows = color_rows(r, g, b)
    print("Color #" + "".join(row["hex"] for row in rows) + " = 3 bytes = 24 bits")
    for row in rows:
        print(f"  {row['canal']:<10} {row['valor']:>3}  {row['hex']}  {row['bits']}")
    for note in [*notes, *channels(r, g, b)[1]]:
        print(note)


def print_hex(text) -> None:
    rgb, note = parse_hex(text)
    if rgb:
        print_color(*rgb)
    else:
        print(f"Ojo: {note}")


def print_image(sprite=SPRITE) -> None:
    print("La carita, como la guarda el computador (un número por píxel):")
    for row in sprite_numbers(sprite):
        print("  " + " ".join(str(n) for n in row))
    print("Paleta: " + ", ".join(f"{n} = {name} {rgb}" for n, rgb, name in PALETTE.values()))


def main(argv=None) -> int:
    parser = ArgumentParser(description="Texto, números, colores e imágenes como bits.")
    parser.add_argument("texto", nargs="*", help="el texto que quieres ver como bytes y bits")
    parser.add_argument("--numero", help="un número para ver en 8, 16 y 32 bits")
    parser.add_argument("--color", nargs=3, metavar=("R", "G", "B"), help="un color como tres bytes")
    parser.add_argument("--hex", metavar="RRGGBB", help="un color escrito como en la web: e8590c o \"#e8590c\"")
    parser.add_argument("--imagen", action="store_true", help="la carita de 16×16 como grilla de números")
    args = parser.parse_args(argv)
    if args.numero is not None:
        print_number(args.numero)
    if args.color:
        print_color(*args.color)
    if args.hex is not None:
        print_hex(args.hex)
    if args.imagen:
        print_image()
    if args.texto or not (args.numero is not None or args.color or args.hex is not None or args.imagen):
        print_text(" ".join(args.texto) if args.texto else EXAMPLE_TEXT)
    return 0


if __name__ == "__main__":
    sys.exit(main())
