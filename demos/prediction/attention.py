"""La atención, y por qué entrenar es paralelo y generar, secuencial.

``attention_maps`` recorre el modelo por fuera, bloque por bloque, y guarda cuánto mira cada
posición a cada otra; ``heads_chart`` y ``triangle_chart`` lo dibujan. ``one_pass`` y
``generation_calls`` cuentan las llamadas al modelo: una para todas las posiciones al entrenar,
una por carácter al generar.
"""

from __future__ import annotations

import html
import threading

import torch

from demos.decoding import one_thread
from demos.formatting import visible
from demos.model import generate
from demos.prediction.charts import fast_chart
from demos.prediction.steps import Step

ATTENTION_CHARS = 24  # ¿cuántos caracteres caben como columnas en un mapa de calor legible?
TRIANGLE_CHARS = 14  # ¿cuántas filas y columnas de la matriz completa caben en la diapositiva?


# ---------------------------------------------------------------- qué mira cada posición


def attention_at(model, tokenizer, text: str):
    """``(caracteres, pesos)`` con pesos (n_layer, n_head, T, T) para lo que el modelo ve de ``text``."""
    return window_attention(model, tokenizer, tokenizer.encode(text or "\n")[-model.context_length:])


def step_attention(model, tokenizer, step: Step):
    """La atención de un paso, sobre exactamente la ventana que ese paso usó para elegir."""
    if not step.window:  # un paso armado a mano, sin su ventana: la que corresponde a su texto
        return attention_at(model, tokenizer, step.context)
    return window_attention(model, tokenizer, list(step.window))


@one_thread()
def window_attention(model, tokenizer, ids: list[int]):
    maps = attention_maps(model, torch.tensor([ids]))  # (n_layer, 1, n_head, T, T)
    return [tokenizer.decode([i]) for i in ids], maps[:, 0]


@torch.no_grad()
def attention_maps(model, idx) -> torch.Tensor:
    """Cuánto mira cada posición a cada otra, capa por capa: (n_layer, B, n_head, T, T); cada fila suma 1.

    Recorre el modelo por fuera, bloque por bloque, sin cambiarle nada: varias sesiones pueden
    usar el mismo modelo a la vez.
    """
    x = model.wte(idx)  # (B, T, C)
    if model.wpe is not None:
        x = x + model.wpe(torch.arange(idx.size(1)))
    maps = []
    for block in model.blocks:
        maps.append(block.attn.weights(block.ln_1(x)))  # (B, nh, T, T)
        x = block(x)
    return torch.stack(maps)


# ---------------------------------------------------------------- los mapas de la diapositiva


def heads_rows(chars: list[str], weights: torch.Tensor, layer: int, last: int = ATTENTION_CHARS) -> list[dict]:
    """Para la ÚLTIMA posición (la que predice): cuánto mira cada cabeza a cada carácter anterior."""
    row = weights[layer, :, -1, :]  # (n_head, T): la fila de la posición que elige el siguiente
    shown = min(last, len(chars))
    earlier = row[:, : len(chars) - shown].sum(-1)  # lo que mira antes de lo dibujado, junto
    rows = []
    for h in range(row.size(0)):
        if shown < len(chars):
            rows.append({"cabeza": f"cabeza {h + 1}", "pos": 0, "peso": round(float(earlier[h]), 4)})
        for j in range(shown):
            w = row[h, len(chars) - shown + j]
            rows.append({"cabeza": f"cabeza {h + 1}", "pos": j + 1, "peso": round(float(w), 4)})
    return rows


def heads_chart(chars: list[str], weights: torch.Tensor, layer: int, last: int = ATTENTION_CHARS):
    shown = chars[-last:]
    labels = (["…"] if len(chars) > len(shown) else [""]) + [visible(c) for c in shown]  # «…» = todo lo anterior
    return fast_chart(heads_rows(chars, weights, layer, last), "cabezas", labels,
                      f"Capa {layer + 1}: qué mira cada cabeza para elegir el siguiente carácter",
                      width=min(34 * len(labels), 850), height=44 * weights.size(1))


def triangle_rows(chars: list[str], weights: torch.Tensor, layer: int, head: int,
                  last: int = TRIANGLE_CHARS) -> list[dict]:
    """Las filas de los últimos ``last`` caracteres de la matriz de verdad (la de toda la ventana).

    Si la ventana es más larga, la columna 0 («…») junta lo que cada fila mira antes de lo dibujado:
    así cada fila sigue sumando 1 y nada se recalcula con un texto más corto.
    """
    grid = weights[layer, head]  # (T, T): fila = quien mira, columna = a quien mira
    T = grid.size(0)
    start = max(T - last, 0)
    rows = []
    for i in range(start, T):
        if start:
            rows.append({"mira": i - start + 1, "a": 0, "peso": round(float(grid[i, :start].sum()), 4)})
        rows.extend({"mira": i - start + 1, "a": j - start + 1, "peso": round(float(grid[i, j]), 4)}
                    for j in range(start, T))
    return rows


def triangle_chart(chars: list[str], weights: torch.Tensor, layer: int, head: int, last: int = TRIANGLE_CHARS):
    """La matriz de una cabeza (sus últimas filas): arriba de la diagonal (el futuro) todo es cero."""
    shown = chars[-last:]
    labels = ["…" if len(chars) > len(shown) else ""] + [visible(c) for c in shown]
    side = min(26 * (len(shown) + 1), 560)
    return fast_chart(triangle_rows(chars, weights, layer, head, last), "triangulo", labels,
                      f"Capa {layer + 1}, cabeza {head + 1}", width=side, height=side)


# ---------------------------------------------------------------- secuencial vs. paralelo


def count_forward_calls(model, action) -> tuple[int, object]:
    """Cuántas veces se llamó al modelo mientras corría ``action()`` (en este hilo).

    Se cuenta desde afuera, con un «gancho» de torch que avisa en cada llamada al modelo.
    """
    calls, me = [], threading.get_ident()  # otras sesiones pueden estar usando el mismo modelo
    hook = model.register_forward_hook(lambda *_: calls.append(1) if threading.get_ident() == me else None)
    try:
        result = action()
    finally:
        hook.remove()
    return len(calls), result


@torch.no_grad()
def one_pass(model, tokenizer, text: str) -> tuple[int, list[dict]]:
    """Entrenamiento: UNA llamada da la predicción de TODAS las posiciones a la vez."""
    ids = tokenizer.encode(text or "\n")[-model.context_length:]
    calls, (logits, _) = count_forward_calls(model, lambda: model(torch.tensor([ids])))  # logits (1, T, V)
    probs = logits[0].softmax(-1)
    best = probs.argmax(-1).tolist()
    rows = [{"ve": tokenizer.decode(ids[: t + 1]), "predice": tokenizer.decode([best[t]]),
             "prob": float(probs[t, best[t]]), "venía": tokenizer.decode([ids[t + 1]]) if t + 1 < len(ids) else None}
            for t in range(len(ids))]
    return calls, rows


def generation_calls(model, tokenizer, prompt: str, n_chars: int) -> tuple[int, str]:
    """Generación: una llamada por carácter nuevo, cada una esperando a la anterior (la primera lee
    todo el texto y ya da el primer carácter). Con ``model.generate``, la manera más simple de escribir."""
    ids = torch.tensor([tokenizer.encode(prompt or "\n")[-model.context_length:]])
    calls, out = count_forward_calls(model, lambda: generate(model, ids, n_chars, temperature=0.0))
    return calls, tokenizer.decode(out[0, ids.size(1):].tolist())


def one_pass_html(rows: list[dict]) -> str:
    """Una columna por posición: lo que ve (su último carácter), lo que predice y lo que venía."""
    def cell(text, style=""):
        return f"<td style='padding:2px 6px;text-align:center;{style}'>{html.escape(visible(text))}</td>"

    hits = [r["venía"] is not None and r["predice"] == r["venía"] for r in rows]
    seen = "".join(cell(r["ve"][-1]) for r in rows)
    guess = "".join(cell(r["predice"], "background:#d3f9d8" if ok else "") for r, ok in zip(rows, hits, strict=True))
    truth = "".join(cell(r["venía"] or "?", "color:#868e96") for r in rows)
    head = "<th style='text-align:right;padding-right:10px;font-weight:normal'>"
    return (f"<table style='font-size:22px;font-family:ui-monospace,monospace;border-collapse:collapse'>"
            f"<tr>{head}ve</th>{seen}</tr><tr>{head}predice</th>{guess}</tr>"
            f"<tr>{head}venía</th>{truth}</tr></table>")
