"""Un servidor que habla el protocolo de Ollama (lo que usa el cliente oficial ``ollama``).

Rutas: ``GET /api/tags``, ``GET /api/version``, ``POST /api/chat`` y ``POST /api/generate``, con
respuesta completa (un JSON) o transmitida (NDJSON: un JSON por línea, el último con ``done: true``).
Respeta ``options.temperature`` y ``options.num_predict`` y devuelve ``logprobs`` con
``top_logprobs`` si se piden. Ejemplo::

    with FakeOllama() as servidor:
        cliente = ollama.Client(host=servidor.url)
        for parte in cliente.chat(model="llama3.2:1b", messages=[...], stream=True):
            print(parte.message.content, end="")
"""

from __future__ import annotations

import asyncio
import json
import time
from datetime import UTC, datetime

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

DEFAULT_MODELS = ("llama3.2:1b", "qwen2.5:0.5b")
VERSION = "0.12.0"


class FakeOllama(BackgroundServer):
    """Servidor estilo Ollama en un puerto libre. ``requests`` guarda cada petición recibida.

    ``api_key``: si se da, exige ``Authorization: Bearer <api_key>`` (como ollama.com) o responde 401.
    ``pick_second``: en las log-probabilidades, cada token generado queda en el SEGUNDO puesto (como
    cuando el sorteo no elige al favorito); si no, siempre es el más probable.
    """

    def __init__(self, models=DEFAULT_MODELS, api_key: str | None = None, pick_second: bool = False) -> None:
        self.models = list(models)
        self.api_key = api_key
        self.pick_second = pick_second
        self.behaviour = Behaviour()
        self.requests: list[Recorded] = []
        routes = [
            Route("/api/tags", self._tags, methods=["GET"]),
            Route("/api/version", self._version, methods=["GET"]),
            Route("/api/chat", self._chat, methods=["POST"]),
            Route("/api/generate", self._generate, methods=["POST"]),
        ]
        super().__init__(Starlette(routes=routes))

    # ---------------------------------------------------------------- utilidades
    def last_body(self, path: str = "/api/chat") -> dict | None:
        """El cuerpo JSON de la última petición a ``path``."""
        bodies = [r.body for r in self.requests if r.path == path]
        return bodies[-1] if bodies else None

    async def _admit(self, request: Request) -> tuple[dict | None, JSONResponse | None]:
        """Registra la petición y aplica las fallas elegidas. Devuelve ``(cuerpo, respuesta_de_error)``."""
        body = None
        if request.method == "POST":
            try:
                body = json.loads(await request.body() or b"{}")
            except json.JSONDecodeError:
                return None, JSONResponse({"error": "invalid JSON"}, status_code=400)
        self.requests.append(Recorded(request.method, request.url.path, dict(request.headers), body))
        behaviour = self.behaviour
        if delay := behaviour.delay_for(request.url.path):
            await asyncio.sleep(delay)
        if self.api_key and request.headers.get("authorization") != f"Bearer {self.api_key}":
            return body, JSONResponse({"error": "unauthorized"}, status_code=401)
        if behaviour.status is not None:
            message = {401: "unauthorized", 500: "internal server error"}.get(behaviour.status, "error")
            return body, JSONResponse({"error": message}, status_code=behaviour.status)
        if body is not None and body.get("model") not in self.models:
            name = body.get("model")
            return body, JSONResponse({"error": f"model '{name}' not found"}, status_code=404)
        return body, None

    # ---------------------------------------------------------------- rutas
    async def _tags(self, request: Request):
        _, error = await self._admit(request)
        if error:
            return error
        models = [
            {
                "name": name,
                "model": name,
                "modified_at": "2025-01-01T00:00:00Z",
                "size": 1_300_000_000,
                "digest": f"{i:064x}",
                "details": {"format": "gguf", "family": name.split(":")[0], "parameter_size": "1B",
                            "quantization_level": "Q4_K_M"},
            }
            for i, name in enumerate(self.models)
        ]
        return JSONResponse({"models": models})

    async def _version(self, request: Request):
        _, error = await self._admit(request)
        return error or JSONResponse({"version": VERSION})

    async def _chat(self, request: Request):
        body, error = await self._admit(request)
        if error:
            return error
        messages = list(body.get("messages") or [])
        return self._answer(body, messages, lambda text: {"message": {"role": "assistant", "content": text}})

    async def _generate(self, request: Request):
        body, error = await self._admit(request)
        if error:
            return error
        messages = [{"role": "system", "content": body["system"]}] if body.get("system") else []
        messages.append({"role": "user", "content": body.get("prompt") or ""})
        return self._answer(body, messages, lambda text: {"response": text}, final_extra={"context": [1, 2, 3]})

    # ---------------------------------------------------------------- respuesta
    def _answer(self, body: dict, messages: list[dict], wrap, final_extra: dict | None = None):
        """Arma la respuesta (completa o por partes) con los tokens de la respuesta determinista."""
        behaviour = self.behaviour
        options = body.get("options") or {}
        reply = (behaviour.reply or default_reply)(messages)
        tokens = split_tokens(reply)
        limit = options.get("num_predict")
        truncated = limit is not None and 0 <= int(limit) < len(tokens)
        if truncated:
            tokens = tokens[: int(limit)]
        want_logprobs = bool(body.get("logprobs"))
        top = min(int(body.get("top_logprobs") or 0), 20)
        temperature = options.get("temperature")

        def part(text: str, toks: list[str], done: bool) -> dict:
            out = {"model": body["model"], "created_at": _now(), **wrap(text), "done": done}
            if want_logprobs and toks:
                out["logprobs"] = [self._logprobs(t, temperature, top) for t in toks]
            if done:
                prompt_chars = sum(len(str(m.get("content") or "")) for m in messages)
                out.update({
                    "done_reason": "length" if truncated else "stop",
                    "total_duration": 1_000_000, "load_duration": 1_000, "prompt_eval_count": prompt_chars // 4,
                    "prompt_eval_duration": 1_000, "eval_count": len(tokens), "eval_duration": 1_000,
                    **(final_extra or {}),
                })
            return out

        if body.get("stream") is False:
            return JSONResponse(part("".join(tokens), tokens, True))
        lines = [part(t, [t], False) for t in tokens] + [part("", [], True)]
        chunks = [(json.dumps(x, ensure_ascii=False) + "\n").encode() for x in lines]
        error_line = (json.dumps({"error": "el modelo falló a mitad de la respuesta"}) + "\n").encode()
        return StreamingResponse(paced(chunks, behaviour, error_line), media_type="application/x-ndjson")

    def _logprobs(self, token: str, temperature, top: int) -> dict:
        if not self.pick_second:
            return token_logprobs(token, temperature, top)
        entry = token_logprobs(token, temperature, max(top, 2))
        first, second, *rest = entry["top_logprobs"]  # el generado y el que le sigue cambian de puesto
        swapped = [{"token": second["token"], "logprob": first["logprob"]},
                   {"token": first["token"], "logprob": second["logprob"]}, *rest]
        entry = {"token": token, "logprob": second["logprob"]}
        if top > 0:
            entry["top_logprobs"] = swapped[:top]
        return entry


def _now() -> str:
    return datetime.fromtimestamp(time.time(), UTC).isoformat().replace("+00:00", "Z")
