"""Recálculos de la sección «Predicción del siguiente token», tal como los hacen sus celdas."""

import itertools

import marimo as mo

from demos import model, prediction

_gpt, _tok = model.load_pretrained()
_grow = prediction.Growth(_gpt, _tok, "En un lugar de la Mancha")
_texts = itertools.cycle(["En un lugar de la Man", "En un lugar de la Manc", "Don Quijote", ""])
_steps = itertools.cycle(range(1, 31))
_grow.upto(30)  # los 30 pasos del control de atención ya calculados, como en la diapositiva


def one_step():
    """Botón «Siguiente token»: un paso con caché KV + el texto, la frase y el gráfico del paso."""
    _grow.step()
    return mo.as_html(prediction.step_view(_grow.prompt.text, _grow.steps))


def typed_text():
    """Escribir otro texto: una pasada del modelo + el gráfico de candidatos."""
    entrada = prediction.prepare_prompt(_tok, next(_texts))
    return mo.as_html(prediction.next_token_chart(_gpt, _tok, entrada.text))


def attention_step():
    """Mover el paso en la diapositiva de atención: pesos de todas las capas + el mapa de una."""
    step = _grow.steps[next(_steps) - 1]
    chars, weights = prediction.attention_at(_gpt, _tok, step.context)
    return mo.as_html(prediction.heads_chart(chars, weights, len(_gpt.blocks) - 1))


def attention_triangle():
    step = _grow.steps[next(_steps) - 1]
    chars, weights = prediction.attention_at(_gpt, _tok, step.context[-14:])
    return mo.as_html(prediction.triangle_chart(chars, weights, 0, 0))


CASES = {
    "un paso de generación (Siguiente token)": one_step,
    "gráfico del siguiente carácter al escribir": typed_text,
    "mapa de atención al mover el paso": attention_step,
    "triángulo de atención de una cabeza": attention_triangle,
}
