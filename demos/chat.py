"""El chat del taller: una sola interfaz para tres «cerebros» y nuestra propia API.

- **QuijoteGPT** (incluido): sin internet ni claves. No «responde»: continúa el texto como
  aprendió de El Quijote. Es la versión 1 de cualquier chat: predecir el siguiente token.
- **Ollama**: modelos abiertos que corren en tu computador (``OLLAMA_HOST``, por defecto
  127.0.0.1:11434), con el cliente oficial ``ollama``.
- **Compatible con OpenAI**: OpenAI, Gemini, Groq, vLLM, LM Studio, el servidor de llama.cpp…
  con el cliente oficial ``openai`` (``OPENAI_API_KEY``, ``OPENAI_BASE_URL``, ``OPENAI_MODEL``).

Las claves se leen del entorno o de un archivo ``.env`` (junto a donde corres el programa) y nunca
se muestran. Ejemplos de ``.env``::

    OPENAI_API_KEY=sk-...                       # OpenAI
    OPENAI_MODEL=gpt-4o-mini

    OPENAI_API_KEY=AIza...                      # Gemini, por su endpoint compatible
    OPENAI_BASE_URL=https://generativelanguage.googleapis.com/v1beta/openai/
    OPENAI_MODEL=gemini-2.0-flash

    OPENAI_API_KEY=gsk_...                      # Groq
    OPENAI_BASE_URL=https://api.groq.com/openai/v1
    OPENAI_MODEL=llama-3.1-8b-instant

    OPENAI_BASE_URL=http://127.0.0.1:1234/v1    # LM Studio (vLLM: :8000/v1; llama.cpp: :8080/v1), sin clave

Uso::

    python -m demos.chat "¿Qué animal da leche y dice mu?"         # elige solo el cerebro
    python -m demos.chat --cerebro ollama --modelo llama3.2:1b "Hola"
    python -m demos.chat serve --port 8000                          # tu propio ChatGPT con API
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import errno
import json
import math
import os
import queue
import re
import socket
import sys
import threading
import time
from collections.abc import AsyncIterator, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from demos.bits import clean
from demos.cli import ArgumentParser
from demos.decoding import one_thread, stream
from demos.formatting import count, decimal, thousands
from demos.model import load_pretrained

# ---------------------------------------------------------------- perillas
MAX_NEW_CHARS = 400  # ¿cuánto escribe QuijoteGPT como máximo por respuesta?
CONNECT_SECONDS = 3.0  # ¿cuánto esperamos a que un servidor acepte la conexión?
FIRST_DELTA_SECONDS = 8.0  # ¿cuánto esperamos el primer pedazo de respuesta?
STALL_SECONDS = 5.0  # ¿cuánto silencio aguantamos a mitad de una respuesta?
SLOW_CHECK_SECONDS = 6.0  # tras el primer pedazo, ¿cuánto esperamos antes de juzgar la velocidad?
MIN_CHARS_PER_SECOND = 3.0  # ¿qué velocidad mínima aceptamos? (una persona lee ~15 caracteres/s)
TURN_SECONDS = 9.0  # plazo de un turno completo (sondeo, resumen y respuesta) para mostrar algo: < 10 s
PROBE_SECONDS = 1.0  # ¿cuánto esperamos al preguntar «¿estás ahí?» a un servidor?
LOCAL_BATCH_SECONDS = 0.01  # el modelo incluido junta sus caracteres de a 10 ms antes de pasarlos
GATHER_SECONDS = 0.03  # el chat muestra el texto en pedazos de ~30 ms: se ve fluir y marimo dibuja menos
MAX_SENT_CHARS = 8_000  # ¿cuántos caracteres por mensaje mandamos, como máximo, a una API que se paga?
DEFAULT_OLLAMA_HOST = "127.0.0.1:11434"
DEFAULT_OPENAI_MODEL = "gpt-4o-mini"
# Una marca invisible (U+2060, «unión de palabras») distingue nuestros avisos de un ⚠️ o un ℹ️ que
# escriba el propio modelo: solo los nuestros se quitan antes de reenviar la conversación.
MARK = "\u2060"
NOTICE = MARK + "⚠️"  # aviso del programa al final de una respuesta: nunca se reenvía al modelo
INFO = MARK + "ℹ️"  # línea informativa del programa (al comienzo o al final): tampoco se reenvía
CUT_MARK = " […recortado]"
CHOICES = {"auto": "Automático", "quijote": "QuijoteGPT (incluido)", "ollama": "Ollama (local)",
           "openai": "Compatible con OpenAI"}
ENV_HELP = ("Crea un archivo .env junto al taller con la línea «OPENAI_API_KEY=tu-clave» (y OPENAI_BASE_URL "
            "si no es OpenAI), o elige QuijoteGPT, que no necesita clave.")


# ---------------------------------------------------------------- mensajes
def _field(item, name, default=None):
    """Lee un campo tanto de diccionarios como de objetos (los mensajes de marimo son objetos)."""
    return item.get(name, default) if isinstance(item, dict) else getattr(item, name, default)


def _parts_text(parts) -> str:
    """Junta las partes de texto (``{"type": "text", "text": …}``); las imágenes y otras se ignoran."""
    texts = [_field(p, "text") for p in parts if _field(p, "type", "text") == "text"]
    return "".join(t for t in texts if isinstance(t, str))


def message_text(message) -> str:
    """El texto de un mensaje: su ``content`` (texto o lista de partes, como en OpenAI) o sus partes
    (marimo). Los «sustitutos» sueltos, que no se pueden enviar en UTF-8, quedan como �."""
    content = _field(message, "content")
    if isinstance(content, list):
        content = _parts_text(content)
    if not (isinstance(content, str) and content):
        content = _parts_text(_field(message, "parts") or []) or ("" if content is None else str(content))
    return clean(content)[0]


def strip_notice(text: str) -> str:
    """Quita nuestros avisos (líneas ℹ️ y todo desde ⚠️, ambos con su marca) para no mandárselos al modelo."""
    lines = [line for line in text.split(NOTICE, 1)[0].split("\n") if not line.startswith(INFO)]
    return "\n".join(lines).strip()


def plain_messages(messages: Iterable) -> list[dict]:
    """Convierte cualquier historial a ``[{"role", "content"}]`` limpio, sin avisos ni vacíos."""
    plain = []
    for message in messages or []:
        role = str(_field(message, "role", "user") or "user")
        text = message_text(message)
        text = strip_notice(text) if role == "assistant" else text
        if text.strip():
            plain.append({"role": role, "content": text})
    return plain


def last_user_text(messages) -> str:
    for message in reversed(list(messages or [])):
        if _field(message, "role") == "user":
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


# ---------------------------------------------------------------- errores en castellano
class ChatError(Exception):
    """Un problema ya explicado en castellano, listo para mostrarse en el chat."""


def _status(exc) -> int | None:
    return getattr(exc, "status_code", None) or getattr(getattr(exc, "response", None), "status_code", None)


def _detail(exc, *secrets: str) -> str:
    """Lo que dijo el servidor (en su idioma), sin claves: solo para errores que no conocemos."""
    body = getattr(exc, "body", None)
    if isinstance(body, dict):
        text = body.get("message") or body.get("error") or json.dumps(body, ensure_ascii=False)
    else:
        text = getattr(exc, "error", None) or getattr(exc, "message", None) or str(exc)
    return redact(str(text), *secrets)[:200]


def rejects_temperature(exc) -> bool:
    """¿El servidor rechazó la temperatura? (los modelos razonadores de OpenAI solo aceptan 1)"""
    return _status(exc) == 400 and "temperature" in _detail(exc).lower()


def _by_status(status: int, backend: Backend) -> str | None:
    """El mensaje para los códigos HTTP que conocemos (sin el detalle en inglés del servidor)."""
    name = backend.name
    if status in (401, 403):
        if isinstance(backend, OpenAIBackend) and not backend.api_key:
            return f"{name} en {backend.where} pide una clave y no hay OPENAI_API_KEY. {ENV_HELP}"
        return (f"{name} rechazó la clave (error {status}). Revisa {backend.key_name} en tu entorno o en el "
                "archivo .env: no la muestro aquí por seguridad.")
    if status == 404:
        return f"{name} no encontró el modelo «{backend.model}» (error 404). Elige otro de la lista."
    if status == 413:
        return f"{name} dice que el mensaje es demasiado largo (error 413). Prueba con la memoria «resumen»."
    if status == 429:
        return f"{name} dice que hay demasiadas peticiones o se acabó el saldo (error 429). Espera un momento."
    if status >= 500:
        return f"{name} tuvo un error interno (HTTP {status}). Intenta de nuevo en un momento."
    return None


def friendly_error(exc: BaseException, backend: Backend, started: bool) -> str:
    """Traduce cualquier excepción de los clientes a un mensaje claro (sin la clave, nunca)."""
    if isinstance(exc, ChatError):
        return str(exc)
    name, where, kind, status = backend.name, backend.where, type(exc).__name__, _status(exc)
    if status == 400 and rejects_temperature(exc):
        return (f"El modelo «{backend.model}» solo acepta temperatura 1 (la de fábrica). Mueve la "
                "temperatura a 1 o elige otro modelo.")
    if status == 400 and re.search(r"context.length|too long", _detail(exc).lower()):
        return (f"La conversación ya no cabe en «{backend.model}» (error 400). Usa la memoria «resumen» o "
                "«sin memoria», o borra el chat.")
    if status is not None and (message := _by_status(status, backend)):
        return message
    if "Timeout" in kind:
        return f"{name} ({where}) no respondió a tiempo. ¿Está muy ocupado? Intenta de nuevo."
    if started and kind in ("ResponseError", "APIError"):
        return f"{name} avisó un error a mitad de la respuesta. Lo que alcanzó a llegar queda arriba."
    if started and ("Connection" in kind or "Protocol" in kind or "Read" in kind):
        return "La conexión se cortó a mitad de la respuesta. Lo que alcanzó a llegar queda arriba."
    if "Connect" in kind or "Connection" in kind:
        local = re.search(r"127\.0\.0\.1|localhost|este computador", where)
        return f"No pude conectarme con {name} en {where}. " + ("¿Está encendido?" if local else "¿Hay internet?")
    if status is not None:
        return (f"{name} respondió con el error HTTP {status}. Lo que dijo el servidor: "
                f"«{_detail(exc, getattr(backend, 'api_key', ''))}»")
    return f"Algo inesperado falló al hablar con {name}. Intenta de nuevo o elige QuijoteGPT, que siempre está."


# ---------------------------------------------------------------- cerebros
@dataclass
class Backend:
    """Lo que todo cerebro sabe hacer: decir si está, listar modelos y transmitir una respuesta.

    ``stream(messages, temperature=, max_tokens=)`` entrega pedazos de texto (deltas) a medida
    que el modelo los escribe. Tras cada llamada, ``usage`` guarda lo que el servidor informó y
    ``notes`` lo que conviene contarle a quien conversa (en castellano).
    """

    name: str = "cerebro"
    kind: str = ""
    model: str = ""
    key_name: str = "la clave"
    local: bool = False
    usage: dict = field(default_factory=dict, repr=False)
    notes: list = field(default_factory=list, repr=False)

    @property
    def where(self) -> str:
        return "este computador"

    @property
    def label(self) -> str:
        return f"{self.name} · {self.model}" if self.model else self.name

    def available(self) -> bool:
        return True

    def models(self) -> list[str]:
        return [self.model] if self.model else []

    def load_client(self) -> None:
        """Importa el cliente (la primera vez tarda): se hace antes de empezar a contar los plazos."""

    def outgoing(self, messages) -> list[dict]:
        """Los mensajes tal como salen hacia el modelo (lo que muestra «detrás de la cortina»)."""
        return plain_messages(messages)

    def cut_note(self, messages) -> str | None:
        """Si ``outgoing`` tuvo que recortar algo, la frase que lo explica."""
        return None

    def stream(self, messages, *, temperature: float = 0.8, max_tokens: int = 300) -> Iterator[str]:
        raise NotImplementedError


@dataclass
class EmbeddedBackend(Backend):
    """QuijoteGPT: continúa el texto de la conversación, carácter por carácter, sin red."""

    name: str = "QuijoteGPT"
    kind: str = "quijote"
    model: str = "quijote-gpt"
    seed: int | None = None
    local: bool = True  # corre aquí mismo: no hay red que se corte ni servidor que se duerma

    def stream(self, messages, *, temperature: float = 0.8, max_tokens: int = 300) -> Iterator[str]:
        model, tokenizer = load_pretrained()
        prompt = embedded_prompt(messages, model.context_length)
        self.usage, self.notes = {"prompt_tokens": len(prompt), "note": "1 token = 1 carácter"}, []
        limit = max(1, min(int(max_tokens or MAX_NEW_CHARS), MAX_NEW_CHARS))
        with one_thread():
            yield from stream(model, tokenizer, prompt, max_new_tokens=limit,
                              temperature=0.8 if temperature is None else max(float(temperature), 0.0),
                              seed=self.seed)


def embedded_prompt(messages, context_length: int | None = None) -> str:
    """Lo que QuijoteGPT recibe: los textos de la conversación, uno por línea, y un salto al final.

    No sabe de roles ni de preguntas: solo ve caracteres, y solo los últimos ``context_length``.
    """
    text = "\n".join(m["content"].strip() for m in plain_messages(messages)) + "\n"
    return text[-context_length:] if context_length else text


@dataclass
class OllamaBackend(Backend):
    """Un servidor Ollama (local o remoto) con el cliente oficial ``ollama`` (lee OLLAMA_API_KEY solo)."""

    name: str = "Ollama"
    kind: str = "ollama"
    key_name: str = "OLLAMA_API_KEY"
    host: str = ""
    configured_model: str = field(default="", repr=False)

    def __post_init__(self):
        self.host = self.host or os.environ.get("OLLAMA_HOST") or DEFAULT_OLLAMA_HOST
        self.configured_model = os.environ.get("OLLAMA_MODEL", "")
        self.model = self.model or self.configured_model

    @property
    def where(self) -> str:
        return self.host

    def load_client(self) -> None:
        import ollama  # noqa: F401

    def _client(self, read_seconds: float | None = None):
        import httpx
        import ollama

        read_seconds = read_seconds or FIRST_DELTA_SECONDS + 2
        connect = min(read_seconds, CONNECT_SECONDS)
        return ollama.Client(host=self.host, timeout=httpx.Timeout(read_seconds, connect=connect))

    def models(self) -> list[str]:
        listed = self._client(PROBE_SECONDS * 3).list().models
        return [m.model for m in listed if m.model]

    def available(self) -> bool:
        try:
            names = [m.model for m in self._client(PROBE_SECONDS).list().models]
        except Exception:
            return False
        self.model = self.model if self.model in names else (names[0] if names else "")
        return bool(names)

    def stream(self, messages, *, temperature: float = 0.8, max_tokens: int = 300) -> Iterator[str]:
        self.usage, self.notes = {}, []
        if not self.model:
            names = self.models()  # si el servidor está apagado, esto ya explica el problema
            if not names:
                raise ChatError(f"Ollama ({self.host}) no tiene modelos. Descarga uno: «ollama pull llama3.2:1b».")
            self.model = names[0]
        options = {"num_predict": int(max_tokens)}
        if temperature is not None:
            options = {"temperature": float(temperature), **options}
        with self._client() as client:
            for part in client.chat(model=self.model, messages=self.outgoing(messages), stream=True,
                                    options=options):
                if part.done:
                    self.usage = {"prompt_tokens": part.prompt_eval_count, "completion_tokens": part.eval_count}
                if part.message.content:
                    yield part.message.content


# modelos que no sirven para conversar (aparecen en /v1/models de OpenAI)
_NOT_CHAT = re.compile(r"embed|tts|whisper|dall-e|moderation|image|audio|realtime|transcribe|search|davinci|babbage")
# lo que cada servidor (dirección, modelo) ya rechazó una vez: no se vuelve a mandar
_REJECTED: dict[tuple[str, str], set[str]] = {}


def _rejected_field(exc, request: dict) -> str | None:
    """¿Qué campo de la petición rechazó el servidor (error 400)? ``None`` si fue otra cosa."""
    text, param = _detail(exc).lower(), str(getattr(exc, "param", None) or "")
    if "max_completion_tokens" in text and "max_tokens" in request:
        return "max_tokens"  # los modelos «razonadores» de OpenAI piden otro nombre para el mismo límite
    for name in ("temperature", "stream_options"):
        if name in request and (param == name or name in text):
            return name
    return None


def _without(request: dict, rejected: set[str]) -> dict:
    """La petición sin lo que el servidor rechaza (y con ``max_completion_tokens`` si lo pide)."""
    request = {k: v for k, v in request.items() if k not in rejected or k == "max_tokens"}
    if "max_tokens" in rejected and "max_tokens" in request:
        request["max_completion_tokens"] = request.pop("max_tokens")
    return request


@dataclass
class OpenAIBackend(Backend):
    """Cualquier servidor que hable como OpenAI, con el cliente oficial ``openai``.

    La clave vive en un atributo que no aparece en ``repr`` ni en ningún mensaje.
    """

    name: str = "API compatible con OpenAI"
    kind: str = "openai"
    key_name: str = "OPENAI_API_KEY"
    base_url: str = ""
    api_key: str = field(default="", repr=False)
    configured_model: str = field(default="", repr=False)

    def __post_init__(self):
        self.base_url = self.base_url or os.environ.get("OPENAI_BASE_URL", "")
        self.api_key = self.api_key or os.environ.get("OPENAI_API_KEY", "")
        self.configured_model = os.environ.get("OPENAI_MODEL", "")
        self.model = self.model or self.configured_model or DEFAULT_OPENAI_MODEL

    @property
    def where(self) -> str:
        return self.base_url or "api.openai.com"

    def configured(self) -> bool:
        return bool(self.api_key or self.base_url)

    def load_client(self) -> None:
        import openai  # noqa: F401

    def _client(self, read_seconds: float | None = None):
        import openai

        # los servidores locales (vLLM, LM Studio, llama.cpp) no piden clave, pero el cliente exige una
        return openai.OpenAI(api_key=self.api_key or "sin-clave", base_url=self.base_url or None,
                             timeout=read_seconds or FIRST_DELTA_SECONDS + 2, max_retries=0)

    def available(self) -> bool:
        return self.configured()

    def problem(self) -> str | None:
        """¿Responde el servidor? ``None`` si sí; si no, por qué (en castellano). Envía la clave."""
        if not self.configured():
            return f"Falta OPENAI_API_KEY (o OPENAI_BASE_URL para un servidor local). {ENV_HELP}"
        try:
            with self._client(PROBE_SECONDS * 3) as client:
                client.models.list()
        except Exception as exc:  # noqa: BLE001 — cualquier falla se explica en castellano
            return None if _status(exc) in (404, 405) else friendly_error(exc, self, started=False)
        return None

    def models(self) -> list[str]:
        with self._client(PROBE_SECONDS * 3) as client:
            names = sorted(m.id for m in client.models.list())
        chat_names = [n for n in names if not _NOT_CHAT.search(n)]
        return chat_names or names

    def outgoing(self, messages) -> list[dict]:
        """Cada mensaje, como máximo ``MAX_SENT_CHARS`` caracteres: cada token enviado se paga."""
        keep = MAX_SENT_CHARS - len(CUT_MARK)
        return [m if len(m["content"]) <= MAX_SENT_CHARS else {**m, "content": m["content"][:keep] + CUT_MARK}
                for m in plain_messages(messages)]

    def cut_note(self, messages) -> str | None:
        cut = sum(len(m["content"]) > MAX_SENT_CHARS for m in plain_messages(messages))
        if not cut:
            return None
        return (f"Para no gastar de más, a la API le mando como máximo {thousands(MAX_SENT_CHARS)} caracteres "
                f"por mensaje: recorté {count(cut, 'mensaje', 'mensajes')}.")

    def _rejected(self) -> set[str]:
        return _REJECTED.setdefault((self.where, self.model), set())

    def _create(self, client, request: dict):
        """Pide la respuesta; si el servidor rechaza un campo conocido, lo quita y vuelve a pedir."""
        import openai

        for _ in range(4):  # a lo más, un reintento por cada campo que se puede quitar
            try:
                return client.chat.completions.create(**_without(request, self._rejected()))
            except openai.BadRequestError as exc:
                rejected = _rejected_field(exc, _without(request, self._rejected()))
                if rejected is None:
                    raise
                self._rejected().add(rejected)
        return client.chat.completions.create(**_without(request, self._rejected()))

    def stream(self, messages, *, temperature: float = 0.8, max_tokens: int = 300) -> Iterator[str]:
        self.usage, self.notes = {}, []
        if not self.configured():
            raise ChatError(f"Falta la clave: no hay OPENAI_API_KEY en el entorno ni en un archivo .env. {ENV_HELP}")
        request = {"model": self.model, "messages": self.outgoing(messages), "stream": True,
                   "max_tokens": int(max_tokens), "stream_options": {"include_usage": True}}
        if temperature is not None:
            request["temperature"] = float(temperature)
        with self._client() as client:
            chunks = self._create(client, request)
            if "temperature" in self._rejected() and temperature is not None and float(temperature) != 1.0:
                self.notes.append(f"El modelo «{self.model}» solo acepta su temperatura de fábrica (1): contestó "
                                  "con esa, así que mover la perilla no cambia nada con este modelo.")
            for chunk in chunks:
                if chunk.usage:  # llega al final, si el servidor acepta «stream_options»
                    self.usage = {"prompt_tokens": chunk.usage.prompt_tokens,
                                  "completion_tokens": chunk.usage.completion_tokens}
                if chunk.choices and chunk.choices[0].delta.content:
                    yield chunk.choices[0].delta.content


def make_backend(choice: str = "quijote", model: str = "") -> Backend:
    """Crea el cerebro pedido (sin conectarse todavía)."""
    load_env()
    if choice == "ollama":
        return OllamaBackend(model=model)
    if choice == "openai":
        return OpenAIBackend(model=model)
    return EmbeddedBackend()


QUIJOTE_ALWAYS = "QuijoteGPT, el modelo incluido, que funciona sin internet"


def pick_backend(choice: str = "auto", model: str = "") -> tuple[Backend, str]:
    """Elige el cerebro y dice cuál en castellano.

    ``auto``: Ollama si responde; si no, la API configurada si responde (se le pregunta por sus
    modelos, con la clave); si no, QuijoteGPT. Así, sin internet, nada se queda esperando a una API.
    """
    if choice != "auto":
        backend = make_backend(choice, model)
        if isinstance(backend, OllamaBackend) and not model:
            backend.available()  # elige el primer modelo del servidor
        return backend, f"Usando {backend.label} ({backend.where})."
    ollama_backend = make_backend("ollama", model)
    if ollama_backend.available():
        return ollama_backend, f"Encontré Ollama en {ollama_backend.host}: uso {ollama_backend.model}."
    api = make_backend("openai", model)
    if not api.configured():
        return EmbeddedBackend(), f"No encontré Ollama ni una clave de API: uso {QUIJOTE_ALWAYS}."
    problem = api.problem()
    if problem is None:
        return api, f"No encontré Ollama, pero hay una API configurada: uso {api.model} en {api.where}."
    return EmbeddedBackend(), f"No encontré Ollama, y la API configurada falló: {problem} Uso {QUIJOTE_ALWAYS}."


@dataclass
class Survey:
    """Qué cerebros responden aquí y ahora (con una frase por cada uno) y cuál elige «Automático»."""

    states: dict[str, tuple[bool, str]]
    auto: str

    def markdown(self) -> str:
        # ✔ y ✘ y no emojis: se ven en cualquier computador, aunque no tenga letra de emojis
        marks = [f"{'✔' if ok else '✘'} **{CHOICES[kind]}**: {text}" for kind, (ok, text) in self.states.items()]
        return "  \n".join(marks + [f"En **Automático** contesta **{CHOICES[self.auto]}**."])


def survey() -> Survey:
    """Revisa los tres cerebros a la vez (Ollama y la API, en paralelo y con plazos cortos). Nunca lanza."""
    def ollama_state() -> tuple[bool, str]:
        backend = make_backend("ollama")
        if backend.available():
            return True, f"responde en {backend.host} (modelo {backend.model})"
        return False, f"no responde en {backend.host}, o no tiene modelos descargados"

    def api_state() -> tuple[bool, str]:
        backend = make_backend("openai")
        if not backend.configured():
            return False, "falta OPENAI_API_KEY (en el entorno o en un archivo .env)"
        problem = backend.problem()
        return (True, f"responde en {backend.where} (modelo {backend.model})") if problem is None else (False, problem)

    with ThreadPoolExecutor(2) as pool:
        ollama_future, api_future = pool.submit(ollama_state), pool.submit(api_state)
        states = {"quijote": (True, "viene con el taller, sin internet ni claves"),
                  "ollama": ollama_future.result(), "openai": api_future.result()}
    auto = next(kind for kind in ("ollama", "openai", "quijote") if states[kind][0])
    return Survey({kind: (ok, redact(text)) for kind, (ok, text) in states.items()}, auto)


# ---------------------------------------------------------------- transmitir sin colgarse
@dataclass
class Deadline:
    """El plazo de un turno del chat, compartido por todas sus llamadas (sondeo, resumen, respuesta)."""

    seconds: float | None = None  # por defecto, TURN_SECONDS (leído al crear el plazo)
    at: float = 0.0

    def __post_init__(self):
        self.seconds = TURN_SECONDS if self.seconds is None else self.seconds
        self.at = self.at or time.monotonic() + self.seconds

    def passed(self) -> bool:
        return time.monotonic() >= self.at


class GuardedStream:
    """Transmite la respuesta de un cerebro desde un hilo aparte, con plazos.

    Nunca lanza excepciones hacia quien lo usa: cualquier falla (servidor apagado, clave mala, error
    500, corte a mitad, silencio, lentitud extrema) termina la respuesta y deja en ``error`` una
    explicación en castellano. Con un ``deadline`` de turno, algo se ve antes de que venza: el primer
    pedazo o el aviso (``whole=True``: la llamada completa debe terminar antes, como un resumen).
    La velocidad se juzga desde el primer pedazo: un modelo que tarda en partir no es lento.
    """

    def __init__(self, backend: Backend, messages, *, temperature: float | None = 0.8, max_tokens: int = 300,
                 deadline: Deadline | None = None, whole: bool = False):
        self.backend, self.deadline, self.whole = backend, deadline, whole
        self.error: str | None = None
        self.text = ""
        self.first_delta_seconds: float | None = None
        self._queue: queue.Queue = queue.Queue()
        self._stop = threading.Event()
        self._done = False
        self._created = self._start = self._last = time.monotonic()
        self._first: float | None = None  # cuándo llegó el primer pedazo
        self._first_chars = 0
        temperature = None if temperature is None else float(temperature)
        args = (list(messages), temperature, int(max_tokens))
        threading.Thread(target=self._pump, args=args, daemon=True).start()

    def _pump(self, messages, temperature, max_tokens) -> None:
        deltas = None
        try:
            self.backend.load_client()
            self._queue.put(("ready", None))
            deltas = self.backend.stream(messages, temperature=temperature, max_tokens=max_tokens)
            self._pass_on(deltas)
            self._queue.put(("end", None))
        except BaseException as exc:  # noqa: BLE001 — toda falla se explica en castellano
            self._queue.put(("error", exc))
        finally:
            close = getattr(deltas, "close", None)
            if close:
                with contextlib.suppress(Exception):
                    close()

    def _pass_on(self, deltas) -> None:
        """Pasa los pedazos a la cola. Los del modelo incluido llegan de a un carácter, más de mil por
        segundo: se juntan de a ~10 ms, porque cada paso por la cola despierta al otro hilo y eso
        cuesta tanto como generar. Los de un servidor pasan apenas llegan (pueden venir con pausas)."""
        pending, sent = "", 0.0
        for delta in deltas:
            if self._stop.is_set():
                break
            pending += delta
            now = time.monotonic()
            if not self.backend.local or now - sent >= LOCAL_BATCH_SECONDS:
                self._queue.put(("delta", pending))
                pending, sent = "", now
        if pending:
            self._queue.put(("delta", pending))

    def cancel(self) -> None:
        self._stop.set()
        self._done = True

    def _finish(self, message: str | None) -> None:
        self.error = message
        self.cancel()

    def _turn_counts(self) -> bool:
        """¿Corre el plazo del turno? Hasta el primer pedazo (o hasta el final, si ``whole``)."""
        return self.deadline is not None and not self.backend.local and (self.whole or not self.text)

    def _limits(self) -> list[float]:
        """Los momentos en que hay que revisar algo: plazos y velocidad."""
        if self.backend.local:
            return []  # el modelo incluido no tiene plazos: aunque el computador esté ocupado, termina
        if not self.text:
            limits = [self._start + FIRST_DELTA_SECONDS]
        else:
            limits = [self._last + STALL_SECONDS]
            if time.monotonic() < self._first + SLOW_CHECK_SECONDS:
                limits.append(self._first + SLOW_CHECK_SECONDS)
        return limits + ([self.deadline.at] if self._turn_counts() else [])

    def _wait(self) -> float:
        """Cuánto esperamos el siguiente pedazo antes de revisar plazos y velocidad."""
        limits = self._limits()
        return min(limits) - time.monotonic() if limits else 3600.0

    def _too_slow(self) -> bool:
        """¿Llega el texto más lento que lo aceptable? Se mide desde el primer pedazo, no desde la petición."""
        if self.backend.local or self._first is None:
            return False
        since = time.monotonic() - self._first
        return since >= SLOW_CHECK_SECONDS and (len(self.text) - self._first_chars) / since < MIN_CHARS_PER_SECOND

    def _on_silence(self) -> None:
        """No llegó nada a tiempo: ¿venció el turno, no contestó, va demasiado lento o se quedó callado?"""
        backend, now = self.backend, time.monotonic()
        if self._turn_counts() and self.deadline.passed():
            self._finish(self._late())
        elif not self.text and now >= self._start + FIRST_DELTA_SECONDS:
            self._finish(f"{backend.name} ({backend.where}) no contestó en {FIRST_DELTA_SECONDS:.0f} segundos. "
                         "¿Está encendido y con el modelo cargado?")
        elif self._too_slow():
            self._slow()
        elif self.text and now - self._last >= STALL_SECONDS:
            self._finish(f"{backend.name} dejó de enviar texto por {STALL_SECONDS:.0f} segundos; corté la "
                         "respuesta. Lo que alcanzó a llegar queda arriba.")

    def _late(self) -> str:
        backend, seconds = self.backend, self.deadline.seconds
        if self.text:
            return (f"{backend.name} no alcanzó a terminar dentro del plazo del turno ({seconds:.0f} segundos); "
                    "corté la llamada.")
        return (f"{backend.name} ({backend.where}) no contestó dentro del plazo del turno ({seconds:.0f} segundos). "
                "¿Está encendido y con el modelo cargado?")

    def _slow(self) -> None:
        since = time.monotonic() - self._first
        chars = len(self.text) - self._first_chars
        self._finish(f"La respuesta llega demasiado lenta ({count(chars, 'carácter', 'caracteres')} en "
                     f"{since:.0f} s desde que empezó); la corté. Prueba con un modelo más pequeño o con QuijoteGPT.")

    def _take(self, kind: str, value) -> str | None:
        """Procesa lo que mandó el hilo; devuelve el texto nuevo, si hay."""
        if kind == "ready":
            self._start = time.monotonic()  # importar el cliente la primera vez no cuenta como espera
        elif kind == "end":
            self._done = True
        elif kind == "error":
            self._finish(friendly_error(value, self.backend, started=bool(self.text)))
        elif value:
            now = time.monotonic()
            if self._first is None:
                self._first, self._first_chars = now, len(value)
                self.first_delta_seconds = now - self._created
            self._last = now
            self.text += value
            if self._too_slow():
                self._slow()
            elif self._turn_counts() and self.deadline.passed():
                self._finish(self._late())  # una llamada que no se ve (un resumen) no puede pasarse del turno
            return value
        return None

    def _drain(self) -> list[str]:
        """Todo lo que ya está en la cola, sin esperar."""
        pieces = []
        while not self._done:
            try:
                kind, value = self._queue.get_nowait()
            except queue.Empty:
                break
            if (text := self._take(kind, value)) is not None:
                pieces.append(text)
        return pieces

    def next_chunk(self, gather_seconds: float = 0.0) -> str | None:
        """El siguiente texto, con lo que llegue en ``gather_seconds`` más; ``None`` cuando termina.

        Mientras junta, duerme en vez de despertar con cada carácter: así el hilo que genera no
        comparte la CPU con quien muestra.
        """
        while not self._done:
            try:
                kind, value = self._queue.get(timeout=max(self._wait(), 0.001))
            except queue.Empty:
                self._on_silence()
                continue
            if (text := self._take(kind, value)) is not None:
                if gather_seconds > 0 and not self._done:
                    time.sleep(gather_seconds)
                return "".join([text, *self._drain()])
        return None

    def __iter__(self) -> Iterator[str]:
        while (chunk := self.next_chunk()) is not None:
            yield chunk


def reply_stream(backend: Backend, messages, *, temperature=0.8, max_tokens=300,
                 gather_seconds: float = 0.0) -> Iterator[str]:
    """Deltas de la respuesta y, al final, los avisos en castellano (si algo falló). Nunca lanza."""
    if note := backend.cut_note(messages):
        yield info_line(note)
    guarded = GuardedStream(backend, messages, temperature=temperature, max_tokens=max_tokens, deadline=Deadline())
    while (chunk := guarded.next_chunk(gather_seconds)) is not None:
        yield chunk
    for note in backend.notes:
        yield info_line(note, at_end=True)
    if guarded.error:
        yield notice(guarded.error)


def complete(backend: Backend, messages, *, temperature=0.8, max_tokens=300,
             deadline: Deadline | None = None) -> tuple[str, str | None]:
    """La respuesta completa y el error en castellano (o ``None``). Para llamadas encadenadas."""
    guarded = GuardedStream(backend, messages, temperature=temperature, max_tokens=max_tokens,
                            deadline=deadline, whole=True)
    text = "".join(guarded)
    return text, guarded.error


def embedded_reply(messages, config=None) -> Iterator[str]:
    """Para la caja de chat (``demos.chat_ui``): QuijoteGPT continúa el último mensaje del usuario
    (versión 1 del chat)."""
    temperature = _field(config, "temperature", 0.8) if config is not None else 0.8
    max_tokens = _field(config, "max_tokens", MAX_NEW_CHARS) if config is not None else MAX_NEW_CHARS
    last = [{"role": "user", "content": last_user_text(messages)}]
    yield from reply_stream(EmbeddedBackend(), last, temperature=0.8 if temperature is None else temperature,
                            max_tokens=max_tokens or MAX_NEW_CHARS, gather_seconds=GATHER_SECONDS)


# ---------------------------------------------------------------- el chat del notebook
def _configured_first(names: list[str], backend: Backend) -> list[str]:
    """La lista de modelos con el configurado (OPENAI_MODEL, OLLAMA_MODEL) primero: es el que se elige solo."""
    wanted = getattr(backend, "configured_model", "") or backend.model
    if wanted in names:
        return [wanted] + [n for n in names if n != wanted]
    if isinstance(backend, OpenAIBackend) and getattr(backend, "configured_model", ""):
        return [wanted, *names]  # se configuró a mano: vale aunque el servidor lo liste con otro nombre
    return names


def list_models(choice: str) -> tuple[list[str], str]:
    """Los modelos que ofrece un cerebro (el configurado primero) y una frase sobre su estado. Nunca lanza."""
    if choice in ("auto", "quijote"):
        backend, said = pick_backend(choice) if choice == "auto" else (EmbeddedBackend(), "")
        names = backend.models() if isinstance(backend, EmbeddedBackend) else _safe_models(backend)
        return _configured_first(names, backend) or [backend.model], said or (
            "QuijoteGPT viene con el taller: no necesita internet.")
    backend = make_backend(choice)
    if isinstance(backend, OpenAIBackend) and not backend.configured():
        return [], f"Falta OPENAI_API_KEY (o OPENAI_BASE_URL para un servidor local). {ENV_HELP}"
    names = _safe_models(backend)
    if names:
        said = f"{backend.name} en {backend.where}: {count(len(names), 'modelo', 'modelos')}."
        missing = getattr(backend, "configured_model", "")
        if isinstance(backend, OllamaBackend) and missing and missing not in names:
            said += f" OLLAMA_MODEL dice «{missing}», pero no está descargado: «ollama pull {missing}»."
        return _configured_first(names, backend), said
    if isinstance(backend, OpenAIBackend):
        return [backend.model], f"No pude listar los modelos de {backend.where}; uso «{backend.model}»."
    return [], f"{backend.name} no responde en {backend.where}, o no tiene modelos descargados."


def _safe_models(backend: Backend) -> list[str]:
    try:
        return backend.models()
    except Exception:
        return []


class ChatSession:
    """El chat del notebook: lee los controles en el momento de cada mensaje y anota qué se envió.

    Los controles se registran con ``use(backend=…, model=…, temperature=…, strategy=…, system=…)``
    (elementos de marimo o valores simples). Así, mover un control no borra la conversación; borrar
    la conversación en la caja de chat sí empieza de cero lo que se anotó (``turns``) y los resúmenes.
    """

    def __init__(self, max_tokens: int = 300):
        from demos import memory

        self.controls: dict = {}
        self.turns: list[list] = []  # por turno, las llamadas hechas (memory.Call)
        self.summaries = memory.Summaries()
        self.max_tokens = max_tokens
        self._told = False
        self._history: list[dict] | None = None  # la conversación que llegó en el turno anterior

    def use(self, **controls) -> ChatSession:
        self.controls.update(controls)
        return self

    def setting(self, name: str, default=None):
        value = getattr(self.controls.get(name), "value", self.controls.get(name))
        return default if value in (None, "") else value

    def backend(self) -> tuple[Backend, str | None]:
        """El cerebro elegido en los controles y, si se eligió en automático, la frase que dice cuál."""
        choice, model = self.setting("backend", "quijote"), self.setting("model", "")
        if choice == "auto":
            return pick_backend("auto")
        return make_backend(choice, model), None

    def reset(self) -> None:
        from demos import memory

        self.turns, self.summaries, self._told = [], memory.Summaries(), False

    def _follow(self, history: list[dict]) -> None:
        """¿Sigue la conversación anterior? Si en marimo se borró el chat (o un mensaje), se empieza de cero."""
        previous, self._history = self._history, history
        if previous is None:
            return
        if history == previous:
            if self.turns:
                self.turns.pop()  # el mismo pedido otra vez: se rehace el último turno
        elif history[: len(previous)] != previous:
            self.reset()

    def sync(self, messages) -> None:
        """Lo que la caja de chat muestra ahora: si se borró (o se borró un mensaje), se empieza de cero.

        Así «detrás de la cortina» se vacía en cuanto se borra el chat, sin esperar al próximo mensaje.
        """
        shown = plain_messages(messages)
        if self._history is not None and shown[: len(self._history)] != self._history:
            self.reset()
            self._history = None

    def speaker_kind(self, choice: str, auto_kind: str = "quijote") -> str:
        """Qué cerebro contesta: el elegido o, en automático, el que respondió el último turno
        (antes del primero, ``auto_kind``: lo que eligió ``survey``)."""
        if choice != "auto":
            return choice
        answered = [c.kind for c in self.last_turn if c.purpose == "respuesta" and c.reply and c.kind]
        return answered[-1] if answered else auto_kind

    async def reply(self, messages, config=None) -> AsyncIterator[str]:
        """Para la caja de chat (``demos.chat_ui``): arma el paquete según la estrategia y transmite la respuesta.

        Todo el turno (sondeo en automático, resumen y respuesta) comparte un plazo: antes de
        ``TURN_SECONDS`` se ve la respuesta o un aviso en castellano.
        """
        history = plain_messages(messages)
        if not history or history[-1]["role"] != "user":
            yield f"{NOTICE} Escribe un mensaje para empezar."
            return
        self._follow(history)
        deadline = Deadline()
        settings = (self.setting("strategy", "historial completo"), str(self.setting("system", "")),
                    float(self.setting("temperature", 0.8)))
        backend, said = await asyncio.to_thread(self.backend)
        auto = said is not None
        if auto and isinstance(backend, EmbeddedBackend) and not self._told:
            self._told = True  # una vez basta: no hay Ollama ni una API que responda, contesta el modelo incluido
            yield info_line(said)
        async for chunk in self._turn(backend, history, *settings, deadline, quiet=auto):
            yield chunk
        answer = self.last_turn[-1]
        if auto and answer.error and not answer.reply:
            # en automático, si nadie más contesta, contesta el modelo incluido (el aviso va en una línea ℹ️)
            yield info_line(f"{answer.error} Contesta QuijoteGPT, el modelo incluido:")
            async for chunk in self._turn(EmbeddedBackend(), history, *settings, deadline, append=True):
                yield chunk
        elif auto and answer.error:
            yield notice(answer.error)

    async def _turn(self, backend, history, strategy, system, temperature, deadline, append=False,
                    quiet=False) -> AsyncIterator[str]:
        """Un turno con un cerebro: resumen si hace falta, y la respuesta. ``quiet``: el error no se muestra."""
        from demos import memory

        before, payload = await asyncio.to_thread(memory.prepare_turn, backend, history, strategy, system,
                                                  self.summaries, deadline=deadline)
        sent = backend.outgoing(payload)
        answer = memory.new_call(backend, sent, "respuesta", estrategia=strategy, temperatura=temperature)
        if append and self.turns:
            self.turns[-1] += before + [answer]
        else:
            self.turns.append(before + [answer])
        if note := backend.cut_note(payload):
            yield info_line(note)
        failed = [c for c in before if c.error]
        if failed:
            answer.error = f"No pude pedir el resumen: {failed[0].error}"
        else:
            async for chunk in self._answer(backend, sent, temperature, deadline, answer):
                yield chunk
        if answer.error and not quiet:
            yield notice(answer.error)

    async def _answer(self, backend, sent, temperature, deadline, answer) -> AsyncIterator[str]:
        """Transmite la respuesta en pedazos de ~30 ms y anota en ``answer`` lo que volvió."""
        guarded = GuardedStream(backend, sent, temperature=temperature, max_tokens=self.max_tokens,
                                deadline=deadline)
        try:
            while (chunk := await asyncio.to_thread(guarded.next_chunk, GATHER_SECONDS)) is not None:
                answer.reply += chunk
                yield chunk
        finally:
            guarded.cancel()
        answer.error = guarded.error
        answer.reported_tokens = None if answer.context_length else backend.usage.get("prompt_tokens")
        for note in backend.notes:
            yield info_line(note, at_end=True)

    @property
    def last_turn(self) -> list:
        return self.turns[-1] if self.turns else []


# ---------------------------------------------------------------- nuestra propia API
MODEL_ID = "quijote-gpt"
MAX_API_TOKENS = 2000
ROUTES_HELP = "Las rutas son GET /v1/models y POST /v1/chat/completions."


class BadRequest(ValueError):
    """Una petición a nuestra API que no se puede atender, explicada en castellano (error 400)."""

    def __init__(self, message: str, param: str | None = None):
        super().__init__(message)
        self.param = param


def _number(body: dict, name: str, default: float, low: float, high: float) -> float:
    value = body.get(name)
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise BadRequest(f"«{name}» debe ser un número.", name)
    if not low <= value <= high:
        raise BadRequest(f"«{name}» debe estar entre {decimal(low, 0)} y {decimal(high, 0)}.", name)
    return float(value)


def _integer(body: dict, name: str) -> int | None:
    """Un entero (acepta 5.0, no «abc», ni 1e400, ni true)."""
    value = body.get(name)
    if value is None:
        return None
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise BadRequest(f"«{name}» debe ser un número entero.", name)
    return value


def _checked_messages(body: dict) -> list:
    messages = body.get("messages")
    if not isinstance(messages, list) or not messages or not all(isinstance(m, dict) for m in messages):
        raise BadRequest("Falta «messages»: una lista de mensajes con «role» y «content».", "messages")
    for message in messages:
        content = message.get("content")
        if not (content is None or isinstance(content, str | list)):
            raise BadRequest("Cada «content» debe ser un texto o una lista de partes con «text».", "messages")
    return messages


def parse_completion(body, default_temperature: float = 0.8) -> dict:
    """Valida el cuerpo de ``/v1/chat/completions`` como lo haría OpenAI (lanza ``BadRequest``)."""
    if not isinstance(body, dict):
        raise BadRequest("El cuerpo debe ser un objeto JSON con «messages».")
    messages = _checked_messages(body)
    temperature = _number(body, "temperature", default_temperature, 0.0, 2.0)
    limits = [(name, _integer(body, name)) for name in ("max_completion_tokens", "max_tokens")]
    name, limit = next(((n, v) for n, v in limits if v is not None), ("max_tokens", 200))
    if limit < 1:
        raise BadRequest(f"«{name}» debe ser al menos 1.", name)
    seed = _integer(body, "seed")
    if not isinstance(body.get("stream", False), bool | None):
        raise BadRequest("«stream» debe ser true o false.", "stream")
    return {"messages": messages, "temperature": temperature, "max_tokens": min(limit, MAX_API_TOKENS),
            # torch acepta semillas de 64 bits: cualquier entero se lleva a ese rango, siempre igual
            "seed": None if seed is None else seed % 2**63, "stream": bool(body.get("stream"))}


def api_error(message: str, status: int = 400, kind: str = "invalid_request_error", param: str | None = None):
    """Un error con la forma de los de OpenAI (los clientes lo leen así), en castellano."""
    from starlette.responses import JSONResponse

    return JSONResponse({"error": {"message": message, "type": kind, "param": param, "code": None}},
                        status_code=status)


def create_app(default_temperature: float = 0.8):
    """Una aplicación web (starlette) que sirve QuijoteGPT con el protocolo de OpenAI."""
    from starlette.applications import Starlette
    from starlette.responses import JSONResponse, StreamingResponse
    from starlette.routing import Route

    async def models(request):
        return JSONResponse({"object": "list", "data": [
            {"id": MODEL_ID, "object": "model", "created": 1_700_000_000, "owned_by": "taller"}]})

    async def completions(request):
        try:
            params = parse_completion(json.loads(await request.body() or b"null"), default_temperature)
        except (json.JSONDecodeError, UnicodeDecodeError, RecursionError):
            return api_error("El cuerpo no es JSON válido.")
        except BadRequest as exc:
            return api_error(str(exc), param=exc.param)
        backend = EmbeddedBackend(seed=params["seed"])
        deltas = backend.stream(params["messages"], temperature=params["temperature"],
                                max_tokens=params["max_tokens"])
        head = {"id": f"chatcmpl-{time.time_ns():x}", "created": int(time.time()), "model": MODEL_ID}
        if params["stream"]:
            return StreamingResponse(_sse(deltas, head), media_type="text/event-stream")
        text = await asyncio.to_thread(lambda: "".join(deltas))
        prompt_tokens = backend.usage.get("prompt_tokens", 0)
        return JSONResponse({**head, "object": "chat.completion", "choices": [
            {"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "length"}],
            "usage": {"prompt_tokens": prompt_tokens, "completion_tokens": len(text),
                      "total_tokens": prompt_tokens + len(text)}})

    async def not_found(request, exc):
        return api_error(f"No existe la ruta «{request.url.path}». {ROUTES_HELP}", 404, "not_found")

    async def not_allowed(request, exc):
        return api_error(f"La ruta «{request.url.path}» no acepta {request.method}. {ROUTES_HELP}", 405)

    async def failed(request, exc):
        return api_error("Algo falló dentro del servidor del taller. Intenta de nuevo.", 500, "server_error")

    return Starlette(routes=[Route("/v1/models", models, methods=["GET"]),
                             Route("/v1/chat/completions", completions, methods=["POST"])],
                     exception_handlers={404: not_found, 405: not_allowed, Exception: failed})


def _sse(deltas: Iterator[str], head: dict) -> Iterator[str]:
    """Eventos SSE como los de OpenAI: un ``chat.completion.chunk`` por pedazo y ``[DONE]`` al final.

    Si algo falla a mitad, el flujo termina con un evento de error (como hace OpenAI), no cortado.
    """
    def event(delta: dict, finish=None) -> str:
        choice = {"index": 0, "delta": delta, "finish_reason": finish}
        data = {**head, "object": "chat.completion.chunk", "choices": [choice]}
        return f"data: {json.dumps(data, ensure_ascii=False)}\n\n"

    yield event({"role": "assistant", "content": ""})
    try:
        for delta in deltas:
            yield event({"content": delta})
    except Exception:  # noqa: BLE001 — se avisa en el mismo protocolo
        failure = {"error": {"message": "QuijoteGPT falló a mitad de la respuesta.", "type": "server_error",
                             "param": None, "code": None}}
        yield f"data: {json.dumps(failure, ensure_ascii=False)}\n\n"
        return
    yield event({}, "length")
    yield "data: [DONE]\n\n"


class ApiServer:
    """Nuestra API corriendo en un hilo, en 127.0.0.1 y un puerto libre (para la diapositiva)."""

    def __init__(self):
        import uvicorn

        self._socket = bind_port(0)
        self.url = f"http://127.0.0.1:{self._socket.getsockname()[1]}/v1"
        config = uvicorn.Config(create_app(), log_level="warning", lifespan="off")
        self._server = uvicorn.Server(config)
        threading.Thread(target=self._server.run, kwargs={"sockets": [self._socket]}, daemon=True).start()
        deadline = time.monotonic() + 10
        while not self._server.started and time.monotonic() < deadline:
            time.sleep(0.02)

    def ask(self, question: str, max_tokens: int = 200) -> str:
        """Le pregunta a nuestra API con el cliente oficial de OpenAI, como a cualquier otra."""
        import openai

        client = openai.OpenAI(base_url=self.url, api_key="no-hace-falta", max_retries=0, timeout=30)
        answer = client.chat.completions.create(model=MODEL_ID, max_tokens=max_tokens,
                                                messages=[{"role": "user", "content": question}])
        return answer.choices[0].message.content

    def stop(self) -> None:
        self._server.should_exit = True


_local_api: ApiServer | None = None


def local_api() -> ApiServer:
    """La API del taller en este mismo proceso (se enciende una sola vez)."""
    global _local_api
    if _local_api is None:
        _local_api = ApiServer()
    return _local_api


def bind_port(port: int) -> socket.socket:
    """Abre el puerto en 127.0.0.1 antes de anunciar nada (lanza ``ChatError`` en castellano)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(("127.0.0.1", port))
    except OSError as exc:
        sock.close()
        if exc.errno == errno.EADDRINUSE:
            raise ChatError(f"El puerto {port} ya está en uso (¿quedó encendido otro servidor?). Elige otro: "
                            f"python -m demos.chat serve --port {port + 1}") from None
        if exc.errno == errno.EACCES:
            raise ChatError(f"No tengo permiso para usar el puerto {port} (los menores que 1024 piden ser "
                            "administrador). Usa uno mayor, como 8000.") from None
        raise ChatError(f"No pude abrir el puerto {port} en 127.0.0.1 (error del sistema {exc.errno}).") from None
    return sock


def serve(port: int = 8000) -> int:
    """Sirve nuestra API hasta Ctrl+C. Devuelve el código de salida (1 si el puerto no se pudo abrir)."""
    import uvicorn

    try:
        sock = bind_port(port)
    except ChatError as exc:
        print(exc, file=sys.stderr)
        return 1
    print(f"Tu propio ChatGPT escucha en http://127.0.0.1:{port}/v1 (Ctrl+C para apagarlo).\n"
          "Pruébalo desde Python:\n"
          "    from openai import OpenAI\n"
          f"    cliente = OpenAI(base_url=\"http://127.0.0.1:{port}/v1\", api_key=\"no-hace-falta\")\n"
          "    r = cliente.chat.completions.create(model=\"quijote-gpt\",\n"
          "            messages=[{\"role\": \"user\", \"content\": \"En un lugar de la Mancha\"}])\n"
          "    print(r.choices[0].message.content)", flush=True)
    uvicorn.Server(uvicorn.Config(create_app(), log_level="warning", lifespan="off")).run(sockets=[sock])
    return 0


# ---------------------------------------------------------------- línea de comandos
def port_number(text: str) -> int:
    """Para ``--port``: un número entre 1 y 65535."""
    try:
        port = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"«{text}» no es un número de puerto") from None
    if not 1 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"el puerto debe estar entre 1 y 65.535, no {text}")
    return port


ENV_EXAMPLES = (__doc__ or "").partition("Ejemplos de ``.env``::")[2].partition("Uso::")[0]


def main(argv: list[str]) -> int:
    if argv[:1] == ["serve"]:
        parser = ArgumentParser(prog="python -m demos.chat serve",
                                description="Sirve QuijoteGPT con la API de OpenAI en 127.0.0.1.")
        parser.add_argument("--port", type=port_number, default=8000, help="el puerto (por defecto, 8000)")
        return serve(parser.parse_args(argv[1:]).port)
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
