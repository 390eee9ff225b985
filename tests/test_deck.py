"""El notebook de la presentación: corre sin errores, su layout va al paso y se exporta."""

from __future__ import annotations

import html
import json
import os
import re
import subprocess
import sys
import textwrap

import pytest

from tests.conftest import ROOT

sys.path.insert(0, str(ROOT / "deck"))
import build_layout  # noqa: E402

from demos import SECTIONS  # noqa: E402

# cada sección abre con su título como encabezado de primer nivel (la portada y el cierre también)
HEADINGS = [section.title for section in SECTIONS]


def layout_cells() -> list[dict]:
    return json.loads(build_layout.LAYOUT.read_text(encoding="utf-8"))["data"]["cells"]


def test_layout_has_one_entry_per_cell():
    source = build_layout.NOTEBOOK.read_text(encoding="utf-8")
    decorated = re.findall(r"^(?:@app\.(?:cell|function|class_definition)\b|with app\.setup\b)", source, re.M)
    assert len(layout_cells()) == len(decorated) == len(build_layout.cell_names(source))


def test_layout_is_up_to_date_with_notes():
    assert build_layout.LAYOUT.read_text(encoding="utf-8") == build_layout.expected_layout(), (
        "corre: python deck/build_layout.py")


def test_every_visible_slide_has_speaker_notes():
    for index, cell in enumerate(layout_cells()):
        if cell["type"] != "skip":
            assert len(cell.get("speakerNotes", "")) > 40, f"la celda {index} no tiene notas"


def test_layout_builder_reports_missing_and_unknown_cells():
    errors = build_layout.problems(["a", "b"], {"a": {"type": "slide", "notes": "hola"}, "z": {"type": "x"}})
    assert any("«b»" in e for e in errors)
    assert any("«z»" in e for e in errors)
    assert any("type" in e for e in errors)


def test_sections_appear_in_order():
    source = build_layout.NOTEBOOK.read_text(encoding="utf-8")
    names, shared = build_layout.cell_names(source), build_layout.shared_functions(source)
    assert shared == ["responder"], "la versión 1 del chat es una función que ven todas las secciones"
    assert build_layout.section_problems(names, tuple(shared)) == []
    present = list(dict.fromkeys(build_layout.section_of(n).prefix for n in names if n not in ("setup", *shared)))
    assert present == [section.prefix for section in SECTIONS], "falta una sección, o sobra"


def test_the_section_checker_notices_order_and_strays():
    found = build_layout.section_problems(["setup", "bits_a", "portada", "bits_b", "suelta"])
    assert any("«suelta»" in problem for problem in found)
    assert any("orden" in problem for problem in found)


def test_notebook_runs_headless_without_failing_cells(deck_run):
    outputs, defs = deck_run
    assert "quijote_gpt" in defs and "datos" in defs
    assert defs["datos"] is not None, "con el corpus disponible, la celda de datos debe prepararlo"


def test_marimo_check_is_clean():
    result = subprocess.run([sys.executable, "-m", "marimo", "check", "--strict", "deck/taller.py"],
                            cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def h1_headings(fragment: str) -> list[str]:
    """Los textos de los ``<h1>`` de un trozo de HTML, sin etiquetas internas."""
    found = re.findall(r"<h1\b[^>]*>(.*?)</h1>", fragment, re.S)
    return [html.unescape(re.sub(r"<[^>]+>", "", text)).strip() for text in found]


def exported_outputs(page: str) -> list[str]:
    """El HTML de cada salida guardada en la página exportada, en el orden de las celdas.

    marimo guarda la sesión como JSON dentro de un ``<script>``: el código de las celdas también
    está en la página, así que buscar el texto a secas encontraría «# Bits» en el código."""
    start = page.index("{", page.index('"session"'))
    session, _ = json.JSONDecoder().raw_decode(page, start)
    return [value for cell in session["cells"] for output in cell["outputs"]
            for value in output.get("data", {}).values() if isinstance(value, str)]


def headless_outputs(outputs) -> list[str]:
    from marimo._output.formatting import as_html

    return [as_html(output).text for output in outputs if output is not None]


def test_h1_headings_are_read_from_html():
    fragment = '<span><h1 id="x">Predicci&oacute;n <em>del</em> token</h1><h2>no</h2><h1>Chat</h1></span>'
    assert h1_headings(fragment) == ["Predicción del token", "Chat"]


def test_every_section_opens_with_its_title_in_order(deck_run):
    outputs, _ = deck_run
    headings = [h for fragment in headless_outputs(outputs) for h in h1_headings(fragment)]
    assert headings == HEADINGS


@pytest.mark.slow
def test_export_html_contains_every_section(tmp_path):
    out = tmp_path / "taller.html"
    result = subprocess.run([sys.executable, "-m", "marimo", "export", "html", "deck/taller.py", "-o", str(out)],
                            cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    page = out.read_text(encoding="utf-8")
    headings = [h for fragment in exported_outputs(page) for h in h1_headings(fragment)]
    assert headings == HEADINGS, "los títulos de sección del HTML exportado no son los esperados"


# Con TALLER_CORPUS apuntando a un archivo que no existe (y, por si acaso, toda conexión fuera de
# 127.0.0.1 prohibida): ninguna celda falla y las que necesitan el corpus dicen cómo arreglarlo.
RUN_WITHOUT_CORPUS = textwrap.dedent("""
    import json, socket, sys
    _connect = socket.socket.connect
    def _solo_local(self, address):
        if isinstance(address, tuple) and address[0] not in ("127.0.0.1", "::1", "localhost"):
            raise OSError("prueba: la red está prohibida")
        return _connect(self, address)
    socket.socket.connect = _solo_local
    sys.path.insert(0, "deck")
    import build_layout
    from marimo._output.formatting import as_html
    from tests.conftest import load_deck
    outputs, defs = load_deck().app.run()  # una celda que falla lanza una excepción
    names = [n for n in build_layout.cell_names(build_layout.NOTEBOOK.read_text(encoding="utf-8")) if n != "setup"]
    shown = {name: as_html(out).text for name, out in zip(names, outputs, strict=True) if out is not None}
    print("RESULTADO " + json.dumps({"salidas": shown, "datos": defs["datos"] is None}))
""")
CORPUS_CELLS = ("entrenamiento_corpus", "entrenamiento_bigrama_vivo", "entrenamiento_gpt_vivo")


def test_notebook_with_a_wrong_corpus_path_explains_how_to_fix_it(tmp_path):
    env = {**os.environ, "TALLER_CORPUS": str(tmp_path / "no-hay-quijote.txt"), "XDG_CACHE_HOME": str(tmp_path),
           "HOME": str(tmp_path)}
    result = subprocess.run([sys.executable, "-c", RUN_WITHOUT_CORPUS], cwd=ROOT, env=env, capture_output=True,
                            text=True, timeout=900)
    assert result.returncode == 0, "una celda falló sin corpus:\n" + result.stderr[-3000:]
    found = json.loads(result.stdout.split("RESULTADO ", 1)[1])
    assert found["datos"], "sin corpus, la celda de datos debe quedar en None"
    for name in CORPUS_CELLS:
        shown = html.unescape(found["salidas"].get(name, ""))  # un callout guarda su texto como JSON
        assert page_contains(shown, "unset TALLER_CORPUS"), f"«{name}» no explica cómo arreglar la ruta del corpus"


def page_contains(page: str, text: str) -> bool:
    """marimo guarda las salidas como JSON con escapes \\uXXXX: buscamos ambas formas."""
    return text in page or json.dumps(text)[1:-1] in page


def test_a_change_in_demos_shows_without_restarting():
    """``auto_reload = "lazy"``: marimo recarga un módulo de demos/ que cambió (ver pyproject.toml)."""
    from marimo._config.manager import get_default_config_manager

    runtime = get_default_config_manager(current_path=str(build_layout.NOTEBOOK)).get_config()["runtime"]
    assert runtime["auto_reload"] == "lazy" and str(ROOT) in runtime["pythonpath"]


def test_marimo_edit_runs_the_deck_when_it_opens():
    """Quien abre el taller con «marimo edit» ve las demos calculadas (marimo, por defecto, no corre nada)."""
    from marimo._config.manager import get_default_config_manager

    for notebook in (build_layout.NOTEBOOK, ROOT / "deck" / "mi_chat.py"):
        runtime = get_default_config_manager(current_path=str(notebook)).get_config()["runtime"]
        assert runtime["auto_instantiate"] is True, notebook.name
