"""Bits en la terminal: texto, números, colores y la carita, como bytes y bits.

Uso:
    python -m demos.bits "ñ"            # cada carácter: punto de código, bytes y bits
    python -m demos.bits --numero 300   # un número en 8, 16 y 32 bits (¿cabe?)
    python -m demos.bits --color 232 89 12
    python -m demos.bits --hex e8590c   # el mismo color, escrito como en la web (#e8590c)
    python -m demos.bits --imagen       # la carita de 16×16 como grilla de números
"""

from __future__ import annotations

import sys

from demos.aula.cli import ArgumentParser
from demos.bits.colors import channels, color_rows, parse_hex
from demos.bits.image import PALETTE, SPRITE, sprite_numbers
from demos.bits.numbers import as_integer, headline, limits, number_rows, verdict
from demos.bits.text import bit_string, describe, hex_bytes, notes_about, size_summary
from demos.formatting import clean

EXAMPLE_TEXT = "¡Hola, Ñandú! 😀"


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
