"""Un LLM de verdad al lado del nuestro: Ollama, si está corriendo, con las probabilidades de sus tokens.

Se le pide UN token y sus ``top_logprobs``: el mismo gráfico de barras que el de QuijoteGPT, pero
con tokens que son palabras o pedazos. Si Ollama no está (o falla), un aviso en castellano y solo
el nuestro. Lo que se supo del servidor se recuerda unos segundos: la diapositiva se recalcula con
cada letra que se escribe.
"""

from __future__ import annotations

import math
import os
import threading
import time
from dataclasses import dataclass, field

from demos.formatting import percent, visible
from demos.prediction.charts import Candidate, bar_row, next_token_chart, probability_chart
from demos.prediction.steps import SEED

OLLAMA_DEFAULT_HOST = "127.0.0.1:11434"
OLLAMA_TOP = 10  # ¿cuántas alternativas pedimos? (Ollama entrega hasta 20)
OLLAMA_CHECK_SECONDS = 0.5  # ¿cuánto esperamos para saber si hay un servidor?
OLLAMA_STATUS_SECONDS = 5.0  # ¿por cuánto rato vale lo que supimos del servidor? (la sala escribe rápido)
OLLAMA_ANSWER_SECONDS = 60.0  # ¿cuánto esperamos la respuesta? (la primera vez carga el modelo)
OLLAMA_MODES = {"continuar el texto": "generate", "responder como chat": "chat"}


# ---------------------------------------------------------------- preguntarle a Ollama


def ollama_host() -> str:
    return os.environ.get("OLLAMA_HOST") or OLLAMA_DEFAULT_HOST


def _ollama_client(host: str, seconds: float):
    import httpx
    import ollama

    return ollama.Client(host=host, timeout=httpx.Timeout(seconds, connect=min(seconds, OLLAMA_CHECK_SECONDS)))


@dataclass
class OllamaAnswer:
    ok: bool
    message: str  # qué pasó, en castellano, para la sala
    model: str = ""
    candidates: list[Candidate] = field(default_factory=list)
    chosen: str | None = None  # el token que de verdad generó
    chosen_probability: float | None = None

    def rows(self) -> list[dict]:
        rows = [bar_row(c.text, c.probability, "elegido" if c.text == self.chosen else "candidato")
                for c in self.candidates]
        rest = 1.0 - sum(c.probability for c in self.candidates)
        if self.chosen is not None and self.rank is None and self.chosen_probability is not None:
            rows.append(bar_row(self.chosen, self.chosen_probability, "elegido"))  # salió uno de la cola
            rest -= self.chosen_probability
        if rest > 0.0005:
            rows.append({"token": "el resto", "probabilidad": rest, "tipo": "otros", "etiqueta": percent(rest)})
        return rows

    @property
    def rank(self) -> int | None:
        """El puesto del token generado entre los candidatos (1 = el favorito; None = no aparece)."""
        return next((i + 1 for i, c in enumerate(self.candidates) if c.text == self.chosen), None)

    def caption(self) -> str:
        """Qué token generó Ollama y si era su favorito (con temperatura 1 no siempre lo es)."""
        if not self.ok or self.chosen is None or not self.candidates:
            return ""
        chosen, best = f"«{visible(self.chosen)}»", self.candidates[0]
        if self.rank == 1:
            return f"Generó {chosen} ({percent(best.probability)}), el más probable."
        where = f"puesto {self.rank}" if self.rank else "más abajo que todos los que entregó"
        return (f"Generó {chosen}: **no era el más probable** ({where}; el favorito era «{visible(best.text)}» "
                f"con {percent(best.probability)}). Es un sorteo.")


_ollama_seen: dict[str, tuple[float, tuple]] = {}  # servidor → (cuándo, lo que respondió)
_ollama_seen_lock = threading.Lock()


def ollama_status(host: str | None = None, seconds: float = OLLAMA_CHECK_SECONDS) -> tuple[list[str] | None, str]:
    """``(modelos, aviso)``: los modelos del servidor, o ``None`` y qué pasó si no se puede usar."""
    host = host or ollama_host()
    try:
        listing = _ollama_client(host, seconds).list()
    except Exception as error:  # apagado, lento, otro programa en ese puerto: siempre un aviso
        status = None, _ollama_problem(error, host, "")
    else:
        status = _listing_status([m.model for m in listing.models if m.model], host)
    with _ollama_seen_lock:
        _ollama_seen[host] = (time.monotonic(), status)
    return status


def _listing_status(models: list[str], host: str) -> tuple[list[str], str]:
    if not models:
        return models, f"Ollama está en `{host}`, pero no tiene modelos. Descarga uno: `ollama pull llama3.2:1b`."
    return models, f"Encontré Ollama en `{host}`. Modelos: " + ", ".join(f"`{m}`" for m in models[:4]) + "."


def recent_ollama_status(host: str | None = None, max_age: float | None = None):
    """Como ``ollama_status``, pero repite lo que se supo hace menos de ``max_age`` segundos.

    La diapositiva se recalcula con cada letra que se escribe: sin esto, cada letra esperaría
    hasta medio segundo a un Ollama que no está.
    """
    host = host or ollama_host()
    max_age = OLLAMA_STATUS_SECONDS if max_age is None else max_age
    with _ollama_seen_lock:
        seen = _ollama_seen.get(host)
    if seen and time.monotonic() - seen[0] < max_age:
        return seen[1]
    return ollama_status(host)


def ollama_next_tokens(text: str, mode: str = "generate", host: str | None = None, model: str | None = None,
                       top: int = OLLAMA_TOP, seconds: float = OLLAMA_ANSWER_SECONDS) -> OllamaAnswer:
    """Pide a Ollama UN token y las probabilidades de sus alternativas (``top_logprobs``)."""
    host = host or ollama_host()
    models, message = ollama_status(host)  # alguien pidió la respuesta: se pregunta de nuevo
    if not models:
        return OllamaAnswer(False, message)
    wanted = model or os.environ.get("OLLAMA_MODEL") or models[0]
    name = wanted if wanted in models else models[0]
    try:
        response = _ask_ollama(_ollama_client(host, seconds), name, text or "\n", mode, top)
    except Exception as error:  # cualquier falla se vuelve un aviso, nunca un error en pantalla
        return OllamaAnswer(False, _ollama_problem(error, host, name), name)
    return _answer_from(response, name)


def _ask_ollama(client, name: str, text: str, mode: str, top: int):
    options = {"num_predict": 1, "temperature": 1.0, "seed": SEED}  # un solo token, la distribución tal cual
    common = {"options": options, "logprobs": True, "top_logprobs": max(1, min(int(top), 20)), "stream": False}
    if mode == "chat":
        return client.chat(model=name, messages=[{"role": "user", "content": text}], **common)
    return client.generate(model=name, prompt=text, raw=True, **common)  # raw: sin plantilla de chat


def _answer_from(response, name: str) -> OllamaAnswer:
    first = (response.logprobs or [None])[0]
    if first is None or not first.top_logprobs:
        return OllamaAnswer(False, f"`{name}` respondió, pero sin probabilidades: actualiza Ollama "
                                   "(las entrega desde sus versiones de fines de 2025).", name)
    merged: dict[str, float] = {}
    for alternative in first.top_logprobs:  # dos tokens distintos pueden verse iguales: se suman
        merged[alternative.token] = merged.get(alternative.token, 0.0) + math.exp(alternative.logprob)
    candidates = [Candidate(i, token, p) for i, (token, p) in
                  enumerate(sorted(merged.items(), key=lambda item: -item[1]))]
    return OllamaAnswer(True, f"`{name}` en Ollama: sus {len(candidates)} tokens más probables.", name,
                        candidates, first.token, math.exp(first.logprob))


def _ollama_problem(error: Exception, host: str, name: str) -> str:
    """Cada falla posible, dicha en castellano (sin claves ni detalles técnicos)."""
    status = getattr(error, "status_code", None)
    if status == 404 and name:
        return f"Ollama no encontró el modelo `{name}`. Descárgalo: `ollama pull {name}`."
    if status in (401, 403):
        return f"Ollama en `{host}` pide una clave válida (`OLLAMA_API_KEY`)."
    if status is not None:
        return f"Ollama en `{host}` respondió con un error ({status})."
    if "timeout" in type(error).__name__.lower() or "timed out" in str(error).lower():
        who = f"`{name}`" if name else f"Ollama en `{host}`"
        return f"{who} no contestó a tiempo (¿se está cargando el modelo?). Prueba otra vez en un rato."
    if isinstance(error, ConnectionError) or "connect" in type(error).__name__.lower():
        return f"No encontré Ollama en `{host}`."
    return (f"No pude usar Ollama en `{host}`: algo no salió como se esperaba "
            "(¿la dirección es correcta? ¿es Ollama lo que corre ahí?).")


# ---------------------------------------------------------------- la diapositiva


def ollama_chart(answer: OllamaAnswer, width: int = 340, row_height: int = 26):
    return probability_chart(answer.rows(), f"{answer.model}: ¿qué token viene?", width=width, row_height=row_height)


def ollama_panel(gpt, tokenizer, text: str, mode: str = "generate", ask: bool = False) -> tuple[str, list]:
    """``(aviso, gráficos)`` para la diapositiva: Ollama al lado del nuestro, o solo el nuestro."""
    ours = next_token_chart(gpt, tokenizer, text, k=8, title="QuijoteGPT: ¿qué carácter viene?", width=280,
                            row_height=26)
    models, message = recent_ollama_status()
    if not models:
        return (f"*{message} Con Ollama instalado y corriendo, aquí aparece un LLM de verdad. "
                "Por ahora, el nuestro:*", [ours])
    if not ask:
        return f"{message} Aprieta el botón para preguntarle.", [ours]
    answer = ollama_next_tokens(text, mode)
    if not answer.ok:
        return f"*{answer.message}*", [ours]
    return (f"{answer.message} {answer.caption()} Un token puede ser una palabra entera o un pedazo: por eso ve "
            "más lejos que nuestro modelo de caracteres.", [ollama_chart(answer), ours])
