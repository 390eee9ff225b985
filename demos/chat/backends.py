"""Los tres cerebros del chat y sus errores, dichos en castellano.

- ``Backend``: lo que todo cerebro sabe hacer (decir si está, listar modelos, transmitir).
- ``EmbeddedBackend``: los modelos incluidos, sin red: QuijoteChat (conversa) y QuijoteGPT (continúa).
- ``OllamaBackend``: un servidor Ollama, con el cliente oficial ``ollama``.
- ``OpenAIBackend``: cualquier servidor que hable como OpenAI, con el cliente oficial ``openai``.

Cualquier excepción de esos clientes se traduce con ``friendly_error`` a una frase clara, sin la clave.
Elegir entre ellos (y revisar quién responde) está en ``pick.py``.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from demos import chat_template
from demos.chat import knobs
from demos.chat.messages import plain_messages, redact
from demos.decoding import one_thread, stream
from demos.formatting import count, thousands
from demos.model import load_pretrained

CUT_MARK = " […recortado]"
ENV_HELP = ("Crea un archivo .env junto al taller con la línea «OPENAI_API_KEY=tu-clave» (y OPENAI_BASE_URL "
            "si no es OpenAI), o elige QuijoteChat, que no necesita clave.")


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
    return f"Algo inesperado falló al hablar con {name}. Intenta de nuevo o elige QuijoteChat, que siempre está."


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


CHAT_MODEL, TEXT_MODEL = "quijote-chat", "quijote-gpt"
EMBEDDED_MODELS = {CHAT_MODEL: "QuijoteChat", TEXT_MODEL: "QuijoteGPT"}  # id → nombre; el primero, por defecto
IGNORED_SYSTEM = ("QuijoteChat no usa el mensaje de sistema: nunca vio uno al refinarse, así que se omite "
                  "(míralo en la plantilla, detrás de la cortina).")


@dataclass
class EmbeddedBackend(Backend):
    """Los modelos incluidos, sin red: QuijoteChat (refinado: contesta y cierra su turno) o QuijoteGPT
    (solo continúa el texto de la conversación). Carácter por carácter."""

    name: str = ""
    kind: str = "quijote"
    model: str = CHAT_MODEL
    seed: int | None = None
    local: bool = True  # corre aquí mismo: no hay red que se corte ni servidor que se duerma
    finished: bool | None = None  # ¿la última respuesta cerró su turno sola? (None: todavía no hay)

    def __post_init__(self):
        self.model = self.model or CHAT_MODEL
        if self.model not in EMBEDDED_MODELS:
            raise ChatError(f"No conozco el modelo «{self.model}». Los incluidos son {' y '.join(EMBEDDED_MODELS)}.")
        self.name = self.name or EMBEDDED_MODELS[self.model]

    @property
    def label(self) -> str:
        return self.name

    @property
    def converses(self) -> bool:
        """¿Es el modelo refinado, el que sabe de turnos?"""
        return self.model == CHAT_MODEL

    def models(self) -> list[str]:
        return list(EMBEDDED_MODELS)

    def template(self, messages) -> str | None:
        """El texto exacto que lee QuijoteChat, con sus marcas escritas (QuijoteGPT no usa plantilla)."""
        return chat_template.render(plain_messages(messages), add_generation_prompt=True) if self.converses else None

    def cut_note(self, messages) -> str | None:
        if self.converses and any(m["role"] == "system" for m in plain_messages(messages)):
            return IGNORED_SYSTEM
        return None

    def stream(self, messages, *, temperature: float = 0.8, max_tokens: int = 300) -> Iterator[str]:
        limit = max(1, min(int(max_tokens or knobs.MAX_NEW_CHARS), knobs.MAX_NEW_CHARS))
        temperature = 0.8 if temperature is None else max(float(temperature), 0.0)
        self.finished, self.notes = None, []
        if not self.converses:
            model, tokenizer = load_pretrained()
            prompt = embedded_prompt(messages, model.context_length)
            self.usage = {"prompt_tokens": len(prompt), "note": "1 token = 1 carácter"}
            with one_thread():
                yield from stream(model, tokenizer, prompt, max_new_tokens=limit, temperature=temperature,
                                  seed=self.seed)
            self.finished = False  # QuijoteGPT no sabe de turnos: siempre lo corta el límite
            return
        model, tokenizer = chat_template.load_chat()
        turns = plain_messages(messages)
        self.usage = {"prompt_tokens": len(chat_template.encode(turns, tokenizer, add_generation_prompt=True)[0]),
                      "note": "1 token = 1 carácter o una marca"}
        with one_thread():
            self.finished = yield from chat_template.stream_reply(model, tokenizer, turns, max_chars=limit,
                                                                  temperature=temperature, seed=self.seed)


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
        self.host = self.host or os.environ.get("OLLAMA_HOST") or knobs.DEFAULT_OLLAMA_HOST
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

        read_seconds = read_seconds or knobs.FIRST_DELTA_SECONDS + 2
        connect = min(read_seconds, knobs.CONNECT_SECONDS)
        return ollama.Client(host=self.host, timeout=httpx.Timeout(read_seconds, connect=connect))

    def models(self) -> list[str]:
        listed = self._client(knobs.PROBE_SECONDS * 3).list().models
        return [m.model for m in listed if m.model]

    def available(self) -> bool:
        try:
            names = [m.model for m in self._client(knobs.PROBE_SECONDS).list().models]
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
        self.model = self.model or self.configured_model or knobs.DEFAULT_OPENAI_MODEL

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
                             timeout=read_seconds or knobs.FIRST_DELTA_SECONDS + 2, max_retries=0)

    def available(self) -> bool:
        return self.configured()

    def problem(self) -> str | None:
        """¿Responde el servidor? ``None`` si sí; si no, por qué (en castellano). Envía la clave."""
        if not self.configured():
            return f"Falta OPENAI_API_KEY (o OPENAI_BASE_URL para un servidor local). {ENV_HELP}"
        try:
            with self._client(knobs.PROBE_SECONDS * 3) as client:
                client.models.list()
        except Exception as exc:  # noqa: BLE001 — cualquier falla se explica en castellano
            return None if _status(exc) in (404, 405) else friendly_error(exc, self, started=False)
        return None

    def models(self) -> list[str]:
        with self._client(knobs.PROBE_SECONDS * 3) as client:
            names = sorted(m.id for m in client.models.list())
        chat_names = [n for n in names if not _NOT_CHAT.search(n)]
        return chat_names or names

    def outgoing(self, messages) -> list[dict]:
        """Cada mensaje, como máximo ``knobs.MAX_SENT_CHARS`` caracteres: cada token enviado se paga."""
        limit = knobs.MAX_SENT_CHARS
        keep = limit - len(CUT_MARK)
        return [m if len(m["content"]) <= limit else {**m, "content": m["content"][:keep] + CUT_MARK}
                for m in plain_messages(messages)]

    def cut_note(self, messages) -> str | None:
        cut = sum(len(m["content"]) > knobs.MAX_SENT_CHARS for m in plain_messages(messages))
        if not cut:
            return None
        return (f"Para no gastar de más, a la API le mando como máximo {thousands(knobs.MAX_SENT_CHARS)} "
                f"caracteres por mensaje: recorté {count(cut, 'mensaje', 'mensajes')}.")

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
