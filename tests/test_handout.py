"""El apunte: HTML sin notas del presentador (con ``--with-notes``, una copia con ellas) y un PDF sin red."""

from __future__ import annotations

import base64
import json
import re
import shlex
import subprocess
import sys

import pytest

from demos import browser, handout
from tests.conftest import ROOT
from tests.test_offline import NO_NAMESPACE, UNSHARE, offline_env

LAYOUT = ROOT / "deck" / "layouts" / "taller.slides.json"


def layout_cells() -> list[dict]:
    return json.loads(LAYOUT.read_text(encoding="utf-8"))["data"]["cells"]


def page_like_marimo(layout: dict) -> str:
    """Una página con el layout donde lo deja ``marimo export html`` 0.25: base64 (dos veces) y JSON."""
    data_uri = "data:application/json;base64," + base64.b64encode(json.dumps(layout).encode()).decode()
    code = json.dumps(f'app = marimo.App(layout_file="{data_uri}")\n')
    return (f'<script>window.__MARIMO_EXPORT_CONTEXT__ = {{notebookCode: {code}}};</script>\n'
            f'<script>window.__MARIMO_MOUNT_CONFIG__ = {{"config": {{"layout_file": "{data_uri}"}},\n'
            f'  "layout": {json.dumps(layout)}, "mode": "read"}};</script>')


# ---------------------------------------------------------------- quitar las notas (rápidas)


def test_the_leak_detector_finds_every_note_in_every_form():
    layout = json.loads(LAYOUT.read_text(encoding="utf-8"))
    notes = handout.load_notes()
    assert notes, "no encontré notas en deck/notas/"
    page = page_like_marimo(layout)
    leaks = handout.note_leaks(page, notes)
    assert "speakerNotes" in leaks
    only_base64 = page.split('"layout":')[0]  # aquí las notas están solo dentro del base64
    assert len(handout.note_leaks(only_base64, notes)) > len(notes) / 2


def test_stripping_removes_every_note_and_keeps_the_slides():
    layout = json.loads(LAYOUT.read_text(encoding="utf-8"))
    stripped = handout.strip_speaker_notes(page_like_marimo(layout))
    assert handout.note_leaks(stripped, handout.load_notes()) == []
    types = [cell["type"] for cell in layout_cells()]
    for blob in re.findall(r"data:application/json;base64,([A-Za-z0-9+/=]+)", stripped):
        kept = json.loads(base64.b64decode(blob))
        assert [cell["type"] for cell in kept["data"]["cells"]] == types
        assert kept["data"]["deck"] == layout["data"]["deck"]
    mount = stripped.split('"layout": ', 1)[1]
    kept_json, _ = json.JSONDecoder().raw_decode(mount)
    assert [cell["type"] for cell in kept_json["data"]["cells"]] == types


def test_stripping_handles_notes_in_any_position_and_is_idempotent():
    page = ('{"cells": [{"type": "slide", "speakerNotes": "al final \\"citado\\""}, '
            '{"speakerNotes": "al inicio", "type": "skip"}, {"speakerNotes": "sola"}]}')
    once = handout.strip_speaker_notes(page)
    assert json.loads(once) == {"cells": [{"type": "slide"}, {"type": "skip"}, {}]}
    assert handout.strip_speaker_notes(once) == once


# ---------------------------------------------------------------- con el export real de marimo


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    return handout.export_html(tmp_path_factory.mktemp("export") / "taller.html")


@pytest.mark.slow
def test_marimo_puts_the_notes_in_the_page_and_we_take_them_out(exported):
    notes = handout.load_notes()
    lines = [line.strip() for text in notes.values() for line in text.splitlines()
             if len(line.strip()) >= handout.MIN_NOTE_LINE]
    raw_leaks = handout.note_leaks(exported, notes)
    assert set(lines) <= set(raw_leaks), "el export de marimo cambió: las notas ya no están donde las buscamos"
    stripped = handout.strip_speaker_notes(exported)
    assert handout.note_leaks(stripped, notes) == []
    assert len(stripped) < len(exported)
    assert stripped.count("data:application/json;base64,") == exported.count("data:application/json;base64,")


# ---------------------------------------------------------------- el comando completo, sin red


def run_handout(out_dir) -> subprocess.CompletedProcess:
    """``python -m demos.handout -o DIR --with-notes``, sin red si el sistema lo permite."""
    command = [sys.executable, "-m", "demos.handout", "-o", str(out_dir), "--with-notes"]
    if NO_NAMESPACE is None:
        command = [*UNSHARE, "sh", "-c", f"ip link set lo up && exec {shlex.join(command)}"]
    return subprocess.run(command, cwd=ROOT, env=offline_env(), capture_output=True, text=True, timeout=3600)


@pytest.fixture(scope="module")
def handout_run(tmp_path_factory):
    out_dir = tmp_path_factory.mktemp("apunte")
    return run_handout(out_dir), out_dir


needs_chromium = pytest.mark.skipif(browser.find_chromium() is None, reason="no hay Chromium para hacer el PDF")


@pytest.mark.slow
@pytest.mark.browser
@needs_chromium
def test_the_handout_command_shows_progress_and_writes_every_file(handout_run):
    result, out_dir = handout_run
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-3000:]
    for step in ("[1/4]", "[2/4]", "[3/4]", "[4/4]", "Listo"):
        assert step in result.stdout, f"falta el aviso de avance «{step}»"
    names = {path.name for path in out_dir.iterdir()}
    assert {"taller.html", "taller.pdf", "taller_con_notas.html", "taller_con_notas.pdf"} <= names


@pytest.mark.slow
@pytest.mark.browser
@needs_chromium
def test_the_student_html_has_no_notes_and_the_teacher_copy_has_them_all(handout_run):
    result, out_dir = handout_run
    assert result.returncode == 0, result.stderr[-3000:]
    notes = handout.load_notes()
    assert handout.note_leaks((out_dir / "taller.html").read_text(encoding="utf-8"), notes) == []
    teacher = (out_dir / "taller_con_notas.html").read_text(encoding="utf-8")
    assert len(handout.note_leaks(teacher, notes)) > len(notes)


@pytest.mark.slow
@pytest.mark.browser
@needs_chromium
def test_the_pdf_has_one_page_per_slide_and_needs_nothing_from_outside(handout_run):
    result, out_dir = handout_run
    assert result.returncode == 0, result.stderr[-3000:]
    photographed = int(re.search(r"(\d+) diapositivas;", result.stdout).group(1))
    assert photographed >= browser.expected_slides()
    for name in ("taller.pdf", "taller_con_notas.pdf"):
        pdf = (out_dir / name).read_bytes()
        assert pdf.startswith(b"%PDF-")
        assert handout.pdf_pages(pdf) == photographed, name
        # nada que abrir afuera: ni enlaces, ni archivos externos, ni programas
        assert not re.search(rb"/URI|/Launch|/GoToR|https?://", pdf), f"{name} apunta a algo fuera del archivo"


@pytest.mark.slow
@pytest.mark.browser
@needs_chromium
def test_chromium_opens_the_pdf_with_the_network_cut(handout_run):
    result, out_dir = handout_run
    assert result.returncode == 0, result.stderr[-3000:]
    photographed = int(re.search(r"(\d+) diapositivas;", result.stdout).group(1))
    pages, blocked = handout.pages_chromium_sees(out_dir / "taller.pdf")
    if pages is None:
        pytest.skip("este Chromium no trae su visor de PDF")
    assert pages == photographed
    assert blocked == [], f"abrir el PDF pidió cosas a internet: {blocked[:5]}"
