"""Nuestra propia API: los modelos incluidos servidos con el protocolo de OpenAI, para cualquier cliente.

``quijote-chat`` (QuijoteChat, el modelo por defecto) contesta y cierra su turno: ``finish_reason`` es
``"stop"``; si llega al límite de ``max_tokens`` antes, ``"length"``. ``quijote-gpt`` (QuijoteGPT) solo
continúa el texto: siempre lo corta el límite.


- ``create_app``: la aplicación web (starlette) con ``GET /v1/models`` y ``POST /v1/chat/completions``,
  que valida las peticiones como OpenAI y contesta sus errores en castellano.
- ``ApiServer`` y ``local_api``: esa API en un hilo de este mismo proceso (para la diapositiva).
- ``serve``: la misma API en la terminal, hasta Ctrl+C (``python -m demos.chat servir --puerto 8000``).
"""

from __future__ import annotations

import asyncio
import errno
import json
import math
import socket
import sys
import threading
import time
from collections.abc import Iterator

from demos.chat.backends import CHAT_MODEL, EMBEDDED_MODELS, ChatError, EmbeddedBackend
from demos.formatting import decimal

MODEL_ID = CHAT_MODEL  # el que contesta si la petición no pide otro
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
    # como el servidor de llama.cpp: un nombre que no es de aquí («gpt-4o-mini» copiado de un ejemplo)
    # no es un error; contesta el modelo por defecto y la respuesta dice cuál fue
    model = body.get("model") if body.get("model") in EMBEDDED_MODELS else MODEL_ID
    if not isinstance(body.get("stream", False), bool | None):
        raise BadRequest("«stream» debe ser true o false.", "stream")
    return {"messages": messages, "model": model, "temperature": temperature, "max_tokens": min(limit, MAX_API_TOKENS),
            # torch acepta semillas de 64 bits: cualquier entero se lleva a ese rango, siempre igual
            "seed": None if seed is None else seed % 2**63, "stream": bool(body.get("stream"))}


def api_error(message: str, status: int = 400, kind: str = "invalid_request_error", param: str | None = None):
    """Un error con la forma de los de OpenAI (los clientes lo leen así), en castellano."""
    from starlette.responses import JSONResponse

    return JSONResponse({"error": {"message": message, "type": kind, "param": param, "code": None}},
                        status_code=status)


def create_app(default_temperature: float = 0.8):
    """Una aplicación web (starlette) que sirve los modelos incluidos con el protocolo de OpenAI."""
    from starlette.applications import Starlette
    from starlette.responses import JSONResponse, StreamingResponse
    from starlette.routing import Route

    async def models(request):
        return JSONResponse({"object": "list", "data": [
            {"id": name, "object": "model", "created": 1_700_000_000, "owned_by": "taller"}
            for name in EMBEDDED_MODELS]})

    async def completions(request):
        try:
            params = parse_completion(json.loads(await request.body() or b"null"), default_temperature)
        except (json.JSONDecodeError, UnicodeDecodeError, RecursionError):
            return api_error("El cuerpo no es JSON válido.")
        except BadRequest as exc:
            return api_error(str(exc), param=exc.param)
        backend = EmbeddedBackend(model=params["model"], seed=params["seed"])
        deltas = backend.stream(params["messages"], temperature=params["temperature"],
                                max_tokens=params["max_tokens"])
        head = {"id": f"chatcmpl-{time.time_ns():x}", "created": int(time.time()), "model": backend.model}
        if params["stream"]:
            return StreamingResponse(_sse(deltas, head, backend), media_type="text/event-stream")
        text = await asyncio.to_thread(lambda: "".join(deltas))
        prompt_tokens = backend.usage.get("prompt_tokens", 0)
        return JSONResponse({**head, "object": "chat.completion", "choices": [
            {"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": finish_reason(backend)}],
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


def finish_reason(backend: EmbeddedBackend) -> str:
    """«stop» si el modelo cerró su turno (escribió <|fin|>); «length» si lo cortó ``max_tokens``."""
    return "stop" if backend.finished else "length"


def _sse(deltas: Iterator[str], head: dict, backend: EmbeddedBackend) -> Iterator[str]:
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
        failure = {"error": {"message": f"{backend.name} falló a mitad de la respuesta.", "type": "server_error",
                             "param": None, "code": None}}
        yield f"data: {json.dumps(failure, ensure_ascii=False)}\n\n"
        return
    yield event({}, finish_reason(backend))
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
                            f"python -m demos.chat servir --puerto {port + 1}") from None
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
          f"    r = cliente.chat.completions.create(model=\"{MODEL_ID}\",\n"
          "            messages=[{\"role\": \"user\", \"content\": \"Hola, ¿quién eres?\"}])\n"
          "    print(r.choices[0].message.content)", flush=True)
    uvicorn.Server(uvicorn.Config(create_app(), log_level="warning", lifespan="off")).run(sockets=[sock])
    return 0
