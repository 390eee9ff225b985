"""Los mensajes del chat: leer cualquier historial, nuestros avisos (⚠️ y ℹ️) y las claves.

- Los historiales llegan de muchas formas (diccionarios de OpenAI, objetos de marimo, partes de
  texto): ``plain_messages`` los deja todos como ``[{"role", "content"}]``.
- Nuestros avisos llevan una marca invisible para no reenviárselos nunca al modelo.
- Las claves se leen del entorno o de ``.env`` y se borran de todo texto que se muestre.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable

from demos.formatting import clean

# Una marca invisible (U+2060, «unión de palabras») distingue nuestros avisos de un ⚠️ o un ℹ️ que
# escriba el propio modelo: solo los nuestros se quitan antes de reenviar la conversación.
MARK = "\u2060"
NOTICE = MARK + "⚠️"  # aviso del programa al final de una respuesta: nunca se reenvía al modelo
INFO = MARK + "ℹ️"  # línea informativa del programa (al comienzo o al final): tampoco se reenvía


# ---------------------------------------------------------------- mensajes
def field_value(item, name, default=None):
    """Lee un campo tanto de diccionarios como de objetos (los mensajes de marimo son objetos)."""
    return item.get(name, default) if isinstance(item, dict) else getattr(item, name, default)


def _parts_text(parts) -> str:
    """Junta las partes de texto (``{"type": "text", "text": …}``); las imágenes y otras se ignoran."""
    texts = [field_value(p, "text") for p in parts if field_value(p, "type", "text") == "text"]
    return "".join(t for t in texts if isinstance(t, str))


def message_text(message) -> str:
    """El texto de un mensaje: su ``content`` (texto o lista de partes, como en OpenAI) o sus partes
    (marimo). Los «sustitutos» sueltos, que no se pueden enviar en UTF-8, quedan como �."""
    content = field_value(message, "content")
    if isinstance(content, list):
        content = _parts_text(content)
    if not (isinstance(content, str) and content):
        content = _parts_text(field_value(message, "parts") or []) or ("" if content is None else str(content))
    return clean(content)[0]


def strip_notice(text: str) -> str:
    """Quita nuestros avisos (líneas ℹ️ y todo desde ⚠️, ambos con su marca) para no mandárselos al modelo."""
    lines = [line for line in text.split(NOTICE, 1)[0].split("\n") if not line.startswith(INFO)]
    return "\n".join(lines).strip()


def plain_messages(messages: Iterable) -> list[dict]:
    """Convierte cualquier historial a ``[{"role", "content"}]`` limpio, sin avisos ni vacíos."""
    plain = []
    for message in messages or []:
        role = str(field_value(message, "role", "user") or "user")
        text = message_text(message)
        text = strip_notice(text) if role == "assistant" else text
        if text.strip():
            plain.append({"role": role, "content": text})
    return plain


def last_user_text(messages) -> str:
    """El texto del último mensaje del usuario (vacío si no hay ninguno)."""
    for message in reversed(list(messages or [])):
        if field_value(message, "role") == "user":
            return message_text(message)
    return ""


def notice(message: str) -> str:
    """Un aviso del programa dentro del chat (con la marca que evita reenviarlo al modelo)."""
    return f"\n\n{NOTICE} {redact(message)}"


def info_line(message: str, at_end: bool = False) -> str:
    """Una línea informativa del programa (tampoco vuelve al modelo)."""
    return f"\n\n{INFO} {redact(message)}" if at_end else f"{INFO} {redact(message)}\n\n"


# ---------------------------------------------------------------- claves
# Solo lo que tiene forma de clave: un prefijo conocido que empieza una palabra y al menos 12
# caracteres más («task-force» o «desk-top» no son claves).
_KEY_PATTERN = re.compile(r"(?<![A-Za-z0-9_\-])(sk-|gsk_|AIza|xai-)[A-Za-z0-9_\-*.]{12,}")
_SECRET_NAMES = ("OPENAI_API_KEY", "OLLAMA_API_KEY")


def load_env() -> None:
    """Lee ``.env`` (si existe) sin pisar lo que ya está en el entorno."""
    from dotenv import find_dotenv, load_dotenv

    load_dotenv(find_dotenv(usecwd=True), override=False)


def redact(text, *secrets: str) -> str:
    """Borra de un texto las claves del entorno, las que se pasen y todo lo que tenga forma de clave."""
    text = str(text)
    for secret in (*secrets, *(os.environ.get(name, "") for name in _SECRET_NAMES)):
        if secret and len(secret) >= 4:
            text = text.replace(secret, "«clave oculta»")
    return _KEY_PATTERN.sub("«clave oculta»", text)

