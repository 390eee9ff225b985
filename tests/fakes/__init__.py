"""Servidores HTTP de verdad, en 127.0.0.1, que imitan a Ollama y a las APIs compatibles con OpenAI.

No son «mocks»: escuchan en un puerto libre, hablan el protocolo real (JSON, NDJSON, SSE) y los
clientes oficiales (``ollama.Client``, ``openai.OpenAI``) se conectan a ellos como a los de verdad.
Cada servidor corre en un hilo aparte (uvicorn + starlette) y se usa como gestor de contexto::

    with FakeOllama() as servidor:
        cliente = ollama.Client(host=servidor.url)

Las fallas se eligen con ``servidor.behaviour`` (ver :class:`Behaviour`), también a mitad de prueba.
"""

from __future__ import annotations

import asyncio
import logging
import math
import re
import socket
import threading
import time
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass, field

import uvicorn

# Palabras con las que se arma la lista de alternativas de cada token (log-probabilidades).
ALTERNATIVES = (
    "el", "la", "de", "que", "y", "en", "un", "una", "los", "se", "no", "por", "con", "su", "para",
    "es", "al", "lo", "como", "más", "pero", "sus", "le", "ya", "o",
)


class StreamCut(Exception):
    """Se lanza dentro de una respuesta en curso para cortar la conexión a mitad de camino."""


@dataclass
class Behaviour:
    """Cómo se porta el servidor en las próximas peticiones (se puede cambiar en cualquier momento).

    - ``status``: si no es ``None``, toda petición de la API responde con ese código HTTP (401, 500…).
    - ``delay_first_byte``: segundos de espera antes de enviar siquiera los encabezados.
    - ``delay_paths``: si no está vacía, esa espera solo se aplica a esas rutas (p. ej. el chat, no la lista).
    - ``chunk_delay``: segundos entre un pedazo y el siguiente al transmitir (flujo lento).
    - ``cut_after``: tras ese número de pedazos se corta la conexión sin cerrar el cuerpo.
    - ``error_after``: tras ese número de pedazos se envía un error dentro del flujo (como Ollama).
    - ``stall_after``: tras ese número de pedazos el servidor se queda callado (sin cerrar la conexión).
    - ``reply``: función ``mensajes -> texto`` que decide la respuesta (determinista).
    """

    status: int | None = None
    delay_first_byte: float = 0.0
    delay_paths: tuple[str, ...] = ()
    chunk_delay: float = 0.0
    cut_after: int | None = None
    error_after: int | None = None
    stall_after: int | None = None
    reply: Callable[[list[dict]], str] | None = None


    def delay_for(self, path: str) -> float:
        """Cuánto esperar antes de contestar en ``path``."""
        return self.delay_first_byte if not self.delay_paths or path in self.delay_paths else 0.0


@dataclass
class Recorded:
    """Una petición tal como llegó: método, ruta, encabezados y cuerpo JSON."""

    method: str
    path: str
    headers: dict[str, str]
    body: dict | None = field(default=None)


def default_reply(messages: Sequence[dict]) -> str:
    """Respuesta determinista: cuenta los mensajes recibidos y cita el último del usuario."""
    users = [m.get("content") or "" for m in messages if m.get("role") == "user"]
    last = str(users[-1]) if users else ""
    return f"Recibí {len(messages)} mensajes. Tu último mensaje dice: «{last[:80]}». Fin."


def split_tokens(text: str) -> list[str]:
    """Parte el texto en «tokens» de juguete: cada palabra con el espacio que la sigue."""
    return re.findall(r"\s*\S+\s*", text) or ([text] if text else [])


def token_logprobs(token: str, temperature: float | None, top: int) -> dict:
    """Log-probabilidades deterministas: el token elegido siempre es el más probable.

    Logits fijos (4.0, 3.5, 3.0, …) divididos por la temperatura y normalizados con log-softmax,
    así que al subir la temperatura la distribución se aplana, como en un modelo real.
    """
    candidates = [token] + [w for w in ALTERNATIVES if w != token.strip()][:19]
    t = 1.0 if temperature is None else max(float(temperature), 1e-3)
    logits = [(4.0 - 0.5 * i) / t for i in range(len(candidates))]
    peak = max(logits)
    log_total = peak + math.log(sum(math.exp(x - peak) for x in logits))
    logprobs = [x - log_total for x in logits]
    entry = {"token": token, "logprob": logprobs[0]}
    if top > 0:
        entry["top_logprobs"] = [
            {"token": c, "logprob": lp} for c, lp in zip(candidates[:top], logprobs[:top], strict=True)
        ]
    return entry


async def paced(chunks: Sequence[bytes], behaviour: Behaviour, error_chunk: bytes | None) -> AsyncIterator[bytes]:
    """Entrega los pedazos con la pausa pedida; corta o mete un error donde ``behaviour`` diga."""
    for i, chunk in enumerate(chunks):
        if behaviour.cut_after is not None and i >= behaviour.cut_after:
            raise StreamCut("corte simulado a mitad de la respuesta")
        if behaviour.error_after is not None and i >= behaviour.error_after and error_chunk is not None:
            yield error_chunk
            return
        if behaviour.stall_after is not None and i >= behaviour.stall_after:
            await asyncio.sleep(3600)  # hasta que el cliente se canse y cierre
        if i and behaviour.chunk_delay:
            await asyncio.sleep(behaviour.chunk_delay)
        yield chunk


class _QuietCuts(logging.Filter):
    """Los cortes simulados y los clientes que se cansan de esperar son a propósito: no ensucian la salida."""

    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        return not isinstance(exc, StreamCut | asyncio.CancelledError)


logging.getLogger("uvicorn.error").addFilter(_QuietCuts())


class BackgroundServer:
    """Sirve una aplicación ASGI en 127.0.0.1 (puerto libre) desde un hilo, mientras dure el ``with``."""

    def __init__(self, app) -> None:
        self.app = app
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self.port = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> BackgroundServer:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", 0))
        self.port = sock.getsockname()[1]
        config = uvicorn.Config(self.app, log_level="warning", lifespan="off", timeout_graceful_shutdown=1)
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, kwargs={"sockets": [sock]}, daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("el servidor de prueba no arrancó")
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.should_exit = True
            self._server.force_exit = True
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
