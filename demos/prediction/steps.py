"""El texto que crece paso a paso: la entrada de la sala, un carácter nuevo por clic y la reproducción sola.

``prepare_prompt`` acepta cualquier cosa que escriba la sala; ``Growth`` agrega un carácter a la
vez y recuerda cada paso (sus candidatos, el elegido y la ventana que vio el modelo); ``step_view``
es lo que muestra la diapositiva en cada paso y ``autoplay`` lo reproduce solo.
"""

from __future__ import annotations

import html
import re
import threading
import time
import unicodedata
from dataclasses import dataclass, field

import torch

from demos.decoding import Generator, one_thread
from demos.formatting import percent, thousands, visible
from demos.prediction.charts import Candidate, candidate_rows, probability_chart, top_candidates

MAX_PROMPT_CHARS = 2_000  # ¿cuánto texto aceptamos? (el modelo igual mira solo su ventana)
STEP_TEMPERATURE = 1.0  # la distribución tal como sale del modelo (la temperatura viene después)
SEED = 0  # ¿qué «dados» usamos? misma semilla → mismo texto
STEP_TOP = 8  # ¿cuántos candidatos por paso? (menos que ``SHOW_TOP``: la diapositiva lleva más cosas)
LONE_SURROGATE = re.compile("[\ud800-\udfff]")


# ---------------------------------------------------------------- el texto de entrada


def tail(text: str, max_chars: int) -> str:
    """El final de un texto largo, sin cortar una palabra por la mitad: «…lugar de la Mancha».

    Si no hay ningún espacio donde cortar (una sola palabra enorme), se corta donde caiga.
    """
    if len(text) <= max_chars:
        return text
    end = text[-max_chars:]
    if not text[-max_chars - 1].isspace():  # el corte cae dentro de una palabra: se salta hasta la próxima
        space = next((i for i, ch in enumerate(end) if ch.isspace()), -1)
        if 0 <= space < len(end) - 1:
            end = end[space + 1:]
    return "…" + end


@dataclass
class Prompt:
    text: str  # lo que de verdad le damos al modelo (normalizado y, si era enorme, recortado)
    notes: list[str] = field(default_factory=list)  # avisos en castellano para la sala


def prepare_prompt(tokenizer, text, max_chars: int = MAX_PROMPT_CHARS) -> Prompt:
    """Acepta cualquier cosa que escriba la sala y explica qué va a ver el modelo."""
    text = unicodedata.normalize("NFC", "" if text is None else str(text))
    text = LONE_SURROGATE.sub("\ufffd", text)  # medio emoji suelto: el navegador no podría ni recibirlo
    notes = []
    if len(text) > max_chars:
        notes.append(f"El texto tiene {thousands(len(text))} caracteres: uso solo los últimos {thousands(max_chars)}.")
        text = text[-max_chars:]
    if not text:
        notes.append("Sin texto: el modelo parte de un salto de línea (↵), como al comienzo de un párrafo.")
    unknown = tokenizer.unknown_chars(text)
    if unknown:
        shown = ", ".join(f"«{visible(ch)}» → «{visible(tokenizer.known(ch))}»" for ch in unknown[:6])
        more = f" y {len(unknown) - 6} más" if len(unknown) > 6 else ""
        notes.append(f"El modelo nunca vio {len(unknown)} de estos caracteres; los cambia por otros: {shown}{more}.")
    return Prompt(text, notes)


def notes_markdown(prompt: Prompt) -> str:
    return "\n\n".join(f"*{note}*" for note in prompt.notes)


# ---------------------------------------------------------------- el texto crece de a un carácter


@dataclass
class Step:
    number: int  # 1 = el primer carácter nuevo
    context: str  # todo el texto que había antes de este paso
    candidates: list[Candidate]
    chosen: Candidate
    rank: int  # 1 = era el más probable
    rest: float  # probabilidad que queda fuera de los candidatos dibujados
    vocab_size: int
    window: tuple[int, ...] = ()  # los ids que el modelo vio de verdad en este paso (su ventana)

    @property
    def surprising(self) -> bool:
        return self.rank > 1


class Growth:
    """Un texto que crece de a un carácter y recuerda cada paso para poder mostrarlo."""

    def __init__(self, model, tokenizer, prompt: str, temperature: float = STEP_TEMPERATURE, seed: int = SEED,
                 top: int = STEP_TOP):
        self.prompt = prepare_prompt(tokenizer, prompt)
        self.tokenizer, self.temperature, self.top = tokenizer, temperature, top
        self.generator = Generator(model, tokenizer, self.prompt.text, exact=True)  # la ventana de verdad
        self.rng = torch.Generator().manual_seed(int(seed))
        self.steps: list[Step] = []
        self._lock = threading.Lock()  # con «marimo run» varias sesiones comparten este objeto

    @property
    def text(self) -> str:
        return self.prompt.text + "".join(step.chosen.text for step in self.steps)

    def step(self) -> Step:
        with one_thread():
            probs = self.generator.distribution(self.temperature)
            token = self.generator.sample(self.temperature, generator=self.rng)
            chosen = Candidate(token, self.tokenizer.decode([token]), float(probs[token]))
            top = top_candidates(probs, self.tokenizer, self.top)
            step = Step(len(self.steps) + 1, self.text, top, chosen, rank=int((probs > probs[token]).sum()) + 1,
                        rest=1.0 - sum(c.probability for c in top), vocab_size=probs.numel(),
                        window=tuple(self.generator.window()))
            self.generator.append(token)  # aquí se calcula la predicción del paso siguiente
        self.steps.append(step)
        return step

    def upto(self, n: int) -> list[Step]:
        with self._lock, one_thread():
            while len(self.steps) < n:
                self.step()
            return self.steps[: max(n, 0)]


_growths: dict[tuple, tuple] = {}


def growth(model, tokenizer, prompt: str, temperature: float = STEP_TEMPERATURE, seed: int = SEED) -> Growth:
    """El mismo ``Growth`` para el mismo texto: cada clic en «Siguiente» calcula un solo paso."""
    key = (id(model), prompt, float(temperature), int(seed))
    if key not in _growths:
        if len(_growths) > 32:
            _growths.clear()
        _growths[key] = (model, Growth(model, tokenizer, prompt, temperature, seed))  # guarda el modelo: id único
    return _growths[key][1]


# ---------------------------------------------------------------- lo que muestra la diapositiva


def step_chart(step: Step, width: int = 560):
    rows = candidate_rows(step.candidates, step.chosen, step.rest, step.vocab_size - len(step.candidates))
    return probability_chart(rows, f"Paso {step.number}: ¿qué viene después de «{visible(tail(step.context, 18))}»?",
                             width=width)


def step_caption(step: Step) -> str:
    chosen = f"«{visible(step.chosen.text)}» ({percent(step.chosen.probability)})"
    if not step.surprising:
        return f"Paso {step.number}: sale {chosen}, el más probable."
    best = step.candidates[0]
    return (f"Paso {step.number}: sale {chosen}. **No era el más probable** (puesto {step.rank}; "
            f"el favorito era «{visible(best.text)}» con {percent(best.probability)}). Es un sorteo.")


def growth_html(prompt: str, steps: list[Step], max_chars: int = 400) -> str:
    """El texto: lo que escribimos en negro; lo que agregó el modelo, coloreado carácter a carácter."""
    kept = steps[-max_chars:]  # textos largos: solo el final, para que quepa en la pantalla
    room = max_chars - len(kept)
    shown = prompt[len(prompt) - room:] if room > 0 else ""
    cut = "…" if len(shown) < len(prompt) or len(kept) < len(steps) else ""
    spans = [cut + html.escape(shown)] + [_generated_span(s, last=s is steps[-1]) for s in kept]
    return ("<div style='font-size:28px;line-height:1.5;white-space:pre-wrap;font-family:ui-monospace,monospace;"
            f"max-width:1100px'>{''.join(spans)}</div>")


def quote_html(text: str, max_chars: int = 60) -> str:
    """El final del texto, entre comillas y a salvo de HTML: «…la Mancha»."""
    return f"<p style='font-size:22px;margin:0'>Texto: «{html.escape(tail(text, max_chars))}»</p>"


def _generated_span(step: Step, last: bool) -> str:
    text = "↵\n" if step.chosen.text == "\n" else html.escape(step.chosen.text)
    color = "#ffd8a8" if step.surprising else "#d0ebff"  # naranja: no era el favorito
    border = "outline:3px solid #e8590c;" if last else ""
    return f"<span title='paso {step.number}' style='background:{color};{border}'>{text}</span>"


GROWTH_LEGEND = ("<span style='background:#d0ebff'>&nbsp;azul&nbsp;</span> = el más probable · "
                 "<span style='background:#ffd8a8'>&nbsp;naranja&nbsp;</span> = salió otro (sorteo)")


def step_view(prompt: str, steps: list[Step], header=None):
    """Lo que muestra la diapositiva en cada paso: el texto, qué salió y entre qué candidatos."""
    import marimo as mo

    top = [] if header is None else [header]
    if not steps:
        return mo.vstack([*top, mo.Html(growth_html(prompt, [])), mo.md("Aprieta **Siguiente token** para empezar.")])
    last = steps[-1]
    return mo.vstack([*top, mo.Html(growth_html(prompt, steps)), mo.md(step_caption(last)), step_chart(last),
                      mo.Html(f"<small>{GROWTH_LEGEND}</small>")])


def autoplay(model, tokenizer, prompt: str, n_steps: int = 40, delay: float = 0.2, seed: int = SEED,
             header=None, show=None):
    """Reproduce la generación en la diapositiva, un carácter a la vez, calculado en vivo.

    ``show`` recibe la vista de cada paso (en una celda: ``mo.output.replace``). Devuelve la vista
    final: la celda la deja como su salida (si no, marimo la reemplaza al terminar).
    """
    import marimo as mo

    show = show or mo.output.replace
    grow = Growth(model, tokenizer, prompt, seed=seed)
    for _ in range(max(int(n_steps), 0)):
        grow.step()
        show(step_view(grow.prompt.text, grow.steps, header))
        time.sleep(delay)
    return step_view(grow.prompt.text, grow.steps, header)
