"""Sin memoria y con ventana: lo mismo dos veces da lo mismo, y lo que queda fuera de la ventana no existe.

``same_input_twice`` pregunta lo mismo con otras preguntas entremedio; ``window_check`` cambia todo
lo que quedó fuera de la ventana (no se nota) y una sola letra de adentro (sí se nota).
"""

from __future__ import annotations

import html
import unicodedata
from dataclasses import dataclass

import torch

from demos.decoding import next_token_distribution, one_thread
from demos.formatting import percent, visible
from demos.prediction.charts import distribution_rows, probability_chart

QUIJOTE_OPENING = ("En un lugar de la Mancha, de cuyo nombre no quiero acordarme, no ha mucho tiempo que vivía "
                   "un hidalgo de los de lanza en astillero, adarga antigua, rocín flaco y galgo corredor.")


# ---------------------------------------------------------------- sin memoria


@one_thread()
def same_input_twice(model, tokenizer, text: str, in_between=("Hola", "¿Qué animal da leche y dice mu?")):
    """Pregunta lo mismo dos veces, con otras preguntas entre medio: ¿cambió algo?"""
    first = next_token_distribution(model, tokenizer, text)
    for other in in_between:
        next_token_distribution(model, tokenizer, other)
    second = next_token_distribution(model, tokenizer, text)
    return first, second, torch.equal(first, second)


def twice_charts(first: torch.Tensor, second: torch.Tensor, tokenizer, k: int = 6) -> tuple:
    """Los dos gráficos, uno al lado del otro: si no tiene memoria, deben ser iguales."""
    return (probability_chart(distribution_rows(first, tokenizer, k), "1.ª vez", width=320),
            probability_chart(distribution_rows(second, tokenizer, k), "2.ª vez (después de otras)", width=320))


# ---------------------------------------------------------------- la ventana


def context_window(tokenizer, text: str, context_length: int) -> tuple[str, str]:
    """``(fuera, dentro)``: el modelo solo ve los últimos ``context_length`` caracteres."""
    text = unicodedata.normalize("NFC", text or "")
    cut = max(len(text) - int(context_length), 0)
    return text[:cut], text[cut:]


@dataclass
class WindowCheck:
    """Qué le pasa a la predicción si se cambia lo que está fuera de la ventana, o una letra de adentro."""

    outside: str  # lo que el modelo ya no alcanza a ver
    inside: str  # su ventana: los últimos ``context_length`` caracteres
    outside_shift: float | None  # el mayor cambio de probabilidad al cambiar TODO lo de afuera (None: no hay)
    inside_shift: float  # … al cambiar solo el primer carácter de la ventana (el más lejano que ve)
    replacement: str  # el carácter que se puso en su lugar


@one_thread()
def window_check(model, tokenizer, text: str) -> WindowCheck:
    """Cambia lo de afuera por otras letras y, aparte, una sola letra de adentro: ¿cuál se nota?"""
    outside, inside = context_window(tokenizer, text, model.context_length)
    inside = inside or "\n"  # sin texto, el modelo parte de un salto de línea
    base = next_token_distribution(model, tokenizer, outside + inside)
    new_outside = "".join(_other_char(tokenizer, ch) for ch in outside)
    outside_shift = _shift(base, next_token_distribution(model, tokenizer, new_outside + inside)) if outside else None
    replacement = _other_char(tokenizer, inside[0])
    inside_shift = _shift(base, next_token_distribution(model, tokenizer, outside + replacement + inside[1:]))
    return WindowCheck(outside, inside, outside_shift, inside_shift, replacement)


def _other_char(tokenizer, ch: str) -> str:
    """Una letra del vocabulario distinta de ``ch`` (tal como la ve el modelo)."""
    return next(c for c in ("x", "z", tokenizer.chars[0], tokenizer.chars[1]) if c in tokenizer.stoi
                and c != tokenizer.known(ch))


def _shift(before: torch.Tensor, after: torch.Tensor) -> float:
    return float((after - before).abs().max())


def window_summary(check: WindowCheck) -> str:
    """Las dos pruebas dichas para la sala, con los números que salieron de verdad."""
    inside = (f"Cambio solo «{visible(check.inside[0])}», el primer carácter azul, por «{check.replacement}»: "
              + (f"la probabilidad de algún carácter sube o baja **{percent(check.inside_shift)}**."
                 if check.inside_shift > 0 else "la predicción tampoco cambia."))
    if check.outside_shift is None:
        return f"El texto cabe entero en la ventana. {inside}"
    same = "no cambia ni en un decimal" if check.outside_shift == 0 else f"cambia {percent(check.outside_shift)}"
    return f"Cambio **todo** lo tachado por otras letras: la predicción **{same}**. {inside}"


def window_html(tokenizer, text: str, context_length: int) -> str:
    outside, inside = context_window(tokenizer, text, context_length)
    return ("<div style='font-size:24px;line-height:1.5;max-width:1100px'>"
            f"<span style='color:#adb5bd;text-decoration:line-through'>{html.escape(outside)}</span>"
            f"<span style='background:#d0ebff'>{html.escape(inside)}</span></div>")
