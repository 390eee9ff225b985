"""El aspecto común de todos los gráficos del taller (altair), pensado para un proyector.

Sin pandas: los datos van como listas de diccionarios (``alt.Data(values=...)``) y cada
campo lleva su tipo (``"x:Q"``, ``"y:N"``); sin el tipo, altair dibuja un gráfico vacío.
"""

from __future__ import annotations

import base64
import html
import struct
import zlib

import altair as alt

FONT_SIZE = 18  # letra legible desde el fondo de la sala
WIDTH, HEIGHT = 640, 320
PALETTE = ["#1f6feb", "#e8590c", "#2f9e44", "#ae3ec9", "#f59f00", "#0c8599", "#c2255c", "#495057"]
HIGHLIGHT = "#e8590c"  # lo elegido / lo que hay que mirar
MUTED = "#adb5bd"  # lo descartado


def data(rows: list[dict]) -> alt.Data:
    return alt.Data(values=list(rows))


# Cifras a la chilena en ejes y etiquetas: «1.000», «0,5», «20 %» (Vega-Lite escribe en inglés si no).
SPANISH_NUMBERS = {"decimal": ",", "thousands": ".", "grouping": [3], "currency": ["$", ""], "percent": "\u00a0%"}
# Dibujado en SVG y no en canvas: el texto queda en la página, se puede medir (y buscar, y copiar).
USERMETA = {"embedOptions": {"renderer": "svg"}}


def style(chart, title: str | None = None, width: int = WIDTH, height: int = HEIGHT):
    """Letra grande, sin bordes, colores del taller, cifras en castellano. Se aplica al gráfico final."""
    if title:
        chart = chart.properties(title=title)
    return (
        chart.properties(width=width, height=height, usermeta=USERMETA)
        .configure(font="system-ui, sans-serif", locale={"number": SPANISH_NUMBERS})
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
        # las marcas del eje x, derechas: vega tumba las de un eje ordinal («turno:O») y cuestan leerlas
        x=alt.X(x, axis=alt.Axis(labelAngle=0)), y=alt.Y(y, scale=alt.Scale(zero=False)),
        color=alt.Color(series, title=None),
        tooltip=[x, y, series],
    )
    return style(chart, title, **size)


def png_bytes(pixels: list[list[tuple[int, int, int]]]) -> bytes:
    """Codifica una grilla de colores RGB como PNG (zlib + CRC: el formato es así de simple)."""
    height, width = len(pixels), len(pixels[0]) if pixels else 0
    return png_from_rgb(width, height, b"".join(bytes(c for rgb in row for c in rgb) for row in pixels))


def png_from_rgb(width: int, height: int, rgb: bytes) -> bytes:
    """Como ``png_bytes`` pero con los bytes R, G, B de toda la imagen seguidos (fila por fila)."""
    stride = 3 * width
    raw = b"".join(b"\x00" + rgb[row * stride : (row + 1) * stride] for row in range(height))  # filtro 0 por fila

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)  # 8 bits por canal, RGB
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")


def png_data_uri(pixels) -> str:
    return "data:image/png;base64," + base64.b64encode(png_bytes(pixels)).decode("ascii")


def diverging_color(value: float, limit: float) -> tuple[int, int, int]:
    """Azul para negativos, blanco para cero, rojo para positivos."""
    t = max(-1.0, min(1.0, value / limit)) if limit else 0.0
    fade = int(255 * (1 - abs(t)))
    return (255, fade, fade) if t > 0 else (fade, fade, 255)


def heatmap_html(matrix, title: str = "", width_px: int = 420) -> str:
    """Una matriz como imagen: cada número, un píxel de color (rápido aunque tenga miles)."""
    values = matrix.tolist() if hasattr(matrix, "tolist") else matrix
    limit = max((abs(v) for row in values for v in row), default=1.0) or 1.0
    pixels = [[diverging_color(v, limit) for v in row] for row in values]
    rows, cols = len(values), len(values[0]) if values else 0
    caption = f"<figcaption style='font-size:20px'>{html.escape(title)}</figcaption>" if title else ""
    legend = ("<div style='font-size:20px'><span style='color:#1c3fd6'>■</span> negativo · "
              "<span style='color:#999'>□</span> cero · <span style='color:#d61c1c'>■</span> positivo</div>")
    return (f"<figure style='margin:0'>{caption}<img alt='matriz de {rows}×{cols} números' "
            f"src='{png_data_uri(pixels)}' style='width:{width_px}px;image-rendering:pixelated;"
            f"border:1px solid #ccc'/>{legend}</figure>")


def matrix_rows(matrix, row_name: str = "fila", col_name: str = "columna", value_name: str = "valor"):
    """Convierte una matriz (lista de listas o tensor 2-D) en filas para ``heatmap``."""
    values = matrix.tolist() if hasattr(matrix, "tolist") else matrix
    return [{row_name: i, col_name: j, value_name: round(float(v), 4)}
            for i, row in enumerate(values) for j, v in enumerate(row)]
