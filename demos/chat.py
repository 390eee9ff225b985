"""El chat del taller, versión 1: QuijoteGPT, el modelo incluido, sin internet ni claves.

QuijoteGPT no «responde»: continúa el texto que le damos, como aprendió de El Quijote.
Esa es justamente la versión 1 de cualquier chat: un modelo que predice el siguiente token.

Uso: ``python -m demos.chat "¿Qué animal da leche y dice mu?"``
"""

from __future__ import annotations

import sys
from collections.abc import Iterator

from demos.model import load_pretrained, stream

MAX_NEW_CHARS = 400  # un límite para que una respuesta no se alargue sin fin


def _field(item, name, default=None):
    """Lee ``role``/``content`` tanto de diccionarios como de los mensajes de marimo."""
    return item.get(name, default) if isinstance(item, dict) else getattr(item, name, default)


def last_user_text(messages) -> str:
    for message in reversed(list(messages)):
        if _field(message, "role") == "user":
            return str(_field(message, "content", "") or "")
    return ""


def embedded_reply(messages, config=None) -> Iterator[str]:
    """Transmite (de a pocos caracteres) la continuación del último mensaje del usuario."""
    temperature = _field(config, "temperature", 0.8) if config is not None else 0.8
    max_tokens = _field(config, "max_tokens", MAX_NEW_CHARS) if config is not None else MAX_NEW_CHARS
    model, tokenizer = load_pretrained()
    prompt = last_user_text(messages).strip() + "\n"
    limit = min(int(max_tokens or MAX_NEW_CHARS), MAX_NEW_CHARS)
    yield from stream(model, tokenizer, prompt, max_new_tokens=limit,
                      temperature=0.8 if temperature is None else temperature)


def main(argv: list[str]) -> int:
    question = " ".join(argv) or "¿Qué animal da leche y dice mu?"
    print(f"Tú: {question}\nQuijoteGPT: ", end="", flush=True)
    for delta in embedded_reply([{"role": "user", "content": question}]):
        print(delta, end="", flush=True)
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
