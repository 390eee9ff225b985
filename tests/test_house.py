"""La casa: las flechas entre los módulos de ``demos`` van en un solo sentido.

Se leen los archivos con ``ast`` (sin importarlos) y se juntan TODAS sus importaciones de
``demos.*``, también las que están dentro de funciones: una importación «perezosa» que cierra un
círculo sigue siendo un círculo, solo que escondido.
"""

from __future__ import annotations

import ast
from pathlib import Path

from tests.conftest import ROOT

DEMOS = ROOT / "demos"


def module_name(path: Path) -> str:
    """``demos/chat/pick.py`` → ``demos.chat.pick``; ``demos/chat/__init__.py`` → ``demos.chat``."""
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def all_modules() -> dict[str, Path]:
    return {module_name(path): path for path in sorted(DEMOS.rglob("*.py"))}


def _owner(name: str, modules) -> str | None:
    """El módulo de ``demos`` que se importa con ``name`` (``demos.chat.X`` sin archivo: ``demos.chat``)."""
    while name and name not in modules:
        name = name.rpartition(".")[0]
    return name if name.startswith("demos") else None


def _from_base(node: ast.ImportFrom, here: str, is_package: bool) -> str:
    """El módulo de un ``from … import``, también si es relativo (``from . import x``)."""
    if not node.level:
        return node.module or ""
    package = here if is_package else here.rpartition(".")[0]
    for _ in range(node.level - 1):
        package = package.rpartition(".")[0]
    return f"{package}.{node.module}" if node.module else package


def imports_of(source: str, here: str, modules, is_package: bool = False) -> set[str]:
    """Los módulos de ``demos`` que importa un archivo, en cualquier lugar del archivo."""
    found = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found |= {_owner(alias.name, modules) for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = _from_base(node, here, is_package)
            # «from demos.chat import knobs» importa el módulo knobs; «from demos import x», el módulo x
            found |= {_owner(f"{base}.{alias.name}", modules) if f"{base}.{alias.name}" in modules
                      else _owner(base, modules) for alias in node.names}
    return found - {None, here}


def import_graph() -> dict[str, set[str]]:
    modules = all_modules()
    return {name: imports_of(path.read_text(encoding="utf-8"), name, modules, path.name == "__init__.py")
            for name, path in modules.items()}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Todos los círculos simples, cada uno una sola vez (empieza en su módulo de nombre menor)."""
    found = []

    def walk(start: str, node: str, path: list[str]) -> None:
        for target in sorted(graph.get(node, ())):
            if target == start:
                found.append(path + [start])
            elif target > start and target not in path:
                walk(start, target, path + [target])

    for start in sorted(graph):
        walk(start, start, [start])
    return found


def test_the_reader_sees_imports_inside_functions():
    modules = {"demos", "demos.a", "demos.b", "demos.chat", "demos.chat.knobs"}
    source = ("import os\nfrom demos.chat import knobs, ChatSession\n"
              "def f():\n    from demos import b\n    import demos.a\n")
    assert imports_of(source, "demos.z", modules) == {"demos.a", "demos.b", "demos.chat", "demos.chat.knobs"}


def test_the_cycle_finder_finds_a_hidden_circle():
    graph = {"demos.a": {"demos.b"}, "demos.b": {"demos.c"}, "demos.c": {"demos.a"}, "demos.d": {"demos.a"}}
    assert cycles(graph) == [["demos.a", "demos.b", "demos.c", "demos.a"]]


def test_no_import_cycles_among_demos_modules():
    found = cycles(import_graph())
    assert not found, "círculos de importación: " + "; ".join(" → ".join(c) for c in found)


def test_the_chat_does_not_depend_on_the_memory_section():
    """La sección «Memoria» usa el chat (lo que se envía vive en ``demos/chat/payload.py``), nunca al revés."""
    graph = import_graph()
    chat_modules = [name for name in graph if name == "demos.chat" or name.startswith("demos.chat.")]
    assert len(chat_modules) > 5, chat_modules
    for name in chat_modules:
        assert "demos.memory" not in graph[name], f"{name} importa demos.memory"
    assert "demos.chat.payload" in graph["demos.memory"]


def test_no_module_is_longer_than_the_house_allows():
    """Ningún archivo de ``demos`` pasa de 500 líneas: una sección que necesita más se vuelve un paquete."""
    long = {name: n for name, path in all_modules().items()
            if (n := len(path.read_text(encoding="utf-8").splitlines())) > 500}
    assert not long, f"archivos de más de 500 líneas: {long}"


# Las capas de la casa: cada una puede usar las de abajo, nunca las de arriba.
LEAVES = {"demos.formatting", "demos.aula.cli"}  # números y textos para personas; la terminal en castellano
ENGINE = {"demos.corpus", "demos.tokenizer", "demos.model", "demos.sampling", "demos.decoding", "demos.trainer",
          "demos.chat_template"}
TOOLING = "demos.aula"  # las herramientas de la sala: no son el taller, lo revisan


def _layer_of(name: str) -> str:
    if name in LEAVES:
        return "hoja"
    if name in ENGINE:
        return "motor"
    if name == "demos.chat" or name.startswith("demos.chat."):
        return "chat"
    if name.startswith(TOOLING):
        return "sala"
    return "sección"


def test_the_layers_point_one_way():
    """El motor no sabe de secciones ni de diapositivas; el chat usa el motor; nadie usa a la sala."""
    allowed = {"hoja": {"hoja"}, "motor": {"hoja", "motor"}, "chat": {"hoja", "motor", "chat"},
               "sección": {"hoja", "motor", "chat", "sección"}, "sala": {"hoja", "sala"}}
    graph = import_graph()
    wrong = [f"{name} ({_layer_of(name)}) importa {target} ({_layer_of(target)})"
             for name, targets in graph.items() if name not in ("demos", "demos.browser", "demos.handout")
             for target in targets if target != "demos" and _layer_of(target) not in allowed[_layer_of(name)]]
    assert not wrong, "\n".join(wrong)


def test_the_engine_knows_no_slide():
    """Ni marimo ni altair en el motor: dibujar es cosa de las secciones."""
    for name in ENGINE | LEAVES:
        source = all_modules()[name].read_text(encoding="utf-8")
        assert "marimo" not in source and "altair" not in source, f"{name} habla de diapositivas"
