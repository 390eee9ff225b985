"""Lo que se ve en las diapositivas: las vecinas de una palabra (barras) y un mapa de palabras.

altair (por ``demos.charts``) se importa recién al dibujar: la terminal no lo necesita.
"""

from __future__ import annotations

import functools
import html
import textwrap

import numpy as np

from demos.formatting import decimal
from demos.words.cache import neighbours, quijote_vectors
from demos.words.vectors import NEIGHBOURS, Answer, fix_signs

# Para el mapa: el color lo ponemos nosotros; la posición la aprendió el programa solo.
MAP_GROUPS = {
    "nobleza": ["rey", "reina", "príncipe", "princesa", "emperador", "duquesa"],
    "cabalgaduras": ["Rocinante", "caballo", "rucio", "jumento", "asno"],
    "el cuerpo pide": ["hambre", "sed", "frío", "calor", "cansancio"],
    "dinero": ["dineros", "oro", "escudos", "ducados", "reales"],
}
MAP_WIDTH, MAP_HEIGHT = 640, 480


def answer_for(word: str | Answer, k: int = NEIGHBOURS) -> Answer:
    """La respuesta ya calculada, o la de El Quijote para la palabra escrita."""
    return word if isinstance(word, Answer) else neighbours(word, k)


# ---------------------------------------------------------------- las vecinas
def neighbours_html(word: str | Answer, k: int = NEIGHBOURS) -> str:
    """Las vecinas como barras en HTML (sin JavaScript, letra grande): para ``mo.Html``."""
    from demos import charts

    answer = answer_for(word, k)
    title = f'<p style="font-size:22px;margin:0 0 8px">{html.escape(answer.message)}</p>'
    rows = "".join(
        '<div style="display:flex;align-items:center;gap:12px;margin:4px 0">'
        f'<span style="width:9em;text-align:right">{html.escape(name)}</span>'
        f'<span style="display:inline-block;height:22px;width:{max(0.0, sim) * 60:.1f}%;'
        f'background:{charts.PALETTE[0]};border-radius:3px"></span>'
        f'<span style="font-variant-numeric:tabular-nums">{decimal(sim, 2)}</span></div>'
        for name, sim in answer.neighbours
    )
    return f'<div style="font-size:{charts.FONT_SIZE + 2}px;font-family:system-ui,sans-serif">{title}{rows}</div>'


def neighbours_chart(word: str | Answer, k: int = NEIGHBOURS):
    """Las vecinas como barras de altair: largo = coseno. Si la palabra no está, muestra el mensaje."""
    from demos import charts

    answer = answer_for(word, k)
    if not answer.neighbours:
        return message_chart(answer.message)
    rows = [{"palabra": name, "parecido": round(sim, 3), "valor": decimal(sim, 2)} for name, sim in answer.neighbours]
    title = f"Las palabras más parecidas a «{answer.word}»"
    return _bars_template().properties(data=charts.data(rows), title=title, height=44 * len(rows))


@functools.cache
def _bars_template():
    """El gráfico de barras sin datos: armarlo cuesta ~20 ms; así cada palabra nueva tarda ~2 ms."""
    import altair as alt

    from demos import charts

    base = alt.Chart().encode(
        y=alt.Y("palabra:N", sort="-x", title=None),
        x=alt.X("parecido:Q", scale=alt.Scale(domain=[0, 1]), title="parecido (coseno)",
                axis=alt.Axis(values=[0, 0.25, 0.5, 0.75, 1], format=".2~f")),
    )
    bars = base.mark_bar(color=charts.PALETTE[0]).encode(tooltip=["palabra:N", "valor:N"])
    labels = base.mark_text(align="left", dx=6, fontSize=charts.FONT_SIZE).encode(text="valor:N")
    return charts.style(alt.layer(bars, labels, data=charts.data([])))


# ---------------------------------------------------------------- el mapa
def map_points(groups: dict[str, list[str]] | None = None) -> list[dict]:
    """Las palabras elegidas en un plano: las dos direcciones en que más se diferencian (PCA).

    El color (el grupo) lo ponemos nosotros; la posición sale solo de los vectores.
    """
    vectors = quijote_vectors()
    chosen = [(vectors.lookup(w)[0], group) for group, members in (groups or MAP_GROUPS).items() for w in members]
    found = [(i, group) for i, group in chosen if i is not None]
    if len(found) < 3:
        return []
    matrix = vectors.vectors[[i for i, _ in found]].astype(np.float64)
    matrix -= matrix.mean(axis=0)
    _, _, directions = np.linalg.svd(matrix, full_matrices=False)
    plane = matrix @ fix_signs(directions[:2].T)
    return [{"palabra": vectors.shown[i], "grupo": group, "x": round(float(x), 4), "y": round(float(y), 4)}
            for (i, group), (x, y) in zip(found, plane, strict=True)]


def map_chart(groups: dict[str, list[str]] | None = None):
    """Un mapa de palabras: las que se usan parecido quedan cerca."""
    try:
        points = map_points(groups)
    except (FileNotFoundError, ValueError) as error:
        return message_chart(str(error))
    if not points:
        return message_chart("No hay suficientes palabras conocidas para dibujar el mapa.")
    return _draw_map(points)


def _draw_map(points: list[dict]):
    """Puntos de colores con su nombre al lado; sin ejes: lo que importa es quién queda cerca de quién."""
    import altair as alt

    from demos import charts

    x_domain, y_domain = _map_domains(points)
    _spread_labels(points, x_domain, y_domain, charts.FONT_SIZE)
    base = alt.Chart(charts.data(points)).encode(
        x=alt.X("x:Q", axis=None, scale=alt.Scale(domain=x_domain, nice=False, zero=False)),
        y=alt.Y("y:Q", axis=None, scale=alt.Scale(domain=y_domain, nice=False, zero=False)),
        color=alt.Color("grupo:N", title=None, legend=alt.Legend(symbolSize=200, symbolOpacity=1)),
    )
    dots = base.mark_circle(size=160, opacity=0.9).encode(tooltip=["palabra:N", "grupo:N"])
    leaders = base.mark_rule(strokeWidth=1, opacity=0.5).encode(y2="etiqueta_y:Q")
    names = base.mark_text(align="left", baseline="middle", dx=10, fontSize=charts.FONT_SIZE).encode(
        y="etiqueta_y:Q", text="palabra:N")
    title = "Un mapa de palabras aprendido de El Quijote"
    return charts.style(leaders + dots + names, title, width=MAP_WIDTH, height=MAP_HEIGHT)


def _map_domains(points: list[dict]) -> tuple[list[float], list[float]]:
    """Los bordes del mapa, con espacio a la derecha para los nombres."""
    xs, ys = [p["x"] for p in points], [p["y"] for p in points]
    width, height = (max(xs) - min(xs)) or 1.0, (max(ys) - min(ys)) or 1.0
    return [min(xs) - 0.05 * width, max(xs) + 0.25 * width], [min(ys) - 0.08 * height, max(ys) + 0.08 * height]


def _spread_labels(points: list[dict], x_domain: list[float], y_domain: list[float], font_size: int) -> None:
    """Sube o baja un poco los nombres que taparían otro nombre u otro punto (queda en ``etiqueta_y``)."""
    y_per_pixel = (y_domain[1] - y_domain[0]) / MAP_HEIGHT
    centres = [((p["x"] - x_domain[0]) / (x_domain[1] - x_domain[0]) * MAP_WIDTH, (y_domain[1] - p["y"]) / y_per_pixel)
               for p in points]
    taken = [(x - 7, y - 7, x + 7, y + 7) for x, y in centres]  # cajas (izquierda, arriba, derecha, abajo) en píxeles
    shifts = [0] + [sign * step for step in range(2, 160, 2) for sign in (1, -1)]  # 0, +2, -2, +4, -4…
    for point, (x, y) in sorted(zip(points, centres, strict=True), key=lambda pair: pair[1][1]):
        width = 0.6 * font_size * len(point["palabra"])
        candidates = ((x + 10, y + d - font_size / 2, x + 10 + width, y + d + font_size / 2) for d in shifts)
        box = next((c for c in candidates if not any(_overlap(c, t) for t in taken)), taken[0])
        taken.append(box)
        point["etiqueta_y"] = round(point["y"] - (box[1] + font_size / 2 - y) * y_per_pixel, 4)


def _overlap(a: tuple, b: tuple, margin: float = 8) -> bool:
    """¿Se tocan dos cajas (izquierda, arriba, derecha, abajo)? Con un margen a los lados."""
    return a[0] < b[2] + margin and b[0] < a[2] + margin and a[1] < b[3] and b[1] < a[3]


# ---------------------------------------------------------------- cuando no hay nada que dibujar
def message_chart(message: str):
    """Un «gráfico» que solo muestra un mensaje (p. ej. «No conozco…»), en varias líneas si es largo."""
    from demos import charts

    lines = textwrap.wrap(message, width=60) or [""]
    height = round(charts.FONT_SIZE * 1.4 * len(lines))
    return _message_template().properties(data=charts.data([{"mensaje": lines}]), height=height)


@functools.cache
def _message_template():
    import altair as alt

    from demos import charts

    chart = alt.Chart(charts.data([])).mark_text(
        fontSize=charts.FONT_SIZE, align="left", baseline="top", x=0, y=0, lineHeight=charts.FONT_SIZE * 1.4
    ).encode(text="mensaje:N")
    return charts.style(chart)
