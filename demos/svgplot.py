"""Gráficos chicos en SVG escrito a mano, para las demos que se redibujan al mover un deslizador.

altair copia y valida todos los datos en cada paso (cientos de milisegundos con unos cientos de
puntos); un SVG hecho a mano se arma en menos de un milisegundo y se ve igual de nítido.
Usa los mismos colores y la misma letra que ``demos/charts.py``.
"""

from __future__ import annotations

import math
from html import escape

from demos import charts

FONT = "system-ui, sans-serif"
AXIS_COLOR = "#495057"


class Scale:
    """Lleva un valor del dominio [lo, hi] a píxeles [a, b] (lineal o logarítmica)."""

    def __init__(self, lo: float, hi: float, a: float, b: float, log: bool = False):
        self.log = log
        self.lo, self.hi = (math.log(lo), math.log(hi)) if log else (lo, hi)
        self.a, self.b = a, b

    def __call__(self, value: float) -> float:
        v = math.log(value) if self.log else value
        span = (self.hi - self.lo) or 1.0
        return self.a + (v - self.lo) / span * (self.b - self.a)


def svg(width: int, height: int, body: str, label: str) -> str:
    return (f"<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 {width} {height}' width='{width}' "
            f"height='{height}' role='img' aria-label='{escape(label, quote=True)}' "
            f"style='font-family:{FONT}'>{body}</svg>")


def text(x: float, y: float, content: str, size: int = 16, color: str = AXIS_COLOR, anchor: str = "middle",
         weight: str = "normal") -> str:
    return (f"<text x='{x:.1f}' y='{y:.1f}' font-size='{size}' fill='{color}' text-anchor='{anchor}' "
            f"font-weight='{weight}'>{escape(content)}</text>")


def polyline(points: list[tuple[float, float]], color: str, width: float = 3) -> str:
    coords = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
    return (f"<polyline points='{coords}' fill='none' stroke='{color}' stroke-width='{width}' "
            "stroke-linejoin='round'/>")


def steps(points: list[tuple[float, float]], color: str, width: float = 2) -> str:
    """Una escalera: cada valor se mantiene hasta el punto siguiente."""
    (x0, y0), rest = points[0], points[1:]
    path = f"M{x0:.1f},{y0:.1f} " + " ".join(f"H{x:.1f} V{y:.1f}" for x, y in rest)
    return f"<path d='{path}' fill='none' stroke='{color}' stroke-width='{width}'/>"


def circle(x: float, y: float, r: float, color: str, opacity: float = 1.0) -> str:
    return f"<circle cx='{x:.1f}' cy='{y:.1f}' r='{r}' fill='{color}' fill-opacity='{opacity}'/>"


def x_axis(scale: Scale, ticks: list[float], y: float, labels: list[str], title: str = "") -> str:
    parts = [f"<line x1='{scale.a}' x2='{scale.b}' y1='{y}' y2='{y}' stroke='{AXIS_COLOR}'/>"]
    for tick, label in zip(ticks, labels, strict=True):
        x = scale(tick)
        parts.append(f"<line x1='{x:.1f}' x2='{x:.1f}' y1='{y}' y2='{y + 5}' stroke='{AXIS_COLOR}'/>")
        parts.append(text(x, y + 22, label, 16))
    if title:
        parts.append(text((scale.a + scale.b) / 2, y + 44, title, 17, weight="bold"))
    return "".join(parts)


def y_axis(scale: Scale, ticks: list[float], x: float, labels: list[str], title: str = "") -> str:
    parts = [f"<line x1='{x}' x2='{x}' y1='{scale.a}' y2='{scale.b}' stroke='{AXIS_COLOR}'/>"]
    for tick, label in zip(ticks, labels, strict=True):
        y = scale(tick)
        parts.append(f"<line x1='{x - 5}' x2='{x}' y1='{y:.1f}' y2='{y:.1f}' stroke='{AXIS_COLOR}'/>")
        parts.append(text(x - 8, y + 5, label, 16, anchor="end"))
    if title:
        middle = (scale.a + scale.b) / 2
        label = text(0, 0, title, 17, weight="bold")
        parts.append(f"<g transform='translate({x - 46},{middle:.1f}) rotate(-90)'>{label}</g>")
    return "".join(parts)


def title(content: str, x: float = 8, y: float = 26) -> str:
    return text(x, y, content, 22, "#212529", anchor="start", weight="bold")


PALETTE = charts.PALETTE
HIGHLIGHT = charts.HIGHLIGHT
MUTED = charts.MUTED
