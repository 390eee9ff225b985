"""El apunte: HTML sin notas del presentador (con ``--con-notas``, una copia con ellas) y un PDF sin red."""

from __future__ import annotations

import base64
import html
import json
import re
import shlex
import subprocess
import sys
import textwrap
import urllib.parse

import pytest

from demos.aula import browser, handout, pdf, slides
from tests.conftest import ROOT
from tests.test_browser import skip_or_fail
from tests.test_offline import NO_NAMESPACE, UNSHARE, offline_env

LAYOUT = ROOT / "deck" / "layouts" / "taller.slides.json"
# un PNG de 1×1: basta para armar el HTML del PDF sin abrir Chromium
TINY_PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)


def layout_cells() -> list[dict]:
    return json.loads(LAYOUT.read_text(encoding="utf-8"))["data"]["cells"]


def data_uri(layout: dict) -> str:
    return "data:application/json;base64," + base64.b64encode(json.dumps(layout).encode()).decode()


def page_like_marimo(layout: dict) -> str:
    """Una página con el layout donde lo deja ``marimo export html`` 0.25: base64 (dos veces), JSON
    y el código del notebook codificado como URL en ``<marimo-code>``."""
    code = f'app = marimo.App(layout_file="{data_uri(layout)}")\n'
    return (f'<script>window.__MARIMO_EXPORT_CONTEXT__ = {{notebookCode: {json.dumps(code)}}};</script>\n'
            f'<script>window.__MARIMO_MOUNT_CONFIG__ = {{"config": {{"layout_file": "{data_uri(layout)}"}},\n'
            f'  "layout": {json.dumps(layout)}, "mode": "read"}};</script>\n'
            f'<marimo-code hidden="">\n    {urllib.parse.quote(code, safe=handout.URI_SAFE)}\n</marimo-code>')


def marimo_code(page: str) -> str:
    """El código del notebook que va en ``<marimo-code>``, ya decodificado."""
    encoded = re.search(r"<marimo-code hidden=\"\">(.*?)</marimo-code>", page, re.S).group(1)
    return urllib.parse.unquote(encoded).strip()


def whole_note(name: str) -> str:
    return f"la nota de «{name}»"


# ---------------------------------------------------------------- quitar las notas (rápidas)


def test_the_leak_detector_finds_every_note_in_every_form():
    layout = json.loads(LAYOUT.read_text(encoding="utf-8"))
    notes = handout.load_notes()
    assert notes, "no encontré notas en deck/notas/"
    page = page_like_marimo(layout)
    leaks = handout.note_leaks(page, notes)
    assert "speakerNotes" in leaks
    assert {whole_note(name) for name in notes} <= set(leaks)
    only_base64 = page.split('"layout":')[0]  # aquí las notas están solo dentro del base64
    assert {whole_note(name) for name in notes} <= set(handout.note_leaks(only_base64, notes))
    only_url = page.split("<marimo-code")[1]  # y aquí, solo en base64 dentro de una URL
    assert {whole_note(name) for name in notes} <= set(handout.note_leaks(only_url, notes))


SHORT_NOTE_FORMS = {
    "tal cual": lambda note: note,
    "html con <br>": lambda note: html.escape(note).replace("\n", "<br>\n"),
    "json": lambda note: json.dumps(note),  # con \n y \u00a1
    "json utf-8": lambda note: json.dumps(note, ensure_ascii=False),
    "url": lambda note: urllib.parse.quote(note),
    "base64": lambda note: "data:text/plain;base64," + base64.b64encode(note.encode()).decode(),
    "una sola línea": lambda note: " ".join(note.split()),
}


@pytest.mark.parametrize("form", SHORT_NOTE_FORMS.values(), ids=SHORT_NOTE_FORMS.keys())
def test_a_short_note_cannot_leak_either(form):
    notes = {"pausa": "¡Pausa!\nPregunta\nalgo.", "otra": "Una nota cualquiera, más larga que las otras dos."}
    page = f"<div>La diapositiva de siempre.</div><p>{form(notes['pausa'])}</p>"
    assert handout.note_leaks(page, notes) == [whole_note("pausa")]
    assert handout.note_leaks("<p>¡Pausa! Pregunta otra cosa.</p>", notes) == []


def test_stripping_removes_every_note_and_keeps_the_slides():
    layout = json.loads(LAYOUT.read_text(encoding="utf-8"))
    stripped = handout.strip_speaker_notes(page_like_marimo(layout))
    assert handout.note_leaks(stripped, handout.load_notes()) == []
    types = [cell["type"] for cell in layout_cells()]
    blobs = re.findall(r"data:application/json;base64,([A-Za-z0-9+/=]+)", stripped + marimo_code(stripped))
    assert len(blobs) == 3, "el layout debe seguir en la configuración, en el código y en <marimo-code>"
    for blob in blobs:
        kept = json.loads(base64.b64decode(blob))
        assert [cell["type"] for cell in kept["data"]["cells"]] == types
        assert kept["data"]["deck"] == layout["data"]["deck"]
    mount = stripped.split('"layout": ', 1)[1]
    kept_json, _ = json.JSONDecoder().raw_decode(mount)
    assert [cell["type"] for cell in kept_json["data"]["cells"]] == types
    assert marimo_code(stripped).startswith("app = marimo.App(layout_file=")


def test_stripping_handles_notes_in_any_position_and_is_idempotent():
    page = ('{"cells": [{"type": "slide", "speakerNotes": "al final \\"citado\\""}, '
            '{"speakerNotes": "al inicio", "type": "skip"}, {"speakerNotes": "sola"}]}')
    once = handout.strip_speaker_notes(page)
    assert json.loads(once) == {"cells": [{"type": "slide"}, {"type": "skip"}, {}]}
    assert handout.strip_speaker_notes(once) == once
    marimo = page_like_marimo(json.loads(LAYOUT.read_text(encoding="utf-8")))
    assert handout.strip_speaker_notes(handout.strip_speaker_notes(marimo)) == handout.strip_speaker_notes(marimo)


# ---------------------------------------------------------------- ¿trae el código y los resultados?


def page_with_cells(cells: dict[str, tuple[str, int]]) -> str:
    """Una página con ``__MARIMO_MOUNT_CONFIG__`` como la de marimo: código y salidas por celda."""
    notebook = [{"id": f"c{n}", "name": name, "code": code} for n, (name, (code, _)) in enumerate(cells.items())]
    session = [{"id": f"c{n}", "outputs": [{"type": "data", "data": {"text/html": "<p>hola</p>"}}] * outputs}
               for n, (_, outputs) in enumerate(cells.values())]
    config = json.dumps({"mode": "read", "notebook": {"cells": notebook}, "session": {"cells": session}})
    return ('<script>Object.defineProperty(window, "__MARIMO_MOUNT_CONFIG__", {\n'
            f'        value: Object.freeze({config}),\n        writable: false}});</script>')


def test_the_handout_check_notices_missing_code_and_empty_slides():
    names = handout.deck_cells()
    assert "portada" in names and "bits_utf8" in names and len(names) > 20
    complete = {name: (f"# código de {name}\nx = 1", 1) for name in names}
    assert handout.content_problems(page_with_cells(complete)) == []
    assert handout.content_problems(page_with_cells({**complete, "bits_utf8": ("", 1)})) == [
        "falta el código de «bits_utf8»"]
    without_portada = {name: cell for name, cell in complete.items() if name != "portada"}
    assert handout.content_problems(page_with_cells(without_portada)) == ["falta el código de «portada»"]
    assert handout.content_problems(page_with_cells({**complete, "portada": ("x = 1", 0)})) == [
        "la diapositiva «portada» quedó sin resultado"]
    assert handout.content_problems("<html>sin nada</html>") != []


# ---------------------------------------------------------------- el HTML del PDF


def photographed(tmp_path, cells_by_slide: list[list[str]]) -> list[slides.Step]:
    steps = []
    for number, cells in enumerate(cells_by_slide, start=1):
        shot = tmp_path / f"{number:02d}.png"
        shot.write_bytes(TINY_PNG)
        steps.append(slides.Step(number=number, h=number - 1, v=0, fragments=0, text=f"Diapositiva {number} <b>",
                                  headings=[], errors=[], extra_height=0, extra_width=0, cells=cells,
                                  screenshot=shot))
    return steps


def test_the_teacher_pdf_carries_the_notes_and_the_student_pdf_does_not(tmp_path):
    notes = handout.load_notes()
    with_notes = [name for name in notes][:3]
    steps = photographed(tmp_path, [[with_notes[0]], [with_notes[1], with_notes[2]], ["celda_sin_notas"]])
    teacher = pdf.pdf_html(steps, notes)
    student = pdf.pdf_html(steps, None)
    for name in with_notes:
        assert html.escape(notes[name]) in teacher, f"falta la nota de «{name}» en la versión con notas"
    assert {whole_note(name) for name in with_notes} <= set(handout.note_leaks(teacher, notes))
    assert handout.note_leaks(student, notes) == []
    assert teacher.count("<section>") == student.count("<section>") == 3
    assert student.count(f"data:image/png;base64,{base64.b64encode(TINY_PNG).decode()}") == 3
    assert "Diapositiva 1 &lt;b&gt;" in student, "el texto de la diapositiva va escapado, para buscarlo en el PDF"


def test_slides_with_errors_or_blocked_requests_are_reported(tmp_path):
    steps = photographed(tmp_path, [["portada"], ["bits_utf8"], ["tokens_titulo"]])
    assert pdf.broken_slides(steps) == [] and pdf.photo_warnings(steps, []) == []
    steps[1].errors = ["NameError: name 'x' is not defined"]
    steps[2].extra_height = 80
    assert pdf.broken_slides(steps) == ["diapositiva 2 (Diapositiva 2 <b>): NameError: name 'x' is not defined"]
    warnings = pdf.photo_warnings(steps, ["https://cdn.jsdelivr.net/npm/a.js", "https://cdn.jsdelivr.net/b.css"])
    assert len(warnings) == 2
    assert "diapositiva 3" in warnings[0] and "no cabe en 1280×720" in warnings[0]
    assert "2 pedidos a internet (cdn.jsdelivr.net)" in warnings[1]


# ---------------------------------------------------------------- mensajes en castellano, sin tracebacks


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "demos.handout", *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=120)


@pytest.mark.parametrize("target", ["/dev/null/apunte", "/proc/no-se-puede"])
def test_an_output_folder_that_cannot_exist_gets_a_spanish_message(target):
    result = run_cli("-o", target, "--sin-pdf")
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "No pude terminar el apunte: No puedo escribir en la carpeta" in result.stderr
    assert "Elige otra con -o" in result.stderr
    assert result.stderr.strip().splitlines()[-1].startswith("detalle técnico:")
    assert "[1/2]" not in result.stdout, "no corre el taller completo si no va a poder guardar el resultado"


def test_bad_options_get_spanish_messages():
    result = run_cli("--con-apuntes")
    assert result.returncode == 2 and "no conozco estos argumentos: --con-apuntes" in result.stderr
    assert "uso:" in result.stderr and "usage" not in result.stderr


def test_a_failing_cell_is_explained_in_spanish_with_the_detail_last(tmp_path):
    notebook = tmp_path / "roto.py"
    notebook.write_text(textwrap.dedent("""
        import marimo
        app = marimo.App()

        @app.cell
        def roto():
            1 / 0
            return
    """), encoding="utf-8")
    with pytest.raises(handout.HandoutError) as raised:
        handout.export_html(tmp_path / "roto.html", notebook)
    message = str(raised.value).splitlines()
    assert message[0].startswith("marimo no pudo correr el taller: alguna celda falló")
    assert f"python {notebook}" in message[0]
    assert len(message) == 2 and message[1].startswith("detalle técnico: ")


def test_chromium_failures_are_explained_in_spanish():
    timeout = handout.explain(browser.PlaywrightTimeout("Timeout 600000ms exceeded.\n=== logs ===\nwaiting"))
    assert timeout.startswith("Chromium no terminó a tiempo") and "TALLER_ESPERA_S" in timeout
    assert timeout.splitlines()[-1] == "detalle técnico: Timeout 600000ms exceeded."
    crash = handout.explain(browser.PlaywrightError("Target page, context or browser has been closed"))
    assert crash.startswith("Chromium falló") and crash.endswith("has been closed")
    disk = handout.explain(OSError(28, "No space left on device", "apuntes/taller.pdf"))
    assert disk.startswith("no pude escribir «apuntes/taller.pdf»: el disco está lleno.")


# ---------------------------------------------------------------- con el export real de marimo


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    return handout.export_html(tmp_path_factory.mktemp("export") / "taller.html")


@pytest.mark.slow
def test_marimo_puts_the_notes_in_the_page_and_we_take_them_out(exported):
    notes = handout.load_notes()
    raw_leaks = set(handout.note_leaks(exported, notes))
    missing = [name for name in notes if whole_note(name) not in raw_leaks]
    assert not missing, f"el export de marimo cambió: ya no encuentro estas notas en la página: {missing[:5]}"
    in_code = handout.DATA_URI.search(marimo_code(exported))
    assert in_code and "speakerNotes" in base64.b64decode(in_code.group(1)).decode(), \
        "marimo ya no pone el layout con notas en <marimo-code>: revisa strip_speaker_notes"
    stripped = handout.strip_speaker_notes(exported)
    assert handout.note_leaks(stripped, notes) == []
    assert len(stripped) < len(exported)
    assert stripped.count("data:application/json;base64,") == exported.count("data:application/json;base64,")


@pytest.mark.slow
def test_the_exported_handout_has_the_code_and_output_of_every_cell(exported):
    stripped = handout.strip_speaker_notes(exported)
    assert handout.content_problems(stripped) == []
    deck_source = (ROOT / "deck" / "taller.py").read_text(encoding="utf-8")
    for name, cell in handout.page_cells(stripped).items():  # el código es el del taller, no otro
        assert cell["code"].strip().splitlines()[0].strip() in deck_source, name


# ---------------------------------------------------------------- el comando completo, sin red


def run_handout(out_dir) -> subprocess.CompletedProcess:
    """``python -m demos.handout -o DIR --con-notas``, sin red si el sistema lo permite."""
    command = [sys.executable, "-m", "demos.handout", "-o", str(out_dir), "--con-notas"]
    if NO_NAMESPACE is None:
        command = [*UNSHARE, "sh", "-c", f"ip link set lo up && exec {shlex.join(command)}"]
    return subprocess.run(command, cwd=ROOT, env=offline_env(), capture_output=True, text=True, timeout=3600)


@pytest.fixture(scope="module")
def handout_run(tmp_path_factory):
    if browser.find_chromium() is None:
        skip_or_fail("no hay Chromium para hacer el PDF (apt install chromium o TALLER_CHROMIUM)")
    out_dir = tmp_path_factory.mktemp("apunte")
    result = run_handout(out_dir)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-3000:]
    return result, out_dir


@pytest.mark.slow
@pytest.mark.browser
def test_the_handout_command_shows_progress_and_writes_every_file(handout_run):
    result, out_dir = handout_run
    for step in ("[1/4]", "[2/4]", "[3/4]", "[4/4]", "Listo"):
        assert step in result.stdout, f"falta el aviso de avance «{step}»"
    assert re.findall(r"diapositiva \d+: ", result.stdout), "no mostró el avance diapositiva por diapositiva"
    names = {path.name for path in out_dir.iterdir()}
    assert {"taller.html", "taller.pdf", "taller_con_notas.html", "taller_con_notas.pdf"} <= names


@pytest.mark.slow
@pytest.mark.browser
def test_every_photographed_slide_was_fine(handout_run):
    result, _ = handout_run
    warnings = [line.strip() for line in result.stdout.splitlines() if "⚠" in line]
    assert not warnings, f"el PDF se armó con avisos: {warnings[:5]}"


@pytest.mark.slow
@pytest.mark.browser
def test_the_student_html_has_no_notes_but_all_the_code_and_the_teacher_copy_has_the_notes(handout_run):
    _, out_dir = handout_run
    notes = handout.load_notes()
    student = (out_dir / "taller.html").read_text(encoding="utf-8")
    assert handout.note_leaks(student, notes) == []
    assert handout.content_problems(student) == []
    teacher = (out_dir / "taller_con_notas.html").read_text(encoding="utf-8")
    assert {whole_note(name) for name in notes} <= set(handout.note_leaks(teacher, notes))


@pytest.mark.slow
@pytest.mark.browser
def test_the_pdf_has_one_page_per_slide_and_needs_nothing_from_outside(handout_run):
    result, out_dir = handout_run
    photographed_slides = int(re.search(r"(\d+) diapositivas;", result.stdout).group(1))
    assert photographed_slides >= slides.expected_slides()
    for name in ("taller.pdf", "taller_con_notas.pdf"):
        document = (out_dir / name).read_bytes()
        assert document.startswith(b"%PDF-")
        assert pdf.pdf_pages(document) == photographed_slides, name
        # nada que abrir afuera: ni enlaces, ni archivos externos, ni programas
        assert not re.search(rb"/URI|/Launch|/GoToR|https?://", document), f"{name} apunta a algo fuera del archivo"


@pytest.mark.slow
@pytest.mark.browser
def test_chromium_opens_the_pdf_with_the_network_cut(handout_run):
    result, out_dir = handout_run
    photographed_slides = int(re.search(r"(\d+) diapositivas;", result.stdout).group(1))
    pages, blocked = pdf.pages_chromium_sees(out_dir / "taller.pdf")
    if pages is None:
        skip_or_fail("este Chromium no trae su visor de PDF: no puedo probar que abre el apunte sin red")
    assert pages == photographed_slides
    assert blocked == [], f"abrir el PDF pidió cosas a internet: {blocked[:5]}"
    assert "verificado: Chromium, sin red, abre taller.pdf" in result.stdout
