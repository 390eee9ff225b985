"""Una imagen es una grilla de números: la carita de 16×16, dibujada con letras, como píxeles y como números."""

from __future__ import annotations

from demos import charts

# Una carita de 16×16 dibujada con letras: cámbiala y mira cómo cambian los números.
SPRITE = (
    "................",
    ".....NNNNNN.....",
    "...NNAAAAAANN...",
    "..NAAAAAAAAAAN..",
    ".NAAAAAAAAAAAAN.",
    ".NAAANNAANNAAAN.",
    "NAAAANNAANNAAAAN",
    "NAAAAAAAAAAAAAAN",
    "NARRAAAAAAAARRAN",
    "NAAANAAAAAANAAAN",
    "NAAAANAAAANAAAAN",
    ".NAAAANNNNAAAAN.",
    ".NAAAAAAAAAAAAN.",
    "..NAAAAAAAAAAN..",
    "...NNAAAAAANN...",
    ".....NNNNNN.....",
)
# letra → (número guardado, color RGB, nombre)
PALETTE = {
    ".": (0, (255, 255, 255), "blanco"),
    "N": (1, (33, 37, 41), "negro"),
    "A": (2, (255, 200, 0), "amarillo"),
    "R": (3, (255, 120, 140), "rosado"),
}


def sprite_numbers(sprite=SPRITE) -> list[list[int]]:
    """La imagen tal como se guarda: una grilla de números (un número por píxel)."""
    return [[PALETTE.get(ch, PALETTE["."])[0] for ch in row] for row in sprite]


def sprite_pixels(sprite=SPRITE) -> list[list[tuple[int, int, int]]]:
    colors = {number: rgb for number, rgb, _ in PALETTE.values()}
    return [[colors[n] for n in row] for row in sprite_numbers(sprite)]


def number_grid_html(numbers: list[list[int]], cell_px: int = 26) -> str:
    colors = {number: rgb for number, rgb, _ in PALETTE.values()}
    cells = "".join(
        "<tr>" + "".join(
            f"<td style='width:{cell_px}px;height:{cell_px}px;text-align:center;font-size:19px;padding:0;"
            f"background:rgba{colors.get(n, (255, 255, 255)) + (0.35,)}'>{n}</td>" for n in row) + "</tr>"
        for row in numbers)
    return ("<table style='border-collapse:collapse;font-family:ui-monospace,monospace;line-height:1'>"
            f"{cells}</table>")


def image_html(sprite=SPRITE, width_px: int = 416) -> str:
    """La carita como píxeles y como la grilla de números que hay detrás, más la paleta."""
    numbers = sprite_numbers(sprite)
    height, width = len(numbers), len(numbers[0])
    legend = " · ".join(f"<b>{n}</b> = rgb{rgb} {name}" for n, rgb, name in PALETTE.values())
    image = (f"<img alt='carita de {width}×{height} píxeles' src='{charts.png_data_uri(sprite_pixels(sprite))}' "
             f"style='width:{width_px}px;image-rendering:pixelated;border:1px solid #ccc'/>")
    return (f"<div style='display:flex;gap:32px;align-items:center'>{image}{number_grid_html(numbers)}</div>"
            f"<div style='font-size:20px;margin-top:8px'>{legend}</div>"
            f"<div style='font-size:20px'>{width}×{height} = {width * height} píxeles; con 3 bytes (R, G, B) "
            f"por píxel son {3 * width * height} bytes.</div>")
