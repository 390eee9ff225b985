"""El notebook de la presentación: corre sin errores, su layout va al paso y se exporta."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest

from tests.conftest import ROOT

sys.path.insert(0, str(ROOT / "deck"))
import build_layout  # noqa: E402

SECTION_TITLES = ["Bits", "Fotogramas", "Tokens", "Predicción del siguiente token", "Memoria",
                  "Temperatura", "Entrenamiento", "Chat"]


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
    names = build_layout.cell_names(build_layout.NOTEBOOK.read_text(encoding="utf-8"))
    prefixes = ["portada", "bits", "fotogramas", "tokens", "prediccion", "memoria", "temperatura",
                "entrenamiento", "chat", "cierre"]
    order = [next(i for i, p in enumerate(prefixes) if n.startswith(p)) for n in names if n != "setup"]
    assert order == sorted(order), "las secciones deben ir en el orden de la charla"
    assert set(order) == set(range(len(prefixes)))


def test_notebook_runs_headless_without_failing_cells(deck_run):
    outputs, defs = deck_run
    assert "quijote_gpt" in defs and "datos" in defs
    assert defs["datos"] is not None, "con el corpus disponible, la celda de datos debe prepararlo"


def test_marimo_check_is_clean():
    result = subprocess.run([sys.executable, "-m", "marimo", "check", "--strict", "deck/taller.py"],
                            cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.slow
def test_export_html_contains_every_section(tmp_path):
    out = tmp_path / "taller.html"
    result = subprocess.run([sys.executable, "-m", "marimo", "export", "html", "deck/taller.py", "-o", str(out)],
                            cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    page = out.read_text(encoding="utf-8")
    for title in SECTION_TITLES + ["Construye tu propio ChatGPT", "Detrás de la cortina"]:
        assert page_contains(page, title), f"falta «{title}» en el HTML exportado"


def page_contains(page: str, text: str) -> bool:
    """marimo guarda las salidas como JSON con escapes \\uXXXX: buscamos ambas formas."""
    return text in page or json.dumps(text)[1:-1] in page
