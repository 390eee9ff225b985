"""La línea de comandos en castellano: ``argparse`` con sus mensajes traducidos.

``argparse`` escribe «usage:», «options:» o «invalid float value» en inglés. Sus textos pasan
por ``gettext``, así que basta con darle un traductor propio. Uso, en cada módulo::

    from demos.aula.cli import ArgumentParser
    parser = ArgumentParser(description="…")
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

SPANISH = {
    "usage: ": "uso: ",
    "options": "opciones",
    "positional arguments": "argumentos",
    "show this help message and exit": "muestra esta ayuda y termina",
    "%(prog)s: error: %(message)s\n": "%(prog)s: error: %(message)s\n",
    "argument %(argument_name)s: %(message)s": "en %(argument_name)s: %(message)s",
    "invalid %(type)s value: %(value)r": "%(value)r no es un valor válido (se espera %(type)s)",
    "invalid choice: %(value)r (choose from %(choices)s)": "%(value)r no es una opción (elige entre %(choices)s)",
    "expected one argument": "falta un valor",
    "expected at least one argument": "falta al menos un valor",
    "expected at most one argument": "sobra un valor",
    "expected %s argument": "se esperaba %s valor",
    "expected %s arguments": "se esperaban %s valores",
    "the following arguments are required: %s": "faltan estos argumentos: %s",
    "unrecognized arguments: %s": "no conozco estos argumentos: %s",
    "ambiguous option: %(option)s could match %(matches)s": "la opción %(option)s es ambigua: %(matches)s",
    "not allowed with argument %s": "no se puede usar junto con %s",
    "one of the arguments %s is required": "hace falta uno de estos argumentos: %s",
    "ignored explicit argument %r": "esta opción no lleva valor: %r",
    "can't open '%(filename)s': %(error)s": "no pude abrir «%(filename)s»: %(error)s",
}
# los nombres de tipo que argparse pone en «invalid float value»
TYPE_NAMES = {"float": "un número", "int": "un número entero", "str": "un texto"}


def spanish(text: str) -> str:
    return SPANISH.get(text, text)


def spanish_plural(singular: str, plural: str, n: int) -> str:
    return spanish(singular if n == 1 else plural)


class ArgumentParser(argparse.ArgumentParser):
    """Un ``argparse.ArgumentParser`` que habla castellano y se presenta como se lo llama:
    «uso: python -m demos.bits …» y no «uso: bits.py …»."""

    def __init__(self, *args, prog: str | None = None, **kwargs):
        super().__init__(*args, prog=prog or _module_prog(), add_help=False, **kwargs)
        self.add_argument("-h", "--ayuda", "--help", action="help", help=spanish("show this help message and exit"))

    def _get_value(self, action, arg_string):
        try:
            return super()._get_value(action, arg_string)
        except argparse.ArgumentError as error:
            name = getattr(action.type, "__name__", "")
            if name in TYPE_NAMES:  # «'abc' no es un valor válido (se espera un número)»
                raise argparse.ArgumentError(action, f"{arg_string!r} no es {TYPE_NAMES[name]}") from error
            raise


def _module_prog() -> str | None:
    """«python -m demos.chat» o «python -m demos.aula.handout»: el módulo que se corrió, desde ``demos``."""
    script = Path(sys.argv[0]) if sys.argv and sys.argv[0] else None
    if script is None or script.suffix != ".py" or "demos" not in script.parts[:-1]:
        return None  # lo de siempre: el nombre del programa
    parts = script.with_suffix("").parts
    dotted = parts[len(parts) - 1 - parts[::-1].index("demos"):]
    if dotted[-1] == "__main__":
        dotted = dotted[:-1]
    return "python -m " + ".".join(dotted)


# argparse busca ``_`` y ``ngettext`` en su propio módulo cada vez que arma un mensaje
argparse._ = spanish
argparse.ngettext = spanish_plural
