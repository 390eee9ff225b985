"""Dibujos de la sección: el tren que tiende su propia vía y el camino completo de un texto.

La imagen del esquema original: un LLM es como un tren que va poniendo los rieles justo delante de
sí mismo. Cada riel es un token; el próximo se elige mirando solo los que ya están puestos.
"""

from __future__ import annotations

import html

from demos.formatting import visible

RAIL = ("<span style='display:inline-block;padding:4px 10px;margin:0 3px;border-bottom:6px solid #495057;"
        "background:{background};border-radius:6px 6px 0 0;{extra}'>{text}</span>")
PIPELINE = ("texto", "tokens", "embeddings", "modelo", "probabilidades", "temperatura", "siguiente token")


def track_html(laid: list[str], next_token: str) -> str:
    """Los tokens ya puestos como rieles firmes, el próximo a medio poner y el tren que avanza."""
    rails = "".join(RAIL.format(background="#e9ecef", extra="", text=html.escape(visible(t))) for t in laid)
    coming = RAIL.format(background="#fff3bf", extra="border-bottom-style:dashed;outline:3px dashed #e8590c",
                         text=html.escape(visible(next_token)) + " ?")
    train = "<span aria-hidden='true' style='font-size:44px;margin-left:6px'>🚂</span>"
    return (f"<div role='img' aria-label='Un tren que pone su propia vía, riel por riel' "
            f"style='font-size:26px;white-space:nowrap;overflow:hidden'>{rails}{coming}{train}</div>")


def pipeline_html(highlight: str | None = None) -> str:
    """texto → tokens → embeddings → modelo → probabilidades → temperatura → siguiente token ↺."""
    boxes = []
    for step in PIPELINE:
        color = "#e8590c" if step == highlight else "#1f6feb"
        boxes.append(f"<span style='border:3px solid {color};border-radius:10px;padding:6px 10px;"
                     f"white-space:nowrap'>{step}</span>")
    arrows = " <span aria-hidden='true'>→</span> ".join(boxes)
    return (f"<div style='font-size:24px;line-height:2.6'>{arrows} <span aria-hidden='true'>↺</span> "
            "<i>de vuelta al texto</i></div>")
