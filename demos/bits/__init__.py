"""Bits: todo en un computador es discreto (texto, números, colores, imágenes).

Los mismos bits significan cosas distintas según la CONVENCIÓN con que se leen: los bytes
``c3 b1`` son dos números (195 y 177), o la letra «ñ» en UTF-8, o «Ã±» en Windows-1252.

Uso:
    python -m demos.bits "ñ"            # cada carácter: punto de código, bytes y bits
    python -m demos.bits --numero 300   # un número en 8, 16 y 32 bits (¿cabe?)
    python -m demos.bits --color 232 89 12
    python -m demos.bits --hex e8590c   # el mismo color, escrito como en la web (#e8590c)
    python -m demos.bits --imagen       # la carita de 16×16 como grilla de números

Cada archivo, una pieza::

    text.py         texto → bytes → bits: las cajitas de cada carácter, los avisos y cuántos bytes ocupa
    conventions.py  los mismos bytes leídos con otra convención, y la misma «á» en NFC y en NFD
    numbers.py      un número en 8, 16 y 32 bits (con signo si es negativo) y enteros dentro de un rango
    colors.py       un color = tres bytes: deslizadores, la caja #rrggbb y la paleta
    image.py        una imagen = una grilla de números: la carita de 16×16
    __main__.py     la terminal: python -m demos.bits
"""

from __future__ import annotations

from demos.bits.colors import (
    CHANNELS,
    SWATCHES,
    color_html,
    color_rows,
    hex_box_html,
    hex_code,
    parse_hex,
    with_channel,
)
from demos.bits.conventions import (
    corpus_nfd_note,
    first_bytes,
    mojibake_html,
    normal_forms,
    normal_forms_table,
    readings,
    readings_html,
)
from demos.bits.image import PALETTE, SPRITE, image_html, sprite_numbers
from demos.bits.numbers import as_integer, clamped, fit, number_html
from demos.bits.text import (
    MAX_BOXES,
    SOFT_COLORS,
    bit_string,
    describe_char,
    hex_bytes,
    notes_about,
    notes_html,
    printable,
    size_rows,
    size_table,
    utf8,
    utf8_html,
)
from demos.formatting import thousands

# lo que usan la presentación (``bits.<nombre>``), los benchmarks, «Fotogramas», «Tokens» y las pruebas;
# ``thousands`` es el de demos/formatting.py: la sección «Entrenamiento» lo usa desde aquí
__all__ = ["CHANNELS", "MAX_BOXES", "PALETTE", "SOFT_COLORS", "SPRITE", "SWATCHES", "as_integer", "bit_string",
           "clamped", "color_html", "color_rows", "corpus_nfd_note", "describe_char", "first_bytes", "fit",
           "hex_box_html", "hex_bytes", "hex_code", "image_html", "mojibake_html", "normal_forms",
           "normal_forms_table", "notes_about", "notes_html", "number_html", "parse_hex", "printable", "readings",
           "readings_html", "size_rows", "size_table", "sprite_numbers", "thousands", "utf8", "utf8_html",
           "with_channel"]
