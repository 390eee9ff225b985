"""Elegir el siguiente token: de puntajes a probabilidades (temperatura, top-k, top-p) y el sorteo.

El modelo entrega un puntaje por cada carácter posible (*logits*). Aquí se convierten en
probabilidades que suman 1 y se sortea uno, como una ruleta donde cada carácter ocupa su tajada.
"""

from __future__ import annotations

import bisect
import itertools
import math

import torch
from torch.nn import functional as F


def probabilities(logits: torch.Tensor, temperature: float = 1.0, top_k=None, top_p=None) -> torch.Tensor:
    """Convierte puntajes en probabilidades: temperatura, luego top-k y top-p. Suma 1.

    - temperatura 0 → todo el peso al más probable (decodificación «codiciosa»);
    - temperatura muy grande → casi uniforme;
    - top-k: solo los k más probables; top-p: los más probables hasta sumar p.
    Cualquier valor raro (negativo, NaN, un texto) se lee de la manera más sensata, sin errores.
    """
    logits = logits.float()
    temperature = _safe_temperature(temperature)
    if temperature < 1e-30:  # 0, o tan chica que en float32 ya es 0: el más probable
        probs = F.one_hot(logits.argmax(-1), logits.size(-1)).float()
    elif math.isinf(temperature):
        probs = torch.full_like(logits, 1.0 / logits.size(-1))
    else:
        if temperature < 1e-3:  # 20 / 1e-40 ya no cabe en un float: antes se resta el máximo
            logits = logits - logits.max(dim=-1, keepdim=True).values
        probs = F.softmax(logits / temperature, dim=-1)
    return _cut_top_p(_cut_top_k(probs, _safe_number(top_k)), _safe_number(top_p))


def _safe_temperature(temperature) -> float:
    value = _safe_number(temperature)
    return 1.0 if value is None else max(value, 0.0)


def _safe_number(value) -> float | None:
    """Un número, o ``None`` si no lo es (``None``, NaN, un texto): entonces no se corta nada."""
    try:
        number = float(value)
    except (TypeError, ValueError, OverflowError):
        return None
    return None if math.isnan(number) else number


def _cut_top_k(probs, top_k):
    if top_k is None or top_k < 1 or top_k >= probs.size(-1):
        return probs
    chosen = torch.topk(probs, int(top_k), dim=-1).indices  # exactamente k, aunque haya empates
    keep = torch.zeros_like(probs, dtype=torch.bool).scatter(-1, chosen, True)
    return _renormalize(probs * keep)


def _cut_top_p(probs, top_p):
    if top_p is None or top_p >= 1.0:
        return probs
    sorted_probs, order = probs.sort(dim=-1, descending=True)
    before = sorted_probs.cumsum(-1) - sorted_probs  # lo acumulado ANTES de cada candidato
    keep_sorted = before < max(top_p, 0.0)
    keep_sorted[..., 0] = True  # el más probable siempre queda (así p = 0 es «codicioso»)
    keep = torch.zeros_like(keep_sorted).scatter(-1, order, keep_sorted)
    return _renormalize(probs * keep)


def _renormalize(probs):
    return probs / probs.sum(dim=-1, keepdim=True)


def draw(probs: torch.Tensor, generator=None) -> int:
    """Sortea un índice con esas probabilidades, como una ruleta: cada uno ocupa su tajada.

    Hace lo mismo que ``torch.multinomial(probs, 1)``, pero con 99 números la suma acumulada en
    Python es varias veces más rápida que la versión general de torch.
    """
    cumulative = list(itertools.accumulate(probs.tolist()))
    spin = torch.rand((), generator=generator).item() * cumulative[-1]  # en [0, total)
    return min(bisect.bisect_right(cumulative, spin), len(cumulative) - 1)  # nunca uno de probabilidad 0
