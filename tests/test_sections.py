"""Cada sección de la charla se sostiene sola: se puede borrar cualquiera y el resto sigue corriendo.

Una celda usa lo que define la celda de setup o lo que definen celdas de SU sección, nunca lo de otra
sección. Se revisa de dos maneras: leyendo el notebook (en marimo, los parámetros de una celda son
los nombres que usa y su ``return`` los que define) y corriéndolo sin cada sección, una a la vez.
"""

from __future__ import annotations

import ast
import importlib.util

import pytest

from demos import SECTIONS, section_of
from tests.conftest import ROOT

NOTEBOOK = ROOT / "deck" / "taller.py"


def cells(source: str) -> list[ast.FunctionDef]:
    return [node for node in ast.parse(source).body
            if isinstance(node, ast.FunctionDef) and any("app.cell" in ast.unparse(d) for d in node.decorator_list)]


def setup_functions(source: str) -> set[str]:
    """Las funciones ``@app.function`` (como ``responder``): son de todas las secciones."""
    return {node.name for node in ast.parse(source).body if isinstance(node, ast.FunctionDef)
            and any("app.function" in ast.unparse(d) for d in node.decorator_list)}


def setup_names(source: str) -> set[str]:
    """Lo que define la celda de setup (``with app.setup:``) y las funciones ``@app.function`` (como
    ``responder``): lo pueden usar todas las secciones."""
    functions = setup_functions(source)
    for node in ast.parse(source).body:
        if isinstance(node, ast.With) and "app.setup" in ast.unparse(node.items[0].context_expr):
            found = set()
            for child in ast.walk(node):
                if isinstance(child, (ast.Import, ast.ImportFrom)):
                    found |= {(alias.asname or alias.name).split(".")[0] for alias in child.names}
                elif isinstance(child, ast.Name) and isinstance(child.ctx, ast.Store):
                    found.add(child.id)
            return found | functions
    return functions


def defined(cell: ast.FunctionDef) -> set[str]:
    """Los nombres que la celda entrega a las demás: los de su ``return``."""
    returns = [node for node in cell.body if isinstance(node, ast.Return) and node.value is not None]
    names = set()
    for node in returns:
        values = node.value.elts if isinstance(node.value, ast.Tuple) else [node.value]
        names |= {value.id for value in values if isinstance(value, ast.Name)}
    return names


def test_no_cell_uses_a_name_defined_by_another_section():
    source = NOTEBOOK.read_text(encoding="utf-8")
    owner = {name: section_of(cell.name).prefix for cell in cells(source) for name in defined(cell)}
    shared = setup_names(source)
    borrowed = []
    for cell in cells(source):
        here = section_of(cell.name).prefix
        for argument in (a.arg for a in cell.args.args):
            if argument in shared:
                continue
            if owner.get(argument) != here:
                borrowed.append(f"{cell.name} usa «{argument}» de la sección «{owner.get(argument)}»")
    assert not borrowed, "\n".join(borrowed)


def test_every_cell_name_keeps_its_section_prefix():
    source = NOTEBOOK.read_text(encoding="utf-8")
    strays = [cell.name for cell in cells(source) if section_of(cell.name) is None]
    assert not strays, f"celdas sin el prefijo de su sección: {strays}"


def without_section(source: str, prefix: str) -> str:
    """El notebook sin las celdas de una sección (y sin su layout, que ya no calzaría)."""
    tree = ast.parse(source)
    tree.body = [node for node in tree.body
                 if not (isinstance(node, ast.FunctionDef) and section_of(node.name)
                         and section_of(node.name).prefix == prefix)]
    text = ast.unparse(tree)
    return text.replace('layout_file="layouts/taller.slides.json"', "").replace('css_file="taller.css"', "")


def run_notebook(path) -> tuple:
    """Corre un notebook sin navegador: ``(salidas, definiciones)``. Una celda que falla lanza una excepción."""
    spec = importlib.util.spec_from_file_location(f"taller_{path.stem}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.app.run()


@pytest.mark.slow
@pytest.mark.parametrize("prefix", [section.prefix for section in SECTIONS])
def test_the_deck_still_runs_without_each_section(prefix, tmp_path, monkeypatch):
    monkeypatch.syspath_prepend(str(ROOT))
    copy = tmp_path / f"sin_{prefix}.py"
    remaining = without_section(NOTEBOOK.read_text(encoding="utf-8"), prefix)
    copy.write_text(remaining, encoding="utf-8")
    outputs, _ = run_notebook(copy)  # si alguna celda de otra sección necesitaba algo de esta, aquí falla
    functions = len(setup_functions(remaining))  # las @app.function también dan una salida (vacía)
    assert len(outputs) == len(cells(remaining)) + functions
    assert len(cells(remaining)) < len(cells(NOTEBOOK.read_text(encoding="utf-8")))
