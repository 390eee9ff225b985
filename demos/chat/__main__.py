"""La línea de comandos del chat: ``python -m demos.chat``.

    python -m demos.chat "¿Qué animal da leche y dice mu?"         # elige solo el cerebro
    python -m demos.chat --cerebro ollama --modelo llama3.2:1b "Hola"
    python -m demos.chat servir --puerto 8000                       # tu propio ChatGPT con API

Las claves y los ejemplos de ``.env`` están en el docstring de ``demos/chat/__init__.py``: ``--help``
los muestra de ahí.
"""

from __future__ import annotations

import argparse
import sys

import demos.chat
from demos.aula.cli import ArgumentParser
from demos.chat.guarded import reply_stream
from demos.chat.messages import MARK
from demos.chat.pick import CHOICES, pick_backend
from demos.chat.server import serve


def port_number(text: str) -> int:
    """Para ``--port``: un número entre 1 y 65535."""
    try:
        port = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"«{text}» no es un número de puerto") from None
    if not 1 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"el puerto debe estar entre 1 y 65.535, no {text}")
    return port


ENV_EXAMPLES = (demos.chat.__doc__ or "").partition("Ejemplos de ``.env``::")[2].partition("Uso::")[0]


def main(argv: list[str]) -> int:
    """Conversa desde la terminal, o sirve nuestra API con ``servir`` (o ``serve``). Devuelve el código de salida."""
    if argv[:1] in (["servir"], ["serve"]):
        parser = ArgumentParser(prog=f"python -m demos.chat {argv[0]}",
                                description="Sirve QuijoteChat (y QuijoteGPT) con la API de OpenAI en 127.0.0.1.")
        parser.add_argument("--puerto", "--port", type=port_number, default=8000, help="el puerto (por defecto, 8000)")
        return serve(parser.parse_args(argv[1:]).puerto)
    parser = ArgumentParser(prog="python -m demos.chat", description="Conversa con un modelo.",
                            formatter_class=argparse.RawDescriptionHelpFormatter,
                            epilog="Las claves van en el entorno o en un archivo .env. Ejemplos:\n" + ENV_EXAMPLES)
    parser.add_argument("pregunta", nargs="*", help="lo que le quieres decir")
    parser.add_argument("--cerebro", choices=list(CHOICES), default="auto", help="quién contesta (auto: elige solo)")
    parser.add_argument("--modelo", default="", help="el nombre del modelo (por defecto, el configurado)")
    parser.add_argument("--temperatura", type=float, default=0.8, help="de 0 a 2 (por defecto, 0,8)")
    args = parser.parse_args(argv)
    question = " ".join(args.pregunta) or "¿Qué animal da leche y dice mu?"
    backend, said = pick_backend(args.cerebro, args.modelo)
    print(said)
    print(f"Tú: {question}\n{backend.label}: ", end="", flush=True)
    for delta in reply_stream(backend, [{"role": "user", "content": question}], temperature=args.temperatura):
        print(delta.replace(MARK, ""), end="", flush=True)
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
