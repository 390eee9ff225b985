"""Fotogramas: la ilusión de la continuidad.

Un computador no guarda nada continuo. Un video son fotos quietas (fotogramas), un sonido son
mediciones sueltas (muestras), una imagen son cuadraditos (píxeles) con pocos colores posibles.
Con suficientes, el ojo y el oído no notan la diferencia: alta fidelidad no es continuidad.

Uso:
    python -m demos.frames                  # las tres ideas, con sus números
    python -m demos.frames --fps 24         # cuánto dura cada fotograma
    python -m demos.frames --muestras 20    # el error al muestrear una onda en 20 puntos
    python -m demos.frames --imagen 32 2    # la imagen en 32×32 píxeles y 2 bits por canal
"""

from __future__ import annotations

import base64
import functools
import math
import sys

import torch

from demos import charts, svgplot
from demos.aula.cli import ArgumentParser
from demos.bits import clamped, notes_html
from demos.decoding import one_thread
from demos.formatting import count, decimal, thousands

# ---------------------------------------------------------------- animación: fotogramas por segundo

LOOP_SECONDS = 2  # ¿cuánto tarda la pelota en dar una vuelta completa?
FPS_RANGE = (1, 60)  # el cine usa 24; la televisión, 30; los videojuegos, 60 o más
FILMSTRIP = 8  # ¿cuántos fotogramas mostramos en la tira de película?
FPS_UNIT = ("fotograma por segundo", "fotogramas por segundo")


def clamp_int(value, low: int, high: int, default: int) -> int:
    """Un entero dentro de [low, high], pase lo que pase con la entrada."""
    return clamped(value, low, high, default)[0]


def warnings(*notes: str | None) -> list[str]:
    """Los avisos de los valores que hubo que ajustar, listos para mostrar."""
    return [f"Ojo: {note}" for note in notes if note]


def frame_angles(fps: int, seconds: float = LOOP_SECONDS) -> list[float]:
    """El ángulo (en grados) de la pelota en cada fotograma de una vuelta."""
    n = max(1, int(fps * seconds))
    return [360 * i / n for i in range(n)]


def _ball_position(angle: float, radius: float) -> tuple[float, float]:
    rad = math.radians(angle - 90)  # empieza arriba, como las agujas del reloj
    return radius * math.cos(rad), radius * math.sin(rad)


def animation_svg(fps, size: int = 340) -> str:
    """Una pelota que da una vuelta cada 2 s, mostrada a ``fps`` fotogramas por segundo.

    La anima el navegador con CSS ``steps(n)``: exactamente n posiciones por vuelta, sin Python,
    así que mantiene el ritmo aunque el computador esté ocupado (y se mueve en el HTML exportado).
    Los puntos grises son los fotogramas: las únicas posiciones donde la pelota llega a estar.
    """
    fps = clamp_int(fps, *FPS_RANGE, default=24)
    angles = frame_angles(fps)
    half, radius = size / 2, size / 2 - 30
    ghosts = "".join(
        f"<circle cx='{x:.1f}' cy='{y:.1f}' r='5' fill='#adb5bd'/>"
        for x, y in (_ball_position(a, radius) for a in angles)
    )
    name = f"vuelta-{fps}"  # un nombre por fps: varias animaciones en la página no se pisan
    style = (f"<style>@keyframes {name}{{from{{transform:rotate(0deg)}}to{{transform:rotate(360deg)}}}}"
             f".{name}{{animation:{name} {LOOP_SECONDS}s steps({len(angles)}, end) infinite}}</style>")
    return (
        f"<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 {size} {size}' width='{size}' height='{size}' "
        f"role='img' aria-label='Una pelota que gira a {fps} fotogramas por segundo'>{style}"
        f"<g transform='translate({half},{half})'>"
        f"<circle r='{radius}' fill='none' stroke='#e9ecef' stroke-width='2'/>{ghosts}"
        f"<g class='{name}'><circle cx='0' cy='{-radius}' r='20' fill='{charts.HIGHLIGHT}'/></g>"
        "</g></svg>"
    )


def filmstrip_svg(fps, frames: int = FILMSTRIP, cell: int = 76) -> str:
    """Los primeros fotogramas, uno al lado del otro, como en una tira de película."""
    fps = clamp_int(fps, *FPS_RANGE, default=24)
    angles = frame_angles(fps)[:frames]
    radius = cell / 2 - 12
    cells = []
    for i, angle in enumerate(angles):
        x, y = _ball_position(angle, radius)
        ox = i * (cell + 6) + cell / 2
        cells.append(
            f"<rect x='{ox - cell / 2}' y='0' width='{cell}' height='{cell}' rx='6' fill='#212529'/>"
            f"<circle cx='{ox}' cy='{cell / 2}' r='{radius}' fill='none' stroke='#495057'/>"
            f"<circle cx='{ox + x:.1f}' cy='{cell / 2 + y:.1f}' r='7' fill='{charts.HIGHLIGHT}'/>"
            f"<text x='{ox}' y='{cell + 18}' text-anchor='middle' font-size='16' fill='#495057'>{i + 1}</text>"
        )
    width = len(angles) * (cell + 6)
    return (f"<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 {width} {cell + 24}' width='{width}' "
            f"height='{cell + 24}' role='img' aria-label='Los primeros fotogramas'>{''.join(cells)}</svg>")


def frame_facts(fps) -> dict:
    fps, note = clamped(fps, *FPS_RANGE, default=24, unit=FPS_UNIT)
    return {"fps": fps, "ms_por_fotograma": 1000 / fps, "fotogramas_por_vuelta": len(frame_angles(fps)),
            "grados_por_salto": 360 / len(frame_angles(fps)), "avisos": warnings(note)}


def frames_html(fps) -> str:
    """La animación, la tira de fotogramas y los números: cuánto dura cada foto quieta."""
    facts = frame_facts(fps)
    text = (f"<div style='font-size:22px;line-height:1.6'><b>{facts['fps']}</b> fotogramas por segundo<br>"
            f"cada foto quieta dura <b>{decimal(facts['ms_por_fotograma'])} ms</b>"
            f"<br>{facts['fotogramas_por_vuelta']} fotogramas por vuelta: saltos de "
            f"{facts['grados_por_salto']:.0f}°<br>"
            "<span style='font-size:20px;color:#495057'>cine: 24 · TV: 30 · videojuegos: 60</span></div>")
    return (f"<div style='display:flex;gap:40px;align-items:center'>{animation_svg(facts['fps'])}{text}</div>"
            f"<div style='margin-top:6px'>{filmstrip_svg(facts['fps'])}</div>{notes_html(facts['avisos'])}")


# ---------------------------------------------------------------- sonido: una onda en N muestras

FINE_POINTS = 600  # ¿con cuántos puntos dibujamos la curva «continua»? (también es discreta…)
SAMPLES_RANGE = (2, 100)
SAMPLES_UNIT = ("muestra por segundo", "muestras por segundo")


def wave(t: float) -> float:
    """Un «sonido» de un segundo: la mezcla de tres notas (2, 5 y 9 vibraciones por segundo)."""
    return (0.6 * math.sin(2 * math.pi * 2 * t) + 0.3 * math.sin(2 * math.pi * 5 * t + 0.5)
            + 0.1 * math.sin(2 * math.pi * 9 * t + 1.0))


def sample(n: int) -> list[tuple[float, float]]:
    """Medimos la onda en ``n`` instantes parejos: ``[(tiempo, valor)]``."""
    return [(i / n, wave(i / n)) for i in range(n)]


def hold(samples: list[tuple[float, float]], t: float) -> float:
    """Lo que reproduce el parlante: cada muestra se mantiene hasta la siguiente (escalera)."""
    n = len(samples)
    return samples[min(n - 1, int(t * n))][1]


def fine_curve() -> list[tuple[float, float]]:
    """La onda «continua» (también es discreta… pero con muchos más puntos)."""
    return [(i / FINE_POINTS, wave(i / FINE_POINTS)) for i in range(FINE_POINTS)]


def sampling_error(n) -> float:
    """Error medio entre la onda y su escalera, en % de la altura total de la onda."""
    n = clamp_int(n, 1, 100_000, default=10)
    curve, samples = fine_curve(), sample(n)
    values = [v for _, v in curve]
    mean_error = sum(abs(v - hold(samples, t)) for t, v in curve) / len(curve)
    return mean_error / (max(values) - min(values)) * 100


@functools.lru_cache(maxsize=1)
def error_rows() -> tuple[dict, ...]:
    """El error para cada N posible (se calcula una sola vez)."""
    low, high = SAMPLES_RANGE
    return tuple({"muestras": n, "error": round(sampling_error(n), 2)} for n in range(low, high + 1))


def wave_chart(n, width: int = 600, height: int = 320) -> str:
    """SVG: la onda (gris), las muestras (puntos) y lo que se reconstruye con ellas (escalera azul)."""
    n = clamp_int(n, *SAMPLES_RANGE, default=10)
    curve, points = fine_curve(), sample(n)
    x = svgplot.Scale(0, 1, 20, width - 20)
    y = svgplot.Scale(-1.1, 1.1, height - 60, 44)
    stairs = [(x(t), y(v)) for t, v in points] + [(x(1.0), y(points[-1][1]))]
    dots = "".join(svgplot.circle(x(t), y(v), 6 if n <= 40 else 4, svgplot.HIGHLIGHT) for t, v in points)
    ticks = [0, 0.25, 0.5, 0.75, 1]
    body = (svgplot.title(f"{n} muestras por segundo")
            + svgplot.polyline([(x(t), y(v)) for t, v in curve], svgplot.MUTED, 4)
            + svgplot.steps(stairs, svgplot.PALETTE[0], 2.5) + dots
            + svgplot.x_axis(x, ticks, height - 50, [decimal(t, 2).rstrip("0").rstrip(",") for t in ticks],
                             "tiempo (s)"))
    return svgplot.svg(width, height, body, f"Una onda medida {n} veces por segundo")


def error_chart(n, width: int = 380, height: int = 320) -> str:
    """SVG: cómo baja el error al aumentar las muestras; el punto naranja es la elección actual."""
    n = clamp_int(n, *SAMPLES_RANGE, default=10)
    rows = error_rows()
    top = max(r["error"] for r in rows)
    x = svgplot.Scale(SAMPLES_RANGE[0], SAMPLES_RANGE[1], 70, width - 16, log=True)
    y = svgplot.Scale(0, top * 1.05, height - 60, 44)
    current = sampling_error(n)
    line = svgplot.polyline([(x(r["muestras"]), y(r["error"])) for r in rows], svgplot.PALETTE[0], 3)
    x_ticks = [t for t in (2, 5, 10, 20, 50, 100) if SAMPLES_RANGE[0] <= t <= SAMPLES_RANGE[1]]
    y_ticks = list(range(0, int(top) + 1, 10))
    body = (svgplot.title(f"error: {decimal(current)} %") + line
            + svgplot.circle(x(n), y(current), 9, svgplot.HIGHLIGHT)
            + svgplot.x_axis(x, x_ticks, height - 50, [str(t) for t in x_ticks], "muestras (escala log)")
            + svgplot.y_axis(y, y_ticks, 70, [str(t) for t in y_ticks], "error medio (%)"))
    return svgplot.svg(width, height, body, f"El error con {n} muestras es {decimal(current)} %")


def samples_choice(n) -> tuple[int, list[str]]:
    """Cuántas muestras usar (entre 2 y 100) y el aviso si hubo que ajustar lo pedido."""
    n, note = clamped(n, *SAMPLES_RANGE, default=10, unit=SAMPLES_UNIT)
    return n, warnings(note)


def sampling_html(n) -> str:
    """Los dos gráficos, lado a lado."""
    n, notes = samples_choice(n)
    return (f"<div style='display:flex;gap:24px;align-items:flex-start'>{wave_chart(n)}{error_chart(n)}</div>"
            f"{notes_html(notes)}")


# ---------------------------------------------------------------- imagen: N×N píxeles, k bits por canal

SIDE_RANGE = (2, 128)  # ¿cuántos píxeles por lado? (128 ya se ve suave en la pantalla)
BITS_RANGE = (1, 8)  # ¿cuántos bits por canal? (8 = los 16,7 millones de colores de una pantalla)
SIDE_UNIT = ("píxel por lado", "píxeles por lado")
BITS_UNIT = ("bit por canal", "bits por canal")


def _mix(a: tuple, b: tuple, t: torch.Tensor) -> torch.Tensor:
    """Mezcla dos colores según t (0 → a, 1 → b); devuelve (N, N, 3)."""
    a, b = torch.tensor(a, dtype=torch.float32), torch.tensor(b, dtype=torch.float32)
    return a + (b - a) * t.unsqueeze(-1)


def scene(n: int) -> torch.Tensor:
    """Un atardecer en el mar, dibujado con fórmulas: colores entre 0 y 1, forma (N, N, 3).

    Como es una fórmula, se puede «fotografiar» con cualquier cantidad de píxeles.
    """
    coords = (torch.arange(n, dtype=torch.float32) + 0.5) / n  # el centro de cada píxel
    y, x = torch.meshgrid(coords, coords, indexing="ij")
    horizon = 0.62
    image = _mix((0.10, 0.12, 0.35), (1.0, 0.55, 0.25), (y / horizon).clamp(0, 1) ** 1.5)  # cielo
    sun = ((x - 0.62) ** 2 + (y - 0.48) ** 2).sqrt()
    glow = torch.exp(-(sun / 0.18) ** 2).unsqueeze(-1) * 0.5
    image = image + glow * torch.tensor([1.0, 0.8, 0.4])
    image = torch.where((sun < 0.1).unsqueeze(-1), torch.tensor([1.0, 0.93, 0.6]), image)
    hills = horizon - 0.06 - 0.05 * torch.sin(7 * x + 1) - 0.03 * torch.sin(17 * x)
    image = torch.where((y > hills).unsqueeze(-1), _mix((0.25, 0.12, 0.3), (0.15, 0.08, 0.2), x), image)
    sea = _mix((0.9, 0.5, 0.3), (0.05, 0.1, 0.3), ((y - horizon) / (1 - horizon)).clamp(0, 1) ** 0.6)
    shimmer = (torch.sin(90 * y + 2 * torch.sin(25 * x)) > 0.3) & ((x - 0.62).abs() < 0.12 * (1 - (y - horizon)))
    sea = torch.where(shimmer.unsqueeze(-1), torch.tensor([1.0, 0.85, 0.5]), sea)
    return torch.where((y > horizon).unsqueeze(-1), sea, image).clamp(0, 1)


def quantize(image: torch.Tensor, bits: int) -> torch.Tensor:
    """Cada canal redondeado a uno de 2**bits niveles, y llevado a bytes (0 a 255)."""
    levels = 2**bits - 1
    return ((image * levels).round() / levels * 255).round().to(torch.uint8)


def photograph(n: int, bits: int) -> torch.Tensor:
    """La escena con n×n píxeles y ``bits`` bits por canal: (n, n, 3) bytes."""
    with one_thread():
        return quantize(scene(n), bits)


def image_facts(n, bits) -> dict:
    n, side_note = clamped(n, *SIDE_RANGE, default=32, unit=SIDE_UNIT)
    bits, bits_note = clamped(bits, *BITS_RANGE, default=8, unit=BITS_UNIT)
    return {"lado": n, "bits": bits, "píxeles": n * n, "colores": 2 ** (3 * bits), "bits_total": n * n * 3 * bits,
            "avisos": warnings(side_note, bits_note)}


def image_html(n, bits, width_px: int = 400) -> str:
    """La escena fotografiada con N×N píxeles y k bits por canal, más lo que cuesta guardarla."""
    facts = image_facts(n, bits)
    side = facts["lado"]
    rgb = bytes(photograph(side, facts["bits"]).flatten().tolist())  # R, G, B, R, G, B… fila por fila
    uri = "data:image/png;base64," + base64.b64encode(charts.png_from_rgb(side, side, rgb)).decode("ascii")
    kilobytes = facts["bits_total"] / 8 / 1024
    text = (f"<div style='font-size:22px;line-height:1.6'><b>{facts['lado']}×{facts['lado']}</b> = "
            f"{thousands(facts['píxeles'])} píxeles<br>{count(facts['bits'], 'bit', 'bits')} por canal × 3 canales<br>"
            f"= {thousands(facts['colores'])} colores posibles<br>"
            f"pesa {thousands(facts['bits_total'])} bits ≈ {decimal(kilobytes)} KB"
            "<br><span style='font-size:20px;color:#495057'>una foto de celular: 4000×3000 píxeles, 8 bits por canal"
            "</span></div>")
    image = (f"<img alt='atardecer de {facts['lado']}×{facts['lado']} píxeles' src='{uri}' "
             f"style='width:{width_px}px;height:{width_px}px;image-rendering:pixelated;border:1px solid #ccc'/>")
    return f"<div style='display:flex;gap:36px;align-items:center'>{image}{text}</div>{notes_html(facts['avisos'])}"


def ascii_image(n, bits, width: int = 48) -> str:
    """La misma escena en la terminal: cada píxel, una letra según lo clara que es."""
    facts = image_facts(n, bits)
    shades = " .:-=+*#%@"
    pixels = photograph(facts["lado"], facts["bits"]).float() / 255
    brightness = pixels.mean(-1)  # (N, N)
    step = max(1, math.ceil(facts["lado"] / width))
    rows = []
    for row in brightness[::step * 2, ::step].tolist():  # las letras son el doble de altas que anchas
        rows.append("".join(shades[min(len(shades) - 1, int(v * len(shades)))] for v in row))
    return "\n".join(rows)


# ---------------------------------------------------------------- en la terminal


def main(argv=None) -> int:
    parser = ArgumentParser(description="La ilusión de la continuidad: fotogramas, muestras y píxeles.")
    parser.add_argument("--fps", type=float, help="fotogramas por segundo (1 a 60)")
    parser.add_argument("--muestras", type=float, help="muestras por segundo de la onda (2 a 100)")
    parser.add_argument("--imagen", nargs=2, type=float, metavar=("N", "K"), help="N×N píxeles, K bits por canal")
    args = parser.parse_args(argv)
    nothing = args.fps is None and args.muestras is None and args.imagen is None
    if args.fps is not None or nothing:
        print_frames(24 if args.fps is None else args.fps)
    if args.muestras is not None or nothing:
        print_sampling(10 if args.muestras is None else args.muestras)
    if args.imagen is not None or nothing:
        print_image(*(args.imagen or (32, 2)))
    return 0


def print_frames(fps) -> None:
    facts = frame_facts(fps)
    for note in facts["avisos"]:
        print(note)
    print(f"A {count(facts['fps'], 'fotograma', 'fotogramas')} por segundo, cada foto quieta dura "
          f"{decimal(facts['ms_por_fotograma'])} ms.")
    print(f"Una vuelta de {LOOP_SECONDS} s son {facts['fotogramas_por_vuelta']} fotogramas "
          f"(saltos de {facts['grados_por_salto']:.0f}°).")


def print_sampling(n) -> None:
    n, notes = samples_choice(n)
    for note in notes:
        print(note)
    print(f"Con {n} muestras por segundo, la onda reconstruida se equivoca en promedio un "
          f"{decimal(sampling_error(n))} % de su altura.")
    for more in (n * 2, n * 4):
        print(f"  con {more}: {decimal(sampling_error(more))} %")


def print_image(n, bits) -> None:
    facts = image_facts(n, bits)
    for note in facts["avisos"]:
        print(note)
    print(f"Imagen de {facts['lado']}×{facts['lado']} píxeles con {count(facts['bits'], 'bit', 'bits')} por canal: "
          f"{thousands(facts['colores'])} colores posibles, {thousands(facts['bits_total'])} bits.")
    print(ascii_image(facts["lado"], facts["bits"]))


if __name__ == "__main__":
    sys.exit(main())
