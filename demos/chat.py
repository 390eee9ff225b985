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
import json
import os
import queue
import re
import sys
import threading
import time
from collections.abc import AsyncIterator, Iterable, Iterator
from dataclasses import dataclass, field

from demos.model import load_pretrained, stream

# ---------------------------------------------------------------- perillas
MAX_NEW_CHARS = 400  # ¿cuánto escribe QuijoteGPT como máximo por respuesta?
CONNECT_SECONDS = 3.0  # ¿cuánto esperamos a que un servidor acepte la conexión?
FIRST_DELTA_SECONDS = 8.0  # ¿cuánto esperamos el primer pedazo de respuesta?
STALL_SECONDS = 5.0  # ¿cuánto silencio aguantamos a mitad de una respuesta?
SLOW_CHECK_SECONDS = 6.0  # ¿cuándo revisamos si la respuesta llega demasiado lenta?
MIN_CHARS_PER_SECOND = 3.0  # ¿qué velocidad mínima aceptamos? (una persona lee ~15 caracteres/s)
PROBE_SECONDS = 1.0  # ¿cuánto esperamos al preguntar «¿estás ahí?» a un servidor?
DEFAULT_OLLAMA_HOST = "127.0.0.1:11434"
DEFAULT_OPENAI_MODEL = "gpt-4o-mini"
NOTICE = "⚠️"  # marca de los avisos del programa al final de una respuesta: nunca se reenvían al modelo
INFO = "ℹ️"  # marca de una línea informativa al comienzo de una respuesta: tampoco se reenvía
CHOICES = {"auto": "Automático", "quijote": "QuijoteGPT (incluido)", "ollama": "Ollama (local)",
           "openai": "Compatible con OpenAI"}


# ---------------------------------------------------------------- mensajes
def _field(item, name, default=None):
    """Lee un campo tanto de diccionarios como de objetos (los mensajes de marimo son objetos)."""
    return item.get(name, default) if isinstance(item, dict) else getattr(item, name, default)


def message_text(message) -> str:
    """El texto de un mensaje: su ``content`` o, si viene por partes (marimo), sus partes de texto."""
    content = _field(message, "content")
    if isinstance(content, str) and content:
        return content
    parts = [_field(p, "text") for p in (_field(message, "parts") or [])]
    text = "".join(p for p in parts if isinstance(p, str))
    return text or ("" if content is None else str(content))


def strip_notice(text: str) -> str:
    """Quita los avisos del programa (líneas ℹ️ y todo desde ⚠️) para no mandárselos al modelo."""
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


# ---------------------------------------------------------------- claves
_KEY_PATTERN = re.compile(r"(sk-|gsk_|AIza|xai-)[A-Za-z0-9_\-*.]{3,}")


def load_env() -> None:
    """Lee ``.env`` (si existe) sin pisar lo que ya está en el entorno."""
    from dotenv import find_dotenv, load_dotenv

    load_dotenv(find_dotenv(usecwd=True), override=False)


def redact(text: str) -> str:
    """Borra cualquier cosa que parezca una clave (y las claves del entorno) de un texto."""
    text = str(text)
    for name in ("OPENAI_API_KEY", "OLLAMA_API_KEY"):
        secret = os.environ.get(name, "")
        if len(secret) >= 4:
            text = text.replace(secret, "«clave oculta»")
    return _KEY_PATTERN.sub("«clave oculta»", text)


# ---------------------------------------------------------------- errores en castellano
class ChatError(Exception):
    """Un problema ya explicado en castellano, listo para mostrarse en el chat."""


def _status(exc) -> int | None:
    return getattr(exc, "status_code", None) or getattr(getattr(exc, "response", None), "status_code", None)


def _detail(exc) -> str:
    body = getattr(exc, "body", None)
    if isinstance(body, dict):
        text = body.get("message") or body.get("error") or json.dumps(body)
    else:
        text = getattr(exc, "error", None) or getattr(exc, "message", None) or str(exc)
    return redact(str(text))[:200]


def friendly_error(exc: BaseException, backend: Backend, started: bool) -> str:
    """Traduce cualquier excepción de los clientes a un mensaje claro (sin la clave, nunca)."""
    if isinstance(exc, ChatError):
        return str(exc)
    name, where = backend.name, backend.where
    kind = type(exc).__name__
    status = _status(exc)
    detail = _detail(exc)
    if status in (401, 403):
        return (f"{name} rechazó la clave (error {status}). Revisa {backend.key_name} en tu entorno o en el "
                "archivo .env: no la muestro aquí por seguridad.")
    if status == 400 and "temperature" in detail.lower():
        return (f"El modelo «{backend.model}» solo acepta temperatura 1 (la de fábrica). Mueve la "
                "temperatura a 1 o elige otro modelo.")
    if status == 404:
        return f"{name} no encontró el modelo «{backend.model}» (error 404). Elige otro de la lista. Detalle: {detail}"
    if status == 429:
        return f"{name} dice que hay demasiadas peticiones o se acabó el saldo (error 429). Espera un momento."
    if status is not None and status >= 500:
        return f"{name} tuvo un error interno (HTTP {status}). Intenta de nuevo en un momento."
    if "Timeout" in kind:
        return f"{name} ({where}) no respondió a tiempo. ¿Está muy ocupado? Intenta de nuevo."
    if started and kind in ("ResponseError", "APIError"):
        return f"{name} avisó un error a mitad de la respuesta ({detail}). Lo que alcanzó a llegar queda arriba."
    if started and ("Connection" in kind or "Protocol" in kind or "Read" in kind):
        return "La conexión se cortó a mitad de la respuesta. Lo que alcanzó a llegar queda arriba."
    if "Connect" in kind or "Connection" in kind:
        return f"No pude conectarme con {name} en {where}. ¿Está encendido?"
    if status is not None:
        return f"{name} respondió con el error HTTP {status}. Detalle: {detail}"
    return f"Algo falló con {name}: {kind}. Detalle: {detail}"


# ---------------------------------------------------------------- cerebros
@dataclass
class Backend:
    """Lo que todo cerebro sabe hacer: decir si está, listar modelos y transmitir una respuesta.

    ``stream(messages, temperature=, max_tokens=)`` entrega pedazos de texto (deltas) a medida
    que el modelo los escribe. ``usage`` guarda lo que el servidor informó de la última llamada.
    """

    name: str = "cerebro"
    kind: str = ""
    model: str = ""
    key_name: str = "la clave"
    local: bool = False
    usage: dict = field(default_factory=dict, repr=False)

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
        self.usage = {"prompt_tokens": len(prompt), "note": "1 token = 1 carácter"}
        limit = max(1, min(int(max_tokens or MAX_NEW_CHARS), MAX_NEW_CHARS))
        with one_torch_thread():
            yield from stream(model, tokenizer, prompt, max_new_tokens=limit,
                              temperature=0.8 if temperature is None else max(float(temperature), 0.0),
                              seed=self.seed)


_threads_lock = threading.Lock()
_threads_users = 0
_threads_before = 0


@contextlib.contextmanager
def one_torch_thread():
    """Genera con un solo hilo de torch y después deja todo como estaba.

    Un carácter a la vez con un modelo pequeño: repartir cada paso entre varios hilos no acelera,
    y si otro programa ocupa la CPU los hilos se esperan entre sí (medido aquí: 20 contra 400
    caracteres por segundo). Con varias respuestas a la vez, la última en terminar restaura.
    """
    import torch

    global _threads_users, _threads_before
    with _threads_lock:
        if _threads_users == 0:
            _threads_before = torch.get_num_threads()
            torch.set_num_threads(1)
        _threads_users += 1
    try:
        yield
    finally:
        with _threads_lock:
            _threads_users -= 1
            if _threads_users == 0:
                torch.set_num_threads(_threads_before)


def embedded_prompt(messages, context_length: int | None = None) -> str:
    """Lo que QuijoteGPT recibe: los textos de la conversación, uno por línea, y un salto al final.

    No sabe de roles ni de preguntas: solo ve caracteres, y solo los últimos ``context_length``.
    """
    text = "\n".join(m["content"].strip() for m in plain_messages(messages)) + "\n"
    return text[-context_length:] if context_length else text


@dataclass
class OllamaBackend(Backend):
    """Un servidor Ollama (local o remoto) con el cliente oficial ``ollama``."""

    name: str = "Ollama"
    kind: str = "ollama"
    key_name: str = "OLLAMA_API_KEY"
    host: str = ""

    def __post_init__(self):
        self.host = self.host or os.environ.get("OLLAMA_HOST") or DEFAULT_OLLAMA_HOST
        self.model = self.model or os.environ.get("OLLAMA_MODEL", "")

    @property
    def where(self) -> str:
        return self.host

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
        if not self.model:
            names = self.models()  # si el servidor está apagado, esto ya explica el problema
            if not names:
                raise ChatError(f"Ollama ({self.host}) no tiene modelos. Descarga uno: «ollama pull llama3.2:1b».")
            self.model = names[0]
        options = {"temperature": float(temperature), "num_predict": int(max_tokens)}
        with self._client() as client:
            for part in client.chat(model=self.model, messages=plain_messages(messages), stream=True,
                                    options=options):
                if part.done:
                    self.usage = {"prompt_tokens": part.prompt_eval_count, "completion_tokens": part.eval_count}
                if part.message.content:
                    yield part.message.content


# modelos que no sirven para conversar (aparecen en /v1/models de OpenAI)
_NOT_CHAT = re.compile(r"embed|tts|whisper|dall-e|moderation|image|audio|realtime|transcribe|search|davinci|babbage")


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

    def __post_init__(self):
        self.base_url = self.base_url or os.environ.get("OPENAI_BASE_URL", "")
        self.api_key = self.api_key or os.environ.get("OPENAI_API_KEY", "")
        self.model = self.model or os.environ.get("OPENAI_MODEL", "") or DEFAULT_OPENAI_MODEL

    @property
    def where(self) -> str:
        return self.base_url or "api.openai.com"

    def configured(self) -> bool:
        return bool(self.api_key or self.base_url)

    def _client(self, read_seconds: float | None = None):
        import openai

        # los servidores locales (vLLM, LM Studio, llama.cpp) no piden clave, pero el cliente exige una
        return openai.OpenAI(api_key=self.api_key or "sin-clave", base_url=self.base_url or None,
                             timeout=read_seconds or FIRST_DELTA_SECONDS + 2, max_retries=0)

    def available(self) -> bool:
        return self.configured()

    def models(self) -> list[str]:
        names = sorted(m.id for m in self._client(PROBE_SECONDS * 3).models.list())
        chat_names = [n for n in names if not _NOT_CHAT.search(n)]
        return chat_names or names

    def stream(self, messages, *, temperature: float = 0.8, max_tokens: int = 300) -> Iterator[str]:
        import openai

        request = {"model": self.model, "messages": plain_messages(messages), "stream": True,
                   "temperature": float(temperature), "max_tokens": int(max_tokens)}
        with self._client() as client:
            try:
                chunks = client.chat.completions.create(**request)
            except openai.BadRequestError as exc:
                if "max_completion_tokens" not in str(exc):
                    raise
                # los modelos «razonadores» de OpenAI piden otro nombre para el mismo límite
                request["max_completion_tokens"] = request.pop("max_tokens")
                chunks = client.chat.completions.create(**request)
            for chunk in chunks:
                if chunk.usage:
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


def pick_backend(choice: str = "auto", model: str = "") -> tuple[Backend, str]:
    """Elige el cerebro y dice cuál en castellano. ``auto``: Ollama, si no una API con clave, si no QuijoteGPT."""
    if choice != "auto":
        backend = make_backend(choice, model)
        if isinstance(backend, OllamaBackend) and not model:
            backend.available()  # elige el primer modelo del servidor
        return backend, f"Usando {backend.label} ({backend.where})."
    ollama_backend = make_backend("ollama", model)
    if ollama_backend.available():
        return ollama_backend, f"Encontré Ollama en {ollama_backend.host}: uso {ollama_backend.model}."
    api = make_backend("openai", model)
    if api.configured():
        return api, f"No encontré Ollama, pero hay una API configurada: uso {api.model} en {api.where}."
    return EmbeddedBackend(), ("No encontré Ollama ni una clave de API: uso QuijoteGPT, el modelo incluido, "
                               "que funciona sin internet.")


# ---------------------------------------------------------------- transmitir sin colgarse
class GuardedStream:
    """Transmite la respuesta de un cerebro desde un hilo aparte, con plazos.

    Nunca lanza excepciones hacia quien lo usa: cualquier falla (servidor apagado, clave mala, error
    500, corte a mitad, silencio, lentitud extrema) termina la respuesta y deja en ``error`` una
    explicación en castellano. Así el chat contesta algo en menos de 10 segundos, pase lo que pase.
    """

    def __init__(self, backend: Backend, messages, *, temperature: float = 0.8, max_tokens: int = 300):
        self.backend = backend
        self.error: str | None = None
        self.text = ""
        self.first_delta_seconds: float | None = None
        self._queue: queue.Queue = queue.Queue()
        self._stop = threading.Event()
        self._done = False
        self._start = self._last = time.monotonic()
        args = (list(messages), float(temperature), int(max_tokens))
        threading.Thread(target=self._pump, args=args, daemon=True).start()

    def _pump(self, messages, temperature, max_tokens) -> None:
        deltas = None
        try:
            deltas = self.backend.stream(messages, temperature=temperature, max_tokens=max_tokens)
            for delta in deltas:
                if self._stop.is_set():
                    break
                self._queue.put(("delta", delta))
            self._queue.put(("end", None))
        except BaseException as exc:  # noqa: BLE001 — toda falla se explica en castellano
            self._queue.put(("error", exc))
        finally:
            close = getattr(deltas, "close", None)
            if close:
                try:
                    close()
                except Exception:
                    pass

    def cancel(self) -> None:
        self._stop.set()
        self._done = True

    def _finish(self, message: str | None) -> None:
        self.error = message
        self.cancel()

    def _wait(self) -> float:
        """Cuánto esperamos el siguiente pedazo antes de revisar plazos y velocidad."""
        if self.backend.local:
            return 3600.0  # el modelo incluido no tiene plazos: aunque el computador esté ocupado, termina
        now = time.monotonic()
        if not self.text:
            return self._start + FIRST_DELTA_SECONDS - now
        wait = self._last + STALL_SECONDS - now
        slow_check = self._start + SLOW_CHECK_SECONDS - now
        return min(wait, slow_check) if slow_check > 0 else wait

    def _too_slow(self) -> bool:
        if self.backend.local:
            return False
        elapsed = time.monotonic() - self._start
        return elapsed >= SLOW_CHECK_SECONDS and len(self.text) / elapsed < MIN_CHARS_PER_SECOND

    def _on_silence(self) -> None:
        """No llegó nada a tiempo: ¿no contestó, va demasiado lento o se quedó callado?"""
        backend = self.backend
        if not self.text:
            self._finish(f"{backend.name} ({backend.where}) no contestó en {FIRST_DELTA_SECONDS:.0f} segundos. "
                         "¿Está encendido y con el modelo cargado?")
        elif self._too_slow():
            self._slow()
        elif time.monotonic() - self._last >= STALL_SECONDS:
            self._finish(f"{backend.name} dejó de enviar texto por {STALL_SECONDS:.0f} segundos; corté la "
                         "respuesta. Lo que alcanzó a llegar queda arriba.")

    def _take(self, kind: str, value) -> str | None:
        """Procesa lo que mandó el hilo; devuelve el texto nuevo, si hay."""
        if kind == "end":
            self._done = True
        elif kind == "error":
            self._finish(friendly_error(value, self.backend, started=bool(self.text)))
        elif value:
            now = time.monotonic()
            self.first_delta_seconds = self.first_delta_seconds or now - self._start
            self._last = now
            self.text += value
            if self._too_slow():
                self._slow()
            return value
        return None

    def next_chunk(self, gather_seconds: float = 0.0) -> str | None:
        """El siguiente texto (junta lo que llegue en ``gather_seconds`` más); ``None`` cuando termina."""
        pieces: list[str] = []
        until = None
        while not self._done:
            wait = self._wait() if until is None else until - time.monotonic()
            try:
                kind, value = self._queue.get(timeout=max(wait, 0.001))
            except queue.Empty:
                if until is not None:
                    break
                self._on_silence()
                continue
            if (text := self._take(kind, value)) is not None:
                pieces.append(text)
                until = until or time.monotonic() + gather_seconds
        return "".join(pieces) if pieces else None

    def _slow(self) -> None:
        elapsed = time.monotonic() - self._start
        self._finish(f"La respuesta llega demasiado lenta ({len(self.text)} caracteres en {elapsed:.0f} s); "
                     "la corté. Prueba con un modelo más pequeño o con QuijoteGPT.")

    def __iter__(self) -> Iterator[str]:
        while (chunk := self.next_chunk()) is not None:
            yield chunk


def notice(message: str) -> str:
    """Un aviso del programa dentro del chat (con la marca que evita reenviarlo al modelo)."""
    return f"\n\n{NOTICE} {redact(message)}"


def reply_stream(backend: Backend, messages, *, temperature=0.8, max_tokens=300) -> Iterator[str]:
    """Deltas de la respuesta y, si algo falla, un aviso en castellano al final. Nunca lanza."""
    guarded = GuardedStream(backend, messages, temperature=temperature, max_tokens=max_tokens)
    yield from guarded
    if guarded.error:
        yield notice(guarded.error)


def complete(backend: Backend, messages, *, temperature=0.8, max_tokens=300) -> tuple[str, str | None]:
    """La respuesta completa y el error en castellano (o ``None``). Para llamadas encadenadas."""
    guarded = GuardedStream(backend, messages, temperature=temperature, max_tokens=max_tokens)
    text = "".join(guarded)
    return text, guarded.error


def embedded_reply(messages, config=None) -> Iterator[str]:
    """Para ``mo.ui.chat``: QuijoteGPT continúa el último mensaje del usuario (versión 1 del chat)."""
    temperature = _field(config, "temperature", 0.8) if config is not None else 0.8
    max_tokens = _field(config, "max_tokens", MAX_NEW_CHARS) if config is not None else MAX_NEW_CHARS
    last = [{"role": "user", "content": last_user_text(messages)}]
    yield from reply_stream(EmbeddedBackend(), last, temperature=0.8 if temperature is None else temperature,
                            max_tokens=max_tokens or MAX_NEW_CHARS)


# ---------------------------------------------------------------- el chat del notebook
def list_models(choice: str) -> tuple[list[str], str]:
    """Los modelos que ofrece un cerebro y una frase sobre su estado. Nunca lanza."""
    if choice in ("auto", "quijote"):
        backend, said = pick_backend(choice) if choice == "auto" else (EmbeddedBackend(), "")
        names = backend.models() if isinstance(backend, EmbeddedBackend) else _safe_models(backend)
        return names or [backend.model], said or "QuijoteGPT viene con el taller: no necesita internet."
    backend = make_backend(choice)
    if isinstance(backend, OpenAIBackend) and not backend.configured():
        return [], "Falta OPENAI_API_KEY (o OPENAI_BASE_URL para un servidor local) en el entorno o en .env."
    names = _safe_models(backend)
    if names:
        return names, f"{backend.name} en {backend.where}: {len(names)} modelos."
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
    (elementos de marimo o valores simples). Así, mover un control no borra la conversación.
    """

    def __init__(self, max_tokens: int = 300):
        from demos import memory

        self.controls: dict = {}
        self.turns: list[list] = []  # por turno, las llamadas hechas (memory.Call)
        self.summaries = memory.Summaries()
        self.max_tokens = max_tokens
        self._told = False

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

    async def reply(self, messages, config=None) -> AsyncIterator[str]:
        """Para ``mo.ui.chat``: arma el paquete según la estrategia y transmite la respuesta."""
        history = plain_messages(messages)
        if not history or history[-1]["role"] != "user":
            yield f"{NOTICE} Escribe un mensaje para empezar."
            return
        strategy = self.setting("strategy", "historial completo")
        system = str(self.setting("system", ""))
        temperature = float(self.setting("temperature", 0.8))
        backend, said = await asyncio.to_thread(self.backend)
        auto = said is not None
        if auto and isinstance(backend, EmbeddedBackend) and not self._told:
            self._told = True  # una vez basta: no hay Ollama ni clave, contesta el modelo incluido
            yield f"{INFO} {said}\n\n"
        async for chunk in self._turn(backend, history, strategy, system, temperature, quiet=auto):
            yield chunk
        answer = self.last_turn[-1]
        if auto and answer.error and not answer.reply:
            # en automático, si nadie más contesta, contesta el modelo incluido (el aviso va en una línea ℹ️)
            yield f"{INFO} {redact(answer.error)} Contesta QuijoteGPT, el modelo incluido:\n\n"
            async for chunk in self._turn(EmbeddedBackend(), history, strategy, system, temperature, append=True):
                yield chunk
        elif auto and answer.error:
            yield notice(answer.error)

    async def _turn(self, backend, history, strategy, system, temperature, append=False,
                    quiet=False) -> AsyncIterator[str]:
        """Un turno con un cerebro: resumen si hace falta, y la respuesta. ``quiet``: el error no se muestra."""
        from demos import memory

        before, payload = await asyncio.to_thread(memory.prepare_turn, backend, history, strategy, system,
                                                  self.summaries)
        answer = memory.new_call(backend, payload, "respuesta", estrategia=strategy, temperatura=temperature)
        if append and self.turns:
            self.turns[-1] += before + [answer]
        else:
            self.turns.append(before + [answer])
        failed = [c for c in before if c.error]
        if failed:
            answer.error = f"No pude pedir el resumen: {failed[0].error}"
        else:
            guarded = GuardedStream(backend, payload, temperature=temperature, max_tokens=self.max_tokens)
            try:
                while (chunk := await asyncio.to_thread(guarded.next_chunk, 0.03)) is not None:
                    answer.reply += chunk
                    yield chunk
            finally:
                guarded.cancel()
            answer.error = guarded.error
            answer.reported_tokens = None if answer.context_length else backend.usage.get("prompt_tokens")
        if answer.error and not quiet:
            yield notice(answer.error)

    @property
    def last_turn(self) -> list:
        return self.turns[-1] if self.turns else []


# ---------------------------------------------------------------- nuestra propia API
def create_app(default_temperature: float = 0.8):
    """Una aplicación web (starlette) que sirve QuijoteGPT con el protocolo de OpenAI."""
    from starlette.applications import Starlette
    from starlette.responses import JSONResponse, StreamingResponse
    from starlette.routing import Route

    model_id = "quijote-gpt"

    def error(message: str, status: int = 400) -> JSONResponse:
        return JSONResponse({"error": {"message": message, "type": "invalid_request_error", "param": None,
                                       "code": None}}, status_code=status)

    async def models(request):
        return JSONResponse({"object": "list", "data": [
            {"id": model_id, "object": "model", "created": 1_700_000_000, "owned_by": "taller"}]})

    async def completions(request):
        try:
            body = await request.json()
        except (json.JSONDecodeError, UnicodeDecodeError):
            return error("El cuerpo no es JSON válido.")
        messages = body.get("messages") if isinstance(body, dict) else None
        if not isinstance(messages, list) or not messages:
            return error("Falta «messages»: una lista de mensajes con «role» y «content».")
        try:
            temperature = float(body.get("temperature", default_temperature))
            limit = int(body.get("max_completion_tokens") or body.get("max_tokens") or 200)
        except (TypeError, ValueError):
            return error("«temperature» y «max_tokens» deben ser números.")
        backend = EmbeddedBackend(seed=body.get("seed"))
        deltas = backend.stream(messages, temperature=temperature, max_tokens=min(max(limit, 1), 2000))
        head = {"id": f"chatcmpl-{time.time_ns():x}", "created": int(time.time()), "model": model_id}
        if body.get("stream"):
            return StreamingResponse(_sse(deltas, head), media_type="text/event-stream")
        text = await asyncio.to_thread(lambda: "".join(deltas))
        prompt_tokens = backend.usage.get("prompt_tokens", 0)
        return JSONResponse({**head, "object": "chat.completion", "choices": [
            {"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "length"}],
            "usage": {"prompt_tokens": prompt_tokens, "completion_tokens": len(text),
                      "total_tokens": prompt_tokens + len(text)}})

    return Starlette(routes=[Route("/v1/models", models, methods=["GET"]),
                             Route("/v1/chat/completions", completions, methods=["POST"])])


def _sse(deltas: Iterator[str], head: dict) -> Iterator[str]:
    """Eventos SSE como los de OpenAI: un ``chat.completion.chunk`` por pedazo y ``[DONE]`` al final."""
    def event(delta: dict, finish=None) -> str:
        choice = {"index": 0, "delta": delta, "finish_reason": finish}
        data = {**head, "object": "chat.completion.chunk", "choices": [choice]}
        return f"data: {json.dumps(data, ensure_ascii=False)}\n\n"

    yield event({"role": "assistant", "content": ""})
    for delta in deltas:
        yield event({"content": delta})
    yield event({}, "length")
    yield "data: [DONE]\n\n"


class ApiServer:
    """Nuestra API corriendo en un hilo, en 127.0.0.1 y un puerto libre (para la diapositiva)."""

    def __init__(self):
        import socket

        import uvicorn

        self._socket = socket.socket()
        self._socket.bind(("127.0.0.1", 0))
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
        answer = client.chat.completions.create(model="quijote-gpt", max_tokens=max_tokens,
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


def serve(port: int = 8000) -> None:
    import uvicorn

    print(f"Tu propio ChatGPT escucha en http://127.0.0.1:{port}/v1 (Ctrl+C para apagarlo).\n"
          "Pruébalo desde Python:\n"
          "    from openai import OpenAI\n"
          f"    cliente = OpenAI(base_url=\"http://127.0.0.1:{port}/v1\", api_key=\"no-hace-falta\")\n"
          "    r = cliente.chat.completions.create(model=\"quijote-gpt\",\n"
          "            messages=[{\"role\": \"user\", \"content\": \"En un lugar de la Mancha\"}])\n"
          "    print(r.choices[0].message.content)", flush=True)
    uvicorn.run(create_app(), host="127.0.0.1", port=port, log_level="warning")


# ---------------------------------------------------------------- línea de comandos
def main(argv: list[str]) -> int:
    if argv[:1] == ["serve"]:
        parser = argparse.ArgumentParser(prog="python -m demos.chat serve",
                                         description="Sirve QuijoteGPT con la API de OpenAI en 127.0.0.1.")
        parser.add_argument("--port", type=int, default=8000)
        serve(parser.parse_args(argv[1:]).port)
        return 0
    parser = argparse.ArgumentParser(prog="python -m demos.chat", description="Conversa con un modelo.")
    parser.add_argument("pregunta", nargs="*")
    parser.add_argument("--cerebro", choices=list(CHOICES), default="auto")
    parser.add_argument("--modelo", default="")
    parser.add_argument("--temperatura", type=float, default=0.8)
    args = parser.parse_args(argv)
    question = " ".join(args.pregunta) or "¿Qué animal da leche y dice mu?"
    backend, said = pick_backend(args.cerebro, args.modelo)
    print(said)
    print(f"Tú: {question}\n{backend.label}: ", end="", flush=True)
    for delta in reply_stream(backend, [{"role": "user", "content": question}], temperature=args.temperatura):
        print(delta, end="", flush=True)
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
