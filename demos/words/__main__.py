"""En la terminal: ``python -m demos.words rey hambre Rocinante``.

    python -m demos.words rey hambre Rocinante      # las palabras más parecidas a cada una
    python -m demos.words -n 12 amor                # con 12 vecinas en vez de 8
"""

from __future__ import annotations

import argparse
import sys
import time

from demos.aula.cli import ArgumentParser
from demos.formatting import decimal, thousands
from demos.words.cache import quijote_vectors
from demos.words.vectors import NEIGHBOURS, Answer

MOST_NEIGHBOURS = 100


def how_many(text: str) -> int:
    """Para ``-n``: un número entero entre 1 y ``MOST_NEIGHBOURS``."""
    n = int(text) if text.strip().isdecimal() else 0
    if not 1 <= n <= MOST_NEIGHBOURS:
        raise argparse.ArgumentTypeError(f"«{text}» no sirve: va un número entero entre 1 y {MOST_NEIGHBOURS}")
    return n


def build_parser() -> ArgumentParser:
    parser = ArgumentParser(prog="python -m demos.words",
                            description="Las palabras que más se parecen a cada PALABRA, según vectores "
                                        "aprendidos de El Quijote.",
                            epilog="Ejemplo: python -m demos.words rey hambre Rocinante")
    parser.add_argument("palabras", nargs="+", metavar="PALABRA", help="una palabra de El Quijote")
    parser.add_argument("-n", type=how_many, default=NEIGHBOURS, metavar="CUÁNTAS",
                        help=f"cuántas palabras parecidas mostrar (por omisión: {NEIGHBOURS})")
    return parser


def describe(answer: Answer) -> str:
    """La respuesta como texto para la terminal, con una barrita por vecina."""
    lines = [answer.message]
    width = max((len(name) for name, _ in answer.neighbours), default=0)
    for rank, (name, sim) in enumerate(answer.neighbours, 1):
        lines.append(f"  {rank:2d}. {name:<{width}}  {decimal(sim, 2)}  {'█' * round(20 * max(sim, 0.0))}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Muestra las vecinas de cada palabra. 0 si encontró todas, 1 si faltó alguna o El Quijote."""
    args = build_parser().parse_args(argv)
    start = time.perf_counter()
    try:
        vectors = quijote_vectors()
    except (FileNotFoundError, ValueError) as error:
        print(error, file=sys.stderr)
        return 1
    print(f"(vectores listos en {decimal(time.perf_counter() - start, 2)} s: "
          f"{thousands(len(vectors.words))} palabras, {vectors.vectors.shape[1]} números cada una)\n")
    answers = [vectors.neighbours(word, args.n) for word in args.palabras]
    print("\n\n".join(describe(answer) for answer in answers))
    return 0 if all(answer.found for answer in answers) else 1


if __name__ == "__main__":
    sys.exit(main())
