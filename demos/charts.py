"""El aspecto común de todos los gráficos del taller (altair), pensado para un proyector.

Sin pandas: los datos van como listas de diccionarios (``alt.Data(values=...)``) y cada
campo lleva su tipo (``"x:Q"``, ``"y:N"``); sin el tipo, altair dibuja un gráfico vacío.
"""

from __future__ import annotations

import altair as alt

FONT_SIZE = 18  # letra legible desde el fondo de la sala
WIDTH, HEIGHT = 640, 320
PALETTE = ["#1f6feb", "#e8590c", "#2f9e44", "#ae3ec9", "#f59f00", "#0c8599", "#c2255c", "#495057"]
HIGHLIGHT = "#e8590c"  # lo elegido / lo que hay que mirar
MUTED = "#adb5bd"  # lo descartado


def data(rows: list[dict]) -> alt.Data:
    return alt.Data(values=list(rows))


def style(chart, title: str | None = None, width: int = WIDTH, height: int = HEIGHT):
    """Letra grande, sin bordes, colores del taller. Se aplica al gráfico final."""
    if title:
        chart = chart.properties(title=title)
    return (
        chart.properties(width=width, height=height)
        .configure(font="system-ui, sans-serif")
        .configure_axis(labelFontSize=FONT_SIZE - 2, titleFontSize=FONT_SIZE, grid=False)
        .configure_legend(labelFontSize=FONT_SIZE - 2, titleFontSize=FONT_SIZE)
        .configure_title(fontSize=FONT_SIZE + 4, anchor="start")
        .configure_view(strokeWidth=0)
        .configure_range(category=PALETTE)
    )


def bars(rows: list[dict], x: str, y: str, title: str | None = None, color: str | None = None,
         sort: str = "-x", tooltip: list[str] | None = None, **size):
    """Barras horizontales: una fila por categoría (``y``), largo según ``x``."""
    encode = {"x": alt.X(x), "y": alt.Y(y, sort=sort), "tooltip": tooltip or [y, x]}
    if color:
        encode["color"] = alt.Color(color, legend=None)
    else:
        encode["color"] = alt.value(PALETTE[0])
    return style(alt.Chart(data(rows)).mark_bar().encode(**encode), title, **size)


def lines(rows: list[dict], x: str, y: str, series: str, title: str | None = None, **size):
    """Una línea por serie (por ejemplo: pérdida de entrenamiento y de validación)."""
    chart = alt.Chart(data(rows)).mark_line(point=True, strokeWidth=3).encode(
        x=alt.X(x), y=alt.Y(y, scale=alt.Scale(zero=False)), color=alt.Color(series, title=None),
        tooltip=[x, y, series],
    )
    return style(chart, title, **size)


def heatmap(rows: list[dict], x: str, y: str, value: str, title: str | None = None,
            scheme: str = "redblue", **size):
    """Una matriz como cuadrícula de colores: cada número, un cuadradito."""
    chart = alt.Chart(data(rows)).mark_rect().encode(
        x=alt.X(x, axis=None), y=alt.Y(y, axis=None),
        color=alt.Color(value, scale=alt.Scale(scheme=scheme, domainMid=0), title=None),
        tooltip=[x, y, value],
    )
    return style(chart, title, **size)


def matrix_rows(matrix, row_name: str = "fila", col_name: str = "columna", value_name: str = "valor"):
    """Convierte una matriz (lista de listas o tensor 2-D) en filas para ``heatmap``."""
    values = matrix.tolist() if hasattr(matrix, "tolist") else matrix
    return [{row_name: i, col_name: j, value_name: round(float(v), 4)}
            for i, row in enumerate(values) for j, v in enumerate(row)]
