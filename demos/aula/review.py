"""Revisar el taller antes de la clase: recorrer cada diapositiva en Chromium y avisar de problemas.

    python -m demos.browser                 # recorre todas las diapositivas y avisa de problemas
                                            # (lo que no cabe, letra chica, cifras a la inglesa)
    python -m demos.browser --fotos DIR     # y además guarda una foto de cada una en DIR
    python -m demos.browser --figs figs/    # y rehace las capturas del README (figs/aula_*.png)
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

from demos.aula.browser import (
    VIEWPORT,
    ChromiumMissing,
    MarimoFailed,
    MarimoServer,
    PlaywrightError,
    PlaywrightTimeout,
    chromium,
    explain_os_error,
    first_line,
    process_tree_rss_mb,
)
from demos.aula.cli import ArgumentParser
from demos.aula.sizes import size_summary
from demos.aula.slides import (
    CHAT,
    SETTLE_MS,
    Step,
    ask_chat,
    open_deck,
    show_slide,
    slide,
    slides_with,
    wait_until_settled,
    walk,
)

# ---------------------------------------------------------------- las capturas del README

# celda → archivo en figs/; la captura es la de su diapositiva con todos los fragmentos a la vista
FIGURES = {
    "portada": "aula_portada",
    "bits_utf8": "aula_bits",
    "tokens_bpe_vivo": "aula_tokens",
    "prediccion_distribucion": "aula_prediccion",
    "memoria_tecnica1": "aula_memoria",
    "temperatura_control": "aula_temperatura",
    "entrenamiento_corpus": "aula_corpus",
    "entrenamiento_matrices": "aula_matrices",
    "refinamiento_lado_a_lado": "aula_refinamiento",
}
CHAT_FIGURE = ("chat_demo", "aula_chat")  # esta se toma después de preguntarle algo al chat
CHAT_PROMPT = "Hola, ¿quién eres?"
# sin flechas, barra de avance ni avisos flotantes: solo la diapositiva
SLIDE_ONLY_CSS = """
.reveal .controls, .reveal .progress, [data-testid=slide-scroll-hint],
[data-sonner-toaster], section[aria-label^="Notifications"] { display: none !important; }
"""


def figure_steps(steps: list[Step]) -> dict[str, Step]:
    """Para cada figura, la última parada de su diapositiva (la que ya muestra todos sus fragmentos)."""
    chosen = {}
    for step in steps:
        for cell in step.cells:
            if cell in FIGURES:
                chosen[FIGURES[cell]] = step
    return chosen


def save_figures(page, steps: list[Step], out: Path) -> tuple[list[Path], list[str]]:
    """Copia a ``out`` las fotos del recorrido que van al README y toma la del chat respondiendo.

    Devuelve los archivos escritos y los problemas (una celda que ya no está, un chat que no respondió).
    """
    out.mkdir(parents=True, exist_ok=True)
    written, problems = [], []
    chosen = figure_steps(steps)
    for cell, name in FIGURES.items():
        if name not in chosen or chosen[name].screenshot is None:
            problems.append(f"no encontré la celda «{cell}» en ninguna diapositiva (¿cambió de nombre?)")
            continue
        written.append(Path(shutil.copyfile(chosen[name].screenshot, out / f"{name}.png")))
    cell, name = CHAT_FIGURE
    indices = slides_with(page, f'[data-cell-name="{cell}"] {CHAT}')
    if not indices:
        return written, problems + [f"no encontré el chat (celda «{cell}») en ninguna diapositiva"]
    show_slide(page, indices[0])
    answer = ask_chat(page, slide(page, indices[0]), CHAT_PROMPT)
    if not answer.text.strip():
        return written, problems + ["el chat no respondió: no tomé la captura del chat"]
    page.mouse.click(5, 5)  # sin el cursor parpadeando en la caja de texto
    page.wait_for_timeout(SETTLE_MS)
    page.screenshot(path=str(out / f"{name}.png"))
    return written + [out / f"{name}.png"], problems


# ---------------------------------------------------------------- uso desde la terminal


def review(photos: Path | None, figs: Path | None = None) -> int:
    """Recorre el taller en Chromium e imprime, por diapositiva, su título y sus problemas."""
    print("Iniciando marimo run (el taller, en este computador)…", flush=True)
    with MarimoServer() as server, chromium() as browser, tempfile.TemporaryDirectory(prefix="fotos-") as scratch:
        print(f"  respondió en {server.first_answer_seconds:.1f} s", flush=True)
        page = browser.new_page(viewport=VIEWPORT)
        print(f"  primera diapositiva visible en {open_deck(page, server.url):.1f} s", flush=True)
        wait_until_settled(page)
        if figs is not None:
            page.add_style_tag(content=SLIDE_ONLY_CSS)
        steps = []
        for step in walk(page, photos or (Path(scratch) if figs is not None else None)):
            steps.append(step)
            problems = step.problems()
            print(f"{step.number:3d}. {step.title}{'  ✔' if not problems else ''}", flush=True)
            for problem in problems:
                print(f"       ✘ {problem}")
        bad = sum(bool(step.problems()) for step in steps)
        print(f"\n{size_summary([step.sizes for step in steps])}")
        print(f"Memoria de marimo con la presentación cargada: {process_tree_rss_mb(server.process.pid):.0f} MB")
        print(f"{len(steps)} paradas, {bad} con problemas." + (f" Fotos en {photos}/" if photos else ""))
        if figs is not None:
            bad += report_figures(*save_figures(page, steps, figs))
    return 1 if bad else 0


def report_figures(written: list[Path], problems: list[str]) -> int:
    print("\nCapturas para el README:")
    for path in written:
        print(f"  {path}")
    for problem in problems:
        print(f"  ✘ {problem}")
    return len(problems)


def main(argv: list[str] | None = None) -> int:
    parser = ArgumentParser(prog="python -m demos.browser",
                            description="Recorre la presentación en Chromium y revisa cada diapositiva.")
    parser.add_argument("--fotos", type=Path, default=None, metavar="CARPETA",
                        help="carpeta donde guardar una foto de cada diapositiva")
    parser.add_argument("--figs", type=Path, default=None, metavar="CARPETA",
                        help="carpeta donde rehacer las capturas del README (aula_*.png), p. ej. figs/")
    args = parser.parse_args(argv)
    try:
        for folder in (args.fotos, args.figs):  # antes del recorrido largo: ¿se puede escribir ahí?
            if folder is not None:
                folder.mkdir(parents=True, exist_ok=True)
        return review(args.fotos, args.figs)
    except ChromiumMissing as error:
        print(error, file=sys.stderr)
        return 2
    except PlaywrightTimeout as error:
        print(f"Chromium no terminó a tiempo (¿el computador está muy cargado? Prueba con TALLER_ESPERA_S=1200)."
              f"\ndetalle técnico: {first_line(error)}", file=sys.stderr)
    except PlaywrightError as error:
        print(f"Chromium falló mientras recorría el taller.\ndetalle técnico: {first_line(error)}", file=sys.stderr)
    except MarimoFailed as error:
        print(error, file=sys.stderr)
    except OSError as error:
        print(f"No pude guardar las fotos: {explain_os_error(error)}.\ndetalle técnico: {error}", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
