"""Recálculos de la sección «Temperatura», tal como los hacen sus celdas al mover un control."""

import itertools

import marimo as mo

from demos import decoding, model, temperature

_gpt, _tok = model.load_pretrained()
_logits = decoding.next_token_logits(_gpt, _tok, "En un lugar de la Mancha, de cuyo nombre no quiero")
_temperatures = itertools.cycle([0.0, 0.25, 0.5, 0.75, 1.0, 1.25, 1.5, 1.75, 2.0])
_cuts = itertools.cycle([(0, 1.0), (5, 1.0), (0, 0.9), (10, 0.5), (40, 0.0), (3, 0.95)])


def temperature_slider():
    """El control de temperatura: gráfico redibujado + entropía + descripción."""
    t = next(_temperatures)
    return mo.as_html(mo.vstack([mo.md(temperature.describe(t)), temperature.chart(_logits, _tok, t),
                                 mo.md(temperature.summary(_logits, t))]))


def cut_sliders():
    """Los controles top-k / top-p: gráfico con lo cortado en gris + resumen."""
    k, p = next(_cuts)
    return mo.as_html(mo.vstack([temperature.chart(_logits, _tok, 0.8, k or None, p),
                                 mo.md(temperature.summary(_logits, 0.8, k or None, p))]))


CASES = {
    "mover la temperatura → gráfico": temperature_slider,
    "mover top-k / top-p → gráfico": cut_sliders,
}
