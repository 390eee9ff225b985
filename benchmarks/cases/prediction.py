"""Recálculos de la sección «Predicción del siguiente token», tal como los hacen sus celdas."""

import itertools

import marimo as mo

from demos import model, prediction

_gpt, _tok = model.load_pretrained()
_grow = prediction.Growth(_gpt, _tok, "En un lugar de la Mancha")
_long = prediction.Growth(_gpt, _tok, prediction.QUIJOTE_OPENING)  # más largo que la ventana: se recalcula entera
_texts = itertools.cycle(["En un lugar de la Man", "En un lugar de la Manc", "Don Quijote", ""])
_steps = itertools.cycle(range(1, 31))
_heads = itertools.cycle(range(_gpt.config.n_head))
_grow.upto(30)  # los 30 pasos del control de atención ya calculados, como en la diapositiva
_chars, _weights = prediction.step_attention(_gpt, _tok, _grow.steps[9])


def one_step():
    """Botón «Siguiente token»: un paso con caché KV + el texto, la frase y el gráfico del paso."""
    _grow.step()
    return mo.as_html(prediction.step_view(_grow.prompt.text, _grow.steps))


def one_step_full_window():
    """El mismo botón con un texto más largo que la ventana: cada paso recalcula sus 128 caracteres."""
    _long.step()
    return mo.as_html(prediction.step_view(_long.prompt.text, _long.steps))


def typed_text():
    """Escribir otro texto: una pasada del modelo + el gráfico de candidatos."""
    entrada = prediction.prepare_prompt(_tok, next(_texts))
    return mo.as_html(prediction.next_token_chart(_gpt, _tok, entrada.text))


def typed_text_ollama():
    """Escribir otro texto en la diapositiva de Ollama: nuestro gráfico + lo que se sabe de Ollama."""
    entrada = prediction.prepare_prompt(_tok, next(_texts))
    note, charts = prediction.ollama_panel(_gpt, _tok, entrada.text)
    return mo.as_html(mo.vstack([mo.md(note), *charts]))


def attention_step():
    """Mover el paso: la atención de ese paso, el mapa de las cabezas y el triángulo (dos celdas)."""
    step = _grow.steps[next(_steps) - 1]
    chars, weights = prediction.step_attention(_gpt, _tok, step)
    last = len(_gpt.blocks) - 1
    return mo.as_html(mo.vstack([prediction.heads_chart(chars, weights, last),
                                 prediction.triangle_chart(chars, weights, last, 0)]))


def attention_triangle():
    """Elegir otra cabeza: solo se redibuja el triángulo (los pesos ya están calculados)."""
    return mo.as_html(prediction.triangle_chart(_chars, _weights, 0, next(_heads)))


CASES = {
    "un paso de generación (Siguiente token)": one_step,
    "un paso con el texto más largo que la ventana": one_step_full_window,
    "gráfico del siguiente carácter al escribir": typed_text,
    "diapositiva de Ollama al escribir": typed_text_ollama,
    "mapa de atención y triángulo al mover el paso": attention_step,
    "triángulo de atención al cambiar de cabeza": attention_triangle,
}
