"""Elegir el siguiente token: temperatura, top-k, top-p y el sorteo, con cualquier valor que llegue."""

from __future__ import annotations

import math

import pytest
import torch

from demos.sampling import draw, probabilities


def test_probabilities_temperature_limits():
    logits = torch.tensor([2.0, 1.0, 0.5, -1.0])
    assert probabilities(logits, 1.0).sum().item() == pytest.approx(1.0)
    assert probabilities(logits, 0).tolist() == [1.0, 0.0, 0.0, 0.0]
    hot = probabilities(logits, 1e6)
    assert torch.allclose(hot, torch.full((4,), 0.25), atol=1e-4)
    assert probabilities(logits, float("inf")).tolist() == [0.25] * 4
    assert probabilities(logits, float("nan")).sum().item() == pytest.approx(1.0)
    assert probabilities(logits, -3).tolist() == [1.0, 0.0, 0.0, 0.0]


def test_top_k_and_top_p():
    logits = torch.tensor([3.0, 2.0, 1.0, 0.0])
    assert (probabilities(logits, 1.0, top_k=2) > 0).tolist() == [True, True, False, False]
    assert (probabilities(logits, 1.0, top_k=999) > 0).all()  # k mayor que el vocabulario: sin corte
    assert probabilities(logits, 1.0, top_p=0.0).tolist() == [1.0, 0.0, 0.0, 0.0]
    assert (probabilities(logits, 1.0, top_p=1.0) > 0).all()
    p = probabilities(logits, 1.0, top_p=0.8)
    assert p.sum().item() == pytest.approx(1.0) and (p > 0).sum() == 2


@pytest.mark.parametrize("temperature", [1e-4, 1e-20, 1e-40, 1e-45, 5e-324])
def test_tiny_positive_temperature_is_greedy_not_nan(temperature):
    logits = torch.tensor([20.0, 19.5, -3.0, 0.0])
    probs = probabilities(logits, temperature)
    assert not probs.isnan().any() and probs.tolist() == [1.0, 0.0, 0.0, 0.0]


def test_top_k_keeps_exactly_k_even_with_ties():
    logits = torch.tensor([2.0, 1.0, 1.0, 1.0, 0.0])
    assert (probabilities(logits, 1.0, top_k=2) > 0).sum() == 2
    assert (probabilities(logits, float("inf"), top_k=1) > 0).sum() == 1


@pytest.mark.parametrize("odd", [float("nan"), "tres", None, float("inf"), -5, 2.7, [1]])
def test_odd_top_k_and_top_p_never_raise(odd):
    logits = torch.tensor([3.0, 2.0, 1.0, 0.0])
    for probs in (probabilities(logits, 1.0, top_k=odd), probabilities(logits, 1.0, top_p=odd),
                  probabilities(logits, odd, top_k=odd, top_p=odd)):
        assert probs.sum().item() == pytest.approx(1.0) and not probs.isnan().any()


def test_draw_follows_the_distribution_and_never_picks_zero():
    probs = torch.tensor([0.5, 0.0, 0.3, 0.0, 0.2])
    rng = torch.Generator().manual_seed(0)
    counts = [0] * 5
    for _ in range(20_000):
        counts[draw(probs, rng)] += 1
    assert counts[1] == counts[3] == 0
    for i in (0, 2, 4):  # ±3 desviaciones estándar de una binomial con n = 20.000
        expected = 20_000 * probs[i].item()
        assert abs(counts[i] - expected) < 3 * math.sqrt(expected * (1 - probs[i].item()))
    assert draw(torch.tensor([0.0, 0.0, 1.0]), rng) == 2 and draw(torch.tensor([1.0, 0.0]), rng) == 0
