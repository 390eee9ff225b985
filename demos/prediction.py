"""Predicción del siguiente token: el modelo solo adivina qué carácter viene, uno a la vez.

Todo lo que sale de un modelo de lenguaje es una lista de probabilidades para el próximo
token. Para escribir un texto se elige uno, se agrega al final y se vuelve a preguntar.
Aquí está todo lo que muestra la sección: el gráfico de candidatos, el texto que crece paso
a paso, la prueba de que no tiene memoria, la atención y un LLM de verdad (si hay Ollama).

Uso: ``python -m demos.prediction "En un lugar"``
"""

from __future__ import annotations

import functools
import hashlib
import html
import json
import math
import os
import re
import sys
import threading
import time
import unicodedata
from dataclasses import dataclass, field

import altair as alt
import torch

from demos import charts
from demos.aula.cli import ArgumentParser
from demos.decoding import Generator, next_token_distribution, one_thread
from demos.formatting import percent, thousands, visible
from demos.model import generate, load_pretrained

SHOW_TOP = 10  # ¿cuántos candidatos dibujamos? (el resto va junto en una barra «otros»)
MAX_PROMPT_CHARS = 2_000  # ¿cuánto texto aceptamos? (el modelo igual mira solo su ventana)
STEP_TEMPERATURE = 1.0  # la distribución tal como sale del modelo (la temperatura viene después)
SEED = 0  # ¿qué «dados» usamos? misma semilla → mismo texto
STEP_TOP = 8  # ¿cuántos candidatos por paso? (menos que arriba: la diapositiva lleva más cosas)
ATTENTION_CHARS = 24  # ¿cuántos caracteres caben como columnas en un mapa de calor legible?
TRIANGLE_CHARS = 14  # ¿cuántas filas y columnas de la matriz completa caben en la diapositiva?
QUIJOTE_OPENING = ("En un lugar de la Mancha, de cuyo nombre no quiero acordarme, no ha mucho tiempo que vivía "
                   "un hidalgo de los de lanza en astillero, adarga antigua, rocín flaco y galgo corredor.")

KIND_COLORS = {  # el color de cada barra dice qué le pasó a ese candidato
    "candidato": charts.PALETTE[0],
    "elegido": charts.HIGHLIGHT,
    "cortado": charts.MUTED,
    "otros": "#dee2e6",
}
LONE_SURROGATE = re.compile("[\ud800-\udfff]")


# ---------------------------------------------------------------- mostrar texto


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


# ---------------------------------------------------------------- el texto de entrada


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


# ---------------------------------------------------------------- candidatos y su gráfico


@dataclass
class Candidate:
    token_id: int
    text: str
    probability: float


def top_candidates(probs: torch.Tensor, tokenizer, k: int = SHOW_TOP) -> list[Candidate]:
    values, ids = probs.topk(max(1, min(int(k), probs.numel())))
    return [Candidate(i, tokenizer.decode([i]), p) for p, i in zip(values.tolist(), ids.tolist(), strict=True)]


def candidate_rows(candidates: list[Candidate], chosen: Candidate | None = None, rest: float | None = None,
                   rest_count: int = 0) -> list[dict]:
    """Filas para ``probability_chart``: el elegido se marca aunque no esté entre los primeros."""
    rows = [_row(c.text, c.probability, "elegido" if chosen and c.token_id == chosen.token_id else "candidato")
            for c in candidates]
    if chosen and all(c.token_id != chosen.token_id for c in candidates):
        rows.append(_row(chosen.text, chosen.probability, "elegido"))
        rest = None if rest is None else rest - chosen.probability
        rest_count -= 1
    if rest is not None and rest_count > 0:
        rows.append({"token": f"otros {rest_count}", "probabilidad": max(rest, 0.0), "tipo": "otros",
                     "etiqueta": percent(max(rest, 0.0))})
    return rows


def _row(text: str, probability: float, kind: str) -> dict:
    label = percent(probability) + ("  ← elegido" if kind == "elegido" else "")
    return {"token": visible(text), "probabilidad": float(probability), "tipo": kind, "etiqueta": label}


def distribution_rows(probs: torch.Tensor, tokenizer, k: int = SHOW_TOP, chosen: Candidate | None = None):
    top = top_candidates(probs, tokenizer, k)
    rest = 1.0 - sum(c.probability for c in top)
    return candidate_rows(top, chosen, rest, probs.numel() - len(top))


LABELS = "__etiquetas__"  # en las plantillas, el lugar de las etiquetas de cada gráfico
_LOOK = charts.style(alt.Chart()).config  # el aspecto común del taller, calculado una sola vez


class PrebuiltChart(alt.LayerChart):
    """Un gráfico cuya especificación de Vega-Lite ya está armada: se entrega tal cual.

    Los gráficos se redibujan con cada control. Armarlos con objetos de altair y convertirlos
    a JSON cuesta ~13 ms de CPU por gráfico; aquí las capas se arman con altair UNA vez por tipo
    (``_layers``) y en cada redibujo solo se ponen los datos, las etiquetas y el título.
    Sigue siendo un gráfico de altair para marimo, que le pide su «mimebundle».
    """

    def __init__(self, spec: dict):
        super().__init__(layer=[])
        object.__setattr__(self, "_spec", spec)  # altair guarda sus atributos en otra parte

    def to_dict(self, validate: bool = False, **kwargs) -> dict:
        if validate:  # las pruebas lo piden: el esquema de Vega-Lite revisa todo
            alt.LayerChart.from_dict(self._spec, validate=True)
        return json.loads(json.dumps(self._spec))

    def _repr_mimebundle_(self, *args, **kwargs):
        return {"application/vnd.vegalite.v6+json": self._spec}


def fast_chart(rows: list[dict], kind: str, labels: list[str], title: str | None, width: int, height: int,
               x_max: float | None = None) -> PrebuiltChart:
    """Un gráfico listo en menos de un milisegundo: las capas de ``kind`` con estos datos y etiquetas."""
    values = json.dumps(rows)  # los datos van como UN texto JSON, como los deja altair
    name = "data-" + hashlib.md5(values.encode("utf-8", "surrogatepass")).hexdigest()
    spec = {**_layers(kind, json.dumps(labels), x_max), "data": {"name": name, "format": {"type": "json"}},
            "datasets": {name: values}, "width": width, "height": height, "usermeta": charts.USERMETA}
    if title:
        spec["title"] = title
    return PrebuiltChart(spec)


def _layers(kind: str, labels: str, x_max: float | None) -> dict:
    """Estilo y capas de ``kind`` con sus etiquetas: ``labels`` es una lista JSON, indexada por posición."""
    return json.loads(_layer_template(kind, x_max).replace(json.dumps(LABELS), json.dumps(f"{labels}[datum.value]")))


@functools.cache
def _layer_template(kind: str, x_max: float | None) -> str:
    """Estilo y capas de cada tipo de gráfico, armados y validados con altair una sola vez, como JSON."""
    layers = {"barras": _bar_layers, "cabezas": _heads_layers, "triangulo": _triangle_layers}[kind](x_max)
    empty = alt.InlineData(values="[]", format=alt.DataFormat(type="json"))
    spec = alt.LayerChart(data=empty, layer=layers, config=_LOOK).to_dict(validate=True)
    return json.dumps({key: spec[key] for key in ("config", "layer", "$schema")})


def _bar_layers(x_max: float | None) -> list:
    y = alt.Y("orden:O", title=None, axis=alt.Axis(labelExpr=LABELS, labelFontSize=22, ticks=False, domain=False,
                                                    labelPadding=8))
    scale = alt.Scale(domain=[0, x_max]) if x_max else alt.Scale(nice=False)
    x = alt.X("probabilidad:Q", title="probabilidad", scale=scale, axis=alt.Axis(format="%", tickCount=4))
    color = alt.Color("tipo:N", legend=None,
                      scale=alt.Scale(domain=list(KIND_COLORS), range=list(KIND_COLORS.values())))
    bars = alt.Chart().mark_bar().encode(y=y, x=x, color=color,
                                         tooltip=[alt.Tooltip("token:N"), alt.Tooltip("etiqueta:N")])
    text = alt.Chart().mark_text(align="left", dx=6, fontSize=17).encode(
        y=y, x=alt.X("probabilidad:Q"), text=alt.Text("etiqueta:N"))
    return [bars, text]


def probability_chart(rows: list[dict], title: str | None = None, x_max: float | None = None,
                      width: int = 560, row_height: int = 30):
    """Barras horizontales, una por token, en el orden dado; el color dice qué le pasó a cada uno."""
    values = [{**row, "orden": i} for i, row in enumerate(rows)]
    labels = [row["token"] for row in rows]  # etiquetas por posición: admite repetidos
    return fast_chart(values, "barras", labels, title, width, row_height * max(len(rows), 1), x_max)


def next_token_chart(model, tokenizer, text: str, k: int = SHOW_TOP, title: str | None = None, width: int = 560,
                     row_height: int = 30):
    """El gráfico más importante del taller: qué carácter cree el modelo que viene."""
    with one_thread():
        probs = next_token_distribution(model, tokenizer, text)
    return probability_chart(distribution_rows(probs, tokenizer, k), title, width=width, row_height=row_height)


# ---------------------------------------------------------------- el texto crece paso a paso


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


# ---------------------------------------------------------------- atención


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


def _attention_color():
    return alt.Color("peso:Q", scale=alt.Scale(scheme="blues", domain=[0, 1]), title="atención")


def _heads_layers(_x_max=None) -> list:
    x = alt.X("pos:O", title=None, axis=alt.Axis(labelExpr=LABELS, labelAngle=0, labelFontSize=20))
    return [alt.Chart().mark_rect().encode(x=x, y=alt.Y("cabeza:N", title=None), color=_attention_color(),
                                           tooltip=[alt.Tooltip("cabeza:N"), alt.Tooltip("peso:Q")])]


def _triangle_layers(_x_max=None) -> list:
    return [alt.Chart().mark_rect().encode(
        x=alt.X("a:O", title="… mira a este carácter", axis=alt.Axis(labelExpr=LABELS, labelAngle=0)),
        y=alt.Y("mira:O", title="este carácter…", axis=alt.Axis(labelExpr=LABELS)),
        color=_attention_color(), tooltip=[alt.Tooltip("mira:O"), alt.Tooltip("a:O"), alt.Tooltip("peso:Q")])]


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


# ---------------------------------------------------------------- un LLM de verdad: Ollama

OLLAMA_DEFAULT_HOST = "127.0.0.1:11434"
OLLAMA_TOP = 10  # ¿cuántas alternativas pedimos? (Ollama entrega hasta 20)
OLLAMA_CHECK_SECONDS = 0.5  # ¿cuánto esperamos para saber si hay un servidor?
OLLAMA_STATUS_SECONDS = 5.0  # ¿por cuánto rato vale lo que supimos del servidor? (la sala escribe rápido)
OLLAMA_ANSWER_SECONDS = 60.0  # ¿cuánto esperamos la respuesta? (la primera vez carga el modelo)
OLLAMA_MODES = {"continuar el texto": "generate", "responder como chat": "chat"}


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
        rows = [_row(c.text, c.probability, "elegido" if c.text == self.chosen else "candidato")
                for c in self.candidates]
        rest = 1.0 - sum(c.probability for c in self.candidates)
        if self.chosen is not None and self.rank is None and self.chosen_probability is not None:
            rows.append(_row(self.chosen, self.chosen_probability, "elegido"))  # salió uno de la cola
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


# ---------------------------------------------------------------- la terminal


def _bar(p: float, width: int = 30) -> str:
    return "█" * round(p * width)


def parse_args(argv: list[str]):
    parser = ArgumentParser(prog="python -m demos.prediction",
                            description="Qué carácter cree el modelo que viene, y el texto que crece paso a paso.")
    parser.add_argument("texto", nargs="*", help="el comienzo del texto (por omisión: «En un lugar»)")
    parser.add_argument("--pasos", type=int, default=20, help="cuántos caracteres nuevos escribir (por omisión: 20)")
    parser.add_argument("--semilla", type=int, default=SEED, help=f"los «dados» del sorteo (por omisión: {SEED})")
    args = parser.parse_args(argv)
    if not 0 <= args.pasos <= 2_000:
        parser.error("--pasos va de 0 a 2.000")
    return args


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    model, tokenizer = load_pretrained()
    prompt = prepare_prompt(tokenizer, " ".join(args.texto) if args.texto else "En un lugar")
    for note in prompt.notes:
        print(f"Aviso: {note}")
    with one_thread():
        probs = next_token_distribution(model, tokenizer, prompt.text)
    print(f"Después de «{tail(prompt.text, 60)}», el modelo cree que viene:")
    for c in top_candidates(probs, tokenizer, 5):
        print(f"  {visible(c.text):>3}  {percent(c.probability):>7}  {_bar(c.probability)}")
    print(f"\nEl texto crece de a un carácter (sorteo con semilla {args.semilla}):")
    grow = Growth(model, tokenizer, prompt.text, seed=args.semilla)
    for step in grow.upto(args.pasos):
        others = ", ".join(f"«{visible(c.text)}» {percent(c.probability)}" for c in step.candidates[:3])
        mark = "el más probable" if not step.surprising else f"NO era el más probable: puesto {step.rank}"
        print(f"  paso {step.number:2}: «{visible(step.chosen.text)}» {percent(step.chosen.probability):>7} "
              f"({mark})   candidatos: {others}")
    print(f"\nTexto final: {grow.text}")
    answer = ollama_next_tokens(prompt.text)
    print(f"\n{answer.message.replace('`', '')}")
    for c in answer.candidates[:5]:
        print(f"  {visible(c.text):>12}  {percent(c.probability):>7}  {_bar(c.probability)}")
    if answer.caption():
        print(answer.caption().replace("**", ""))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
