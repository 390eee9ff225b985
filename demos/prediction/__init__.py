"""Predicción del siguiente token: el modelo solo adivina qué carácter viene, uno a la vez.

Todo lo que sale de un modelo de lenguaje es una lista de probabilidades para el próximo
token. Para escribir un texto se elige uno, se agrega al final y se vuelve a preguntar.
Aquí está todo lo que muestra la sección: el gráfico de candidatos, el texto que crece paso
a paso, la prueba de que no tiene memoria, la atención y un LLM de verdad (si hay Ollama).

Uso: ``python -m demos.prediction "En un lugar"``

Cada archivo, una pieza::

    charts.py     los candidatos y sus gráficos: barras de probabilidad y plantillas de Vega-Lite ya armadas
    steps.py      la entrada de la sala y el texto que crece paso a paso (Growth, step_view, autoplay)
    window.py     sin memoria (lo mismo dos veces) y la ventana: lo que queda fuera no existe
    attention.py  la atención (mapas por cabeza y la matriz triangular) y «secuencial vs. paralelo»
    ollama.py     un LLM de verdad al lado del nuestro, si Ollama está corriendo
    __main__.py   la terminal: python -m demos.prediction --pasos 20 "En un lugar"
"""

from __future__ import annotations

from demos.formatting import visible
from demos.prediction.attention import (
    TRIANGLE_CHARS,
    attention_at,
    attention_maps,
    generation_calls,
    heads_chart,
    heads_rows,
    one_pass,
    one_pass_html,
    step_attention,
    triangle_chart,
    triangle_rows,
)
from demos.prediction.charts import (
    Candidate,
    candidate_rows,
    distribution_rows,
    next_token_chart,
    probability_chart,
    top_candidates,
)
from demos.prediction.ollama import OLLAMA_MODES, OLLAMA_TOP, ollama_chart, ollama_next_tokens, ollama_panel
from demos.prediction.steps import (
    MAX_PROMPT_CHARS,
    Growth,
    autoplay,
    growth,
    growth_html,
    notes_markdown,
    prepare_prompt,
    quote_html,
    step_caption,
    step_chart,
    step_view,
    tail,
)
from demos.prediction.window import (
    QUIJOTE_OPENING,
    context_window,
    same_input_twice,
    twice_charts,
    window_check,
    window_html,
    window_summary,
)

# lo que usan la presentación (``prediction.<nombre>``), los benchmarks, la temperatura y las pruebas;
# ``visible`` es el de demos/formatting.py: la diapositiva de la atención lo usa desde aquí
__all__ = ["MAX_PROMPT_CHARS", "OLLAMA_MODES", "OLLAMA_TOP", "QUIJOTE_OPENING", "TRIANGLE_CHARS", "Candidate", "Growth",
           "attention_at", "attention_maps", "autoplay", "candidate_rows", "context_window", "distribution_rows",
           "generation_calls", "growth", "growth_html", "heads_chart", "heads_rows", "next_token_chart",
           "notes_markdown", "ollama_chart", "ollama_next_tokens", "ollama_panel", "one_pass", "one_pass_html",
           "prepare_prompt", "probability_chart", "quote_html", "same_input_twice", "step_attention", "step_caption",
           "step_chart", "step_view", "tail", "top_candidates", "triangle_chart", "triangle_rows", "twice_charts",
           "visible", "window_check", "window_html", "window_summary"]
