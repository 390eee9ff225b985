"""Genera ``deck/layouts/taller.slides.json`` a partir del notebook y de las notas.

marimo empareja las entradas del layout con las celdas POR POSICIÓN: si se agrega una celda
y no se agrega su entrada, todas las diapositivas siguientes se corren. Para que eso no pase,
cada celda de ``taller.py`` tiene nombre (``def bits_titulo(...)``) y sus datos de diapositiva
(tipo y notas del presentador) viven en ``deck/notas/<sección>.toml`` bajo ese nombre. Este script
recorre las celdas en orden y escribe el JSON.

Agregar una diapositiva: una celda en ``taller.py`` con el prefijo de su sección, su entrada en
las notas de esa sección, y ``python deck/build_layout.py``. Las secciones y su orden están en un
solo lugar: ``SECTIONS``, en ``demos/__init__.py``.

Uso:
    python deck/build_layout.py           # reescribe el layout
    python deck/build_layout.py --check   # solo verifica que esté al día (sale con 1 si no)
"""

from __future__ import annotations

import ast
import json
import sys
import tomllib
from pathlib import Path

DECK_DIR = Path(__file__).parent
sys.path.insert(0, str(DECK_DIR.parent))  # la carpeta del proyecto: para leer demos.SECTIONS sin instalar nada
from demos import SECTIONS, section_of  # noqa: E402

NOTEBOOK = DECK_DIR / "taller.py"
NOTES_DIR = DECK_DIR / "notas"
LAYOUT = DECK_DIR / "layouts" / "taller.slides.json"
CELL_TYPES = {"slide", "sub-slide", "fragment", "skip"}
DECK_OPTIONS = {"transition": "slide", "verticalAlign": "center"}
SETUP = "setup"  # nombre con que las notas se refieren a ``with app.setup:``


def cell_names(source: str) -> list[str]:
    """Los nombres de las celdas, en el orden en que marimo las numera."""
    names = []
    for node in ast.parse(source).body:
        if isinstance(node, ast.With) and "app.setup" in ast.unparse(node.items[0].context_expr):
            names.append(SETUP)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and _is_cell(node):
            names.append(node.name)
    return names


def _is_cell(node) -> bool:
    decorators = [ast.unparse(d) for d in node.decorator_list]
    return any(d.split("(")[0] in {"app.cell", "app.function", "app.class_definition"} for d in decorators)


def load_notes(notes_dir: Path = NOTES_DIR) -> dict[str, dict]:
    """Junta las notas de todas las secciones; un nombre repetido en dos archivos es un error."""
    notes: dict[str, dict] = {}
    for path in sorted(notes_dir.glob("*.toml")):
        if path.stem not in {s.prefix for s in SECTIONS}:
            raise ValueError(f"deck/notas/{path.name} no es de ninguna sección (ver SECTIONS en demos/__init__.py)")
        for name, entry in tomllib.loads(path.read_text(encoding="utf-8")).items():
            if name in notes:
                raise ValueError(f"la celda «{name}» tiene notas en dos archivos (otra vez en {path.name})")
            if name != SETUP and section_of(name) is not None and section_of(name).prefix != path.stem:
                raise ValueError(f"las notas de «{name}» están en {path.name}: van en {section_of(name).prefix}.toml")
            notes[name] = entry
    return notes


def shared_functions(source: str) -> list[str]:
    """Las funciones de ``@app.function`` (como ``responder``): igual que el setup, son de todas las secciones."""
    return [node.name for node in ast.parse(source).body if isinstance(node, ast.FunctionDef)
            and any(ast.unparse(d).split("(")[0] == "app.function" for d in node.decorator_list)]


def section_problems(names: list[str], shared: tuple[str, ...] = ()) -> list[str]:
    """Cada celda es de una sección (por su prefijo) y las secciones van en el orden de ``SECTIONS``."""
    order = [s.prefix for s in SECTIONS]
    found = [f"la celda «{n}» no empieza con el prefijo de ninguna sección ({', '.join(order)})"
             for n in names if n not in (SETUP, "_", *shared) and section_of(n) is None]
    seen = [section_of(n).prefix for n in names if section_of(n) is not None]
    runs = [p for i, p in enumerate(seen) if i == 0 or seen[i - 1] != p]  # cada sección, una sola vez y seguida
    if runs != sorted(runs, key=order.index) or len(runs) != len(set(runs)):
        found.append("las secciones no van en el orden de SECTIONS, o una sección está partida: " + " → ".join(runs))
    return found


def problems(names: list[str], notes: dict[str, dict], shared: tuple[str, ...] = ()) -> list[str]:
    """Todo lo que impide un layout confiable, en castellano."""
    found = []
    repeated = sorted({n for n in names if names.count(n) > 1 and n != "_"})
    found += [f"hay dos celdas llamadas «{n}»" for n in repeated]
    found += ["hay una celda sin nombre (def _): ponle un nombre" for n in names if n == "_"][:1]
    found += [f"la celda «{n}» no tiene entrada en deck/notas/" for n in names if n != "_" and n not in notes]
    found += [f"las notas hablan de «{n}», que no es una celda de taller.py" for n in notes if n not in names]
    found += section_problems(names, shared)
    for name, entry in notes.items():
        if entry.get("type") not in CELL_TYPES:
            found.append(f"«{name}»: type debe ser uno de {sorted(CELL_TYPES)}")
        if entry.get("type") != "skip" and not str(entry.get("notes", "")).strip():
            found.append(f"«{name}»: le faltan las notas del presentador")
    return found


def build(names: list[str], notes: dict[str, dict]) -> dict:
    cells = []
    for name in names:
        entry = notes[name]
        cell = {"type": entry["type"]}
        if str(entry.get("notes", "")).strip():
            cell["speakerNotes"] = entry["notes"].strip()
        if "show_code" in entry:
            cell["showCode"] = bool(entry["show_code"])
        cells.append(cell)
    return {"type": "slides", "data": {"cells": cells, "deck": DECK_OPTIONS}}


def render(layout: dict) -> str:
    # tal como lo guarda marimo (escapes \uXXXX, sin salto final): abrir con «marimo edit» no lo cambia
    return json.dumps(layout, ensure_ascii=True, indent=2)


def expected_layout() -> str:
    source = NOTEBOOK.read_text(encoding="utf-8")
    names = cell_names(source)
    notes = load_notes()
    errors = problems(names, notes, tuple(shared_functions(source)))
    if errors:
        raise ValueError("\n".join(f"- {e}" for e in errors))
    return render(build(names, notes))


def main(argv: list[str]) -> int:
    try:
        text = expected_layout()
    except ValueError as error:
        print(f"No puedo generar el layout:\n{error}", file=sys.stderr)
        return 1
    if "--check" in argv:
        current = LAYOUT.read_text(encoding="utf-8") if LAYOUT.exists() else ""
        if current != text:
            print("El layout no está al día: corre  python deck/build_layout.py", file=sys.stderr)
            return 1
        print("El layout está al día.")
        return 0
    LAYOUT.parent.mkdir(parents=True, exist_ok=True)
    LAYOUT.write_text(text, encoding="utf-8")
    count = len(json.loads(text)["data"]["cells"])
    print(f"Escribí {LAYOUT} ({count} celdas).")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
