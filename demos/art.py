"""Figuras que el taller dibuja solo (SVG escrito a mano): el telón del Mago de Oz.

La presentación abre con el telón cerrado («¿magia?») y termina con el telón abierto:
detrás solo hay tecnología. La animación es CSS dentro del SVG, así que también se mueve
en el apunte HTML estático, sin Python.

Uso: ``python -m demos.art`` escribe las figuras en ``figs/``.
"""

from __future__ import annotations

import sys
from html import escape
from pathlib import Path

FIGS = Path(__file__).resolve().parent.parent / "figs"
RED, DARK_RED, GOLD, STAGE = "#b3192b", "#6d0f1a", "#e0a526", "#1b1b2f"
MAX_HEIGHT_PX = 360  # ¿cuánto alto deja libre para el título y el texto de la diapositiva?


def _folds(gradient_id: str) -> str:
    """Pliegues del telón: franjas claras y oscuras que se repiten."""
    stops = "".join(
        f'<stop offset="{i / 12:.3f}" stop-color="{RED if i % 2 else DARK_RED}"/>' for i in range(13)
    )
    return f'<linearGradient id="{gradient_id}" x1="0" x2="1" y1="0" y2="0">{stops}</linearGradient>'


def curtain_svg(behind: list[str], opening: bool = False, width: int = 800, height: int = 380) -> str:
    """Un escenario con telón. ``behind``: líneas de texto detrás. ``opening``: el telón se abre."""
    half = width // 2
    lines = "".join(
        f'<text x="{half}" y="{110 + 60 * i}" text-anchor="middle" font-size="40" fill="#f8f9fa" '
        f'font-family="system-ui, sans-serif">{escape(line)}</text>'
        for i, line in enumerate(behind)
    )
    animation = ""
    if opening:
        animation = (
            "<style>.izq{animation:abre-izq 3s ease-in-out 1s forwards}"
            ".der{animation:abre-der 3s ease-in-out 1s forwards}"
            "@keyframes abre-izq{to{transform:translateX(-85%)}}"
            "@keyframes abre-der{to{transform:translateX(85%)}}</style>"
        )
    return (
        # a lo ancho de la diapositiva, pero nunca tan alto que empuje el texto fuera de 1280×720
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="100%" '
        f'style="max-height: {MAX_HEIGHT_PX}px" role="img" aria-label="Un telón de teatro">{animation}'
        f"<defs>{_folds('pliegues')}</defs>"
        f'<rect width="{width}" height="{height}" fill="{STAGE}"/>{lines}'
        f'<rect class="izq" x="0" y="0" width="{half}" height="{height}" fill="url(#pliegues)"/>'
        f'<rect class="der" x="{half}" y="0" width="{half}" height="{height}" fill="url(#pliegues)"/>'
        f'<rect x="0" y="0" width="{width}" height="36" fill="{GOLD}"/>'
        f'<rect x="0" y="{height - 14}" width="{width}" height="14" fill="#3b2a1a"/>'
        "</svg>"
    )


def closed_curtain() -> str:
    return curtain_svg(["¿Magia?"])


def open_curtain() -> str:
    return curtain_svg(["bits · tokens · estadística", "matrices · ingeniería", "(y mucho texto)"], opening=True)


def write_figures(folder: Path = FIGS) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, svg in (("telon_cerrado.svg", closed_curtain()), ("telon_abierto.svg", open_curtain())):
        path = folder / name
        path.write_text(svg + "\n", encoding="utf-8")
        written.append(path)
    return written


def main() -> int:
    for path in write_figures():
        print(f"Escribí {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
