"""Recálculos de la sección «Bits»: lo que pasa al escribir en la caja o mover un control."""

from demos import bits

_LARGO = "En un lugar de la Mancha 😀 " * 4000  # ~100.000 caracteres pegados en la caja

CASES = {
    "texto → bytes y bits (frase corta)": lambda: bits.utf8_html("¡Hola, Ñandú! 😀 👩‍💻 שלום"),
    "texto → bytes y bits (100.000 caracteres)": lambda: bits.utf8_html(_LARGO),
    "los mismos bytes, otra convención (100.000 caracteres)": lambda: (
        bits.readings_html(bits.first_bytes(_LARGO)), bits.mojibake_html(bits.first_bytes(_LARGO))),
    "número en 8, 16 y 32 bits": lambda: bits.number_html(70_000),
    "número negativo con signo": lambda: bits.number_html(-200),
    "número de 400 cifras": lambda: bits.number_html("9" * 400),
    "color → tres bytes": lambda: bits.color_html(232, 89, 12),
    "color desde la caja #rrggbb": lambda: bits.hex_box_html("#1c7ed6", 28, 126, 214),
}
