"""Los gráficos de la predicción: barras de probabilidad y mapas de atención, listos en menos de un milisegundo.

Los candidatos a siguiente token (``Candidate``) se vuelven filas y las filas, un gráfico de
Vega-Lite. Las capas de cada tipo de gráfico (barras, cabezas, triángulo) se arman y validan con
altair una sola vez; en cada redibujo solo se ponen los datos, las etiquetas y el título.
"""

from __future__ import annotations

import functools
import hashlib
import json
from dataclasses import dataclass

import altair as alt
import torch

from demos.charts import HIGHLIGHT, MUTED, PALETTE, USERMETA, style
from demos.decoding import next_token_distribution, one_thread
from demos.formatting import percent, visible

SHOW_TOP = 10  # ¿cuántos candidatos dibujamos? (el resto va junto en una barra «otros»)
KIND_COLORS = {  # el color de cada barra dice qué le pasó a ese candidato
    "candidato": PALETTE[0],
    "elegido": HIGHLIGHT,
    "cortado": MUTED,
    "otros": "#dee2e6",
}


# ---------------------------------------------------------------- candidatos y sus filas


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
    rows = [bar_row(c.text, c.probability, "elegido" if chosen and c.token_id == chosen.token_id else "candidato")
            for c in candidates]
    if chosen and all(c.token_id != chosen.token_id for c in candidates):
        rows.append(bar_row(chosen.text, chosen.probability, "elegido"))
        rest = None if rest is None else rest - chosen.probability
        rest_count -= 1
    if rest is not None and rest_count > 0:
        rows.append({"token": f"otros {rest_count}", "probabilidad": max(rest, 0.0), "tipo": "otros",
                     "etiqueta": percent(max(rest, 0.0))})
    return rows


def bar_row(text: str, probability: float, kind: str) -> dict:
    """Una barra: el token a la vista, su probabilidad y, si salió sorteado, la marca «← elegido»."""
    label = percent(probability) + ("  ← elegido" if kind == "elegido" else "")
    return {"token": visible(text), "probabilidad": float(probability), "tipo": kind, "etiqueta": label}


def distribution_rows(probs: torch.Tensor, tokenizer, k: int = SHOW_TOP, chosen: Candidate | None = None):
    top = top_candidates(probs, tokenizer, k)
    rest = 1.0 - sum(c.probability for c in top)
    return candidate_rows(top, chosen, rest, probs.numel() - len(top))


# ---------------------------------------------------------------- plantillas de Vega-Lite, armadas una vez

LABELS = "__etiquetas__"  # en las plantillas, el lugar de las etiquetas de cada gráfico
_LOOK = style(alt.Chart()).config  # el aspecto común del taller, calculado una sola vez


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
            "datasets": {name: values}, "width": width, "height": height, "usermeta": USERMETA}
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


# ---------------------------------------------------------------- los gráficos de barras


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


# ---------------------------------------------------------------- las capas de los mapas de atención


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
