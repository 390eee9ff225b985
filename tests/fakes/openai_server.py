"""Un servidor que habla el protocolo de OpenAI (``/v1/models``, ``/v1/chat/completions``).

Es el mismo protocolo de OpenAI, Gemini (su endpoint compatible), Groq, vLLM, LM Studio y el
servidor de llama.cpp. Respuesta completa (JSON) o transmitida (SSE: ``data: {...}`` y al final
``data: [DONE]``). Ejemplo::

    with FakeOpenAI(api_key="sk-prueba") as servidor:
        cliente = openai.OpenAI(base_url=servidor.base_url, api_key="sk-prueba")
        cliente.chat.completions.create(model="gpt-de-prueba", messages=[...], stream=True)

El modelo ``razonador-t1`` imita a los modelos «razonadores» de OpenAI: solo aceptan ``temperature=1``
y piden ``max_completion_tokens`` en vez de ``max_tokens``. Con ``stream_options: {"include_usage": true}``
el flujo termina con un pedazo sin ``choices`` que trae ``usage``, como OpenAI; ``unsupported`` imita a
los servidores que rechazan campos que no conocen (error 400).
"""

from __future__ import annotations

import asyncio
import json
import time

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, StreamingResponse
from starlette.routing import Route

from tests.fakes import (
    BackgroundServer,
    Behaviour,
    Recorded,
    default_reply,
    paced,
    split_tokens,
    token_logprobs,
)

DEFAULT_MODELS = ("gpt-de-prueba", "gemini-de-prueba", "razonador-t1")
ONLY_DEFAULT_TEMPERATURE = {"razonador-t1"}


def error_body(message: str, kind: str, code: str | None = None, param: str | None = None) -> dict:
    return {"error": {"message": message, "type": kind, "param": param, "code": code}}


class FakeOpenAI(BackgroundServer):
    """Servidor estilo OpenAI en un puerto libre. ``requests`` guarda cada petición recibida.

    ``api_key``: si se da, exige ``Authorization: Bearer <api_key>`` o responde 401, como OpenAI.
    ``echo_chars``: cuántos caracteres del final de la clave recibida repite ese 401 (OpenAI: 4).
    ``unsupported``: campos del cuerpo que este servidor no conoce y rechaza con un 400.
    """

    def __init__(self, models=DEFAULT_MODELS, api_key: str | None = "sk-prueba", echo_chars: int = 4,
                 unsupported: tuple[str, ...] = ()) -> None:
        self.models = list(models)
        self.api_key = api_key
        self.echo_chars = echo_chars
        self.unsupported = tuple(unsupported)
        self.behaviour = Behaviour()
        self.requests: list[Recorded] = []
        routes = [
            Route("/v1/models", self._models, methods=["GET"]),
            Route("/v1/chat/completions", self._completions, methods=["POST"]),
        ]
        super().__init__(Starlette(routes=routes))

    @property
    def base_url(self) -> str:
        return f"{self.url}/v1"

    def last_body(self) -> dict | None:
        bodies = [r.body for r in self.requests if r.path == "/v1/chat/completions"]
        return bodies[-1] if bodies else None

    async def _admit(self, request: Request) -> tuple[dict | None, JSONResponse | None]:
        body = None
        if request.method == "POST":
            try:
                body = json.loads(await request.body() or b"{}")
            except json.JSONDecodeError:
                return None, JSONResponse(error_body("invalid JSON", "invalid_request_error"), status_code=400)
        self.requests.append(Recorded(request.method, request.url.path, dict(request.headers), body))
        behaviour = self.behaviour
        if delay := behaviour.delay_for(request.url.path):
            await asyncio.sleep(delay)
        sent = request.headers.get("authorization", "")
        if self.api_key and sent != f"Bearer {self.api_key}":
            # como OpenAI: el mensaje muestra solo el final de la clave recibida
            shown = sent.removeprefix("Bearer ")[-self.echo_chars:] if self.echo_chars else ""
            return body, JSONResponse(error_body(f"Incorrect API key provided: ****{shown}.",
                                                 "invalid_request_error", "invalid_api_key"), status_code=401)
        if behaviour.status is not None:
            kinds = {401: ("invalid_request_error", "invalid_api_key"), 429: ("requests", "rate_limit_exceeded")}
            kind, code = kinds.get(behaviour.status, ("server_error", None))
            return body, JSONResponse(error_body(f"HTTP {behaviour.status} de prueba", kind, code),
                                      status_code=behaviour.status)
        if body is None:
            return body, None
        for name in self.unsupported:
            if name in body:
                return body, JSONResponse(error_body(f"Unrecognized request argument supplied: {name}",
                                                     "invalid_request_error", None, name), status_code=400)
        model = body.get("model")
        if model not in self.models:
            return body, JSONResponse(error_body(f"The model `{model}` does not exist or you do not have access to it.",
                                                 "invalid_request_error", "model_not_found"), status_code=404)
        temperature = body.get("temperature")
        if model in ONLY_DEFAULT_TEMPERATURE and temperature is not None and temperature != 1:
            message = (f"Unsupported value: 'temperature' does not support {temperature} with this model. "
                       "Only the default (1) value is supported.")
            return body, JSONResponse(error_body(message, "invalid_request_error", "unsupported_value", "temperature"),
                                      status_code=400)
        if model in ONLY_DEFAULT_TEMPERATURE and "max_tokens" in body:
            message = ("Unsupported parameter: 'max_tokens' is not supported with this model. "
                       "Use 'max_completion_tokens' instead.")
            return body, JSONResponse(error_body(message, "invalid_request_error", "unsupported_parameter",
                                                 "max_tokens"), status_code=400)
        return body, None

    async def _models(self, request: Request):
        _, error = await self._admit(request)
        if error:
            return error
        data = [{"id": m, "object": "model", "created": 1_700_000_000, "owned_by": "taller"} for m in self.models]
        return JSONResponse({"object": "list", "data": data})

    async def _completions(self, request: Request):
        body, error = await self._admit(request)
        if error:
            return error
        return self._answer(body)

    def _answer(self, body: dict):
        behaviour = self.behaviour
        messages = list(body.get("messages") or [])
        tokens = split_tokens((behaviour.reply or default_reply)(messages))
        limit = body.get("max_completion_tokens", body.get("max_tokens"))
        truncated = limit is not None and 0 <= int(limit) < len(tokens)
        tokens = tokens[: int(limit)] if truncated else tokens
        finish = "length" if truncated else "stop"
        top = min(int(body.get("top_logprobs") or 0), 20)
        temperature = body.get("temperature")

        def logprobs(toks):
            if not body.get("logprobs"):
                return None
            return {"content": [{**token_logprobs(t, temperature, top), "bytes": list(t.encode())} for t in toks]}

        head = {"id": "chatcmpl-prueba", "created": int(time.time()), "model": body["model"],
                "system_fingerprint": "fp_prueba"}
        prompt_chars = sum(len(str(m.get("content") or "")) for m in messages)
        usage = {"prompt_tokens": prompt_chars // 4, "completion_tokens": len(tokens),
                 "total_tokens": prompt_chars // 4 + len(tokens)}
        if not body.get("stream"):
            choice = {"index": 0, "message": {"role": "assistant", "content": "".join(tokens)},
                      "logprobs": logprobs(tokens), "finish_reason": finish}
            return JSONResponse({**head, "object": "chat.completion", "choices": [choice], "usage": usage})

        def chunk(delta: dict, toks: list[str], reason: str | None) -> bytes:
            choice = {"index": 0, "delta": delta, "logprobs": logprobs(toks) if toks else None, "finish_reason": reason}
            return f"data: {json.dumps({**head, 'object': 'chat.completion.chunk', 'choices': [choice]})}\n\n".encode()

        chunks = [chunk({"role": "assistant", "content": ""}, [], None)]
        chunks += [chunk({"content": t}, [t], None) for t in tokens]
        chunks += [chunk({}, [], finish)]
        if (body.get("stream_options") or {}).get("include_usage"):
            data = {**head, "object": "chat.completion.chunk", "choices": [], "usage": usage}
            chunks.append(f"data: {json.dumps(data)}\n\n".encode())
        chunks.append(b"data: [DONE]\n\n")
        error = f"data: {json.dumps(error_body('el modelo falló a mitad de la respuesta', 'server_error'))}\n\n"
        return StreamingResponse(paced(chunks, behaviour, error.encode()), media_type="text/event-stream")
