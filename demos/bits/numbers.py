"""Números en binario: el mismo número en cajitas de 8, 16 y 32 bits, y qué se pierde si no cabe.

Los negativos van con signo (complemento a dos). Lo que escriba la sala (vacío, texto, decimales,
un número de mil cifras) se vuelve un entero con un aviso en castellano; ``clamped`` hace lo mismo
para cualquier control con mínimo y máximo (también en «Fotogramas» y «Tokens»).
"""

from __future__ import annotations

import math
import re

from demos.bits.text import notes_html, shorten
from demos.formatting import count, thousands

# ---------------------------------------------------------------- un entero dentro de un rango, pase lo que pase


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


def grouped_bits(binary: str) -> str:
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
            f"{grouped_bits(row['binario'])}</td>"
            f"<td style='padding:6px 12px'><span style='color:{color}'>{verdict(row)}</span></td></tr>")
