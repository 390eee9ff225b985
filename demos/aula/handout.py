"""El apunte para llevarse a casa: toda la presentación, con su código y sus resultados.

Escribe en la carpeta pedida:

- ``taller.html``: la presentación completa (código + resultados), SIN las notas del presentador.
  Se abre con doble clic, pero necesita internet: marimo carga su visor desde una CDN.
- ``taller.pdf``: una página por diapositiva. Se hace en Chromium con la red cortada y se abre
  en cualquier lado, sin internet.
- con ``--con-notas``, además ``taller_con_notas.html`` y ``taller_con_notas.pdf`` para quien
  presenta (las notas van bajo cada diapositiva).

Uso:
    python -m demos.handout -o apuntes/
    python -m demos.handout -o apuntes/ --con-notas
    python -m demos.handout -o apuntes/ --sin-pdf      # solo el HTML (no necesita Chromium)

¿Dónde pone marimo las notas? ``marimo export html`` deja el layout de las diapositivas cuatro
veces en la página: como objeto JSON en ``__MARIMO_MOUNT_CONFIG__`` (``"layout": {..."speakerNotes": ...}``),
dos veces como ``layout_file="data:application/json;base64,…"`` (en la configuración de la app y
en el código del notebook) y una vez más dentro del código del notebook que va, codificado como
URL (``%22data%3A…``), en ``<marimo-code hidden>``. Quitamos ``speakerNotes`` de las cuatro y
después verificamos que no quede ninguna nota de ``deck/notas/*.toml`` en ninguna forma (texto,
JSON, HTML, URL ni base64). También verificamos que el apunte traiga el código y el resultado de
cada celda. Las fotos de cada diapositiva y el PDF, sin red, se hacen en ``demos/aula/pdf.py``.
"""

from __future__ import annotations

import ast
import base64
import html
import json
import re
import subprocess
import sys
import tempfile
import time
import tomllib
import urllib.parse
from pathlib import Path

from demos.aula.browser import ChromiumMissing, PlaywrightError, PlaywrightTimeout, explain_os_error, first_line
from demos.aula.cli import ArgumentParser
from demos.aula.pdf import broken_slides, pdf_check, pdf_html, photo_warnings, photograph_slides, write_pdf

ROOT = Path(__file__).resolve().parents[2]  # demos/aula/handout.py → la carpeta del proyecto
DECK = ROOT / "deck" / "taller.py"
NOTES_DIR = ROOT / "deck" / "notas"
EXPORT_TIMEOUT_S = 900  # ¿cuánto esperamos a que marimo corra todo el taller? (en un PC lento, minutos)
# Cada nota se busca entera; sus líneas, solo desde este largo (una línea corta, como «Pausa.»,
# puede estar también en la diapositiva sin que sea una filtración).
MIN_NOTE_LINE = 30

DATA_URI = re.compile(r"data:application/json;base64,([A-Za-z0-9+/=]+)")
# texto en base64; las imágenes, fuentes y sonidos no pueden traer notas y decodificarlos sería lento
ANY_BASE64_URI = re.compile(r"data:(?!image/(?:png|jpeg|gif|webp)|audio/|video/|font/)[\w/+.-]+;base64,"
                            r"([A-Za-z0-9+/=]+)")
MARIMO_CODE = re.compile(r"(<marimo-code hidden=\"\">)(.*?)(</marimo-code>)", re.DOTALL)
URI_SAFE = "~()*!.'"  # lo que encodeURIComponent (y marimo) deja sin codificar
JSON_ESCAPE = re.compile(r'(?:\\u[0-9a-fA-F]{4})+|\\["\\/bfnrt]')
MOUNT_CONFIG = re.compile(r'"__MARIMO_MOUNT_CONFIG__",\s*\{\s*value:\s*Object\.freeze\(')
JSON_STRING = r'"(?:[^"\\]|\\.)*"'
NOTES_MEMBER_AFTER = re.compile(r',\s*"speakerNotes"\s*:\s*' + JSON_STRING)  # {…, "speakerNotes": "…"}
NOTES_MEMBER_FIRST = re.compile(r'"speakerNotes"\s*:\s*' + JSON_STRING + r"\s*,?\s*")  # {"speakerNotes": "…", …}


class HandoutError(RuntimeError):
    """Algo impidió escribir el apunte; el mensaje dice qué hacer, en castellano.

    ``detail`` (lo que dijo el programa que falló, quizá en inglés) va al final, como «detalle técnico».
    """

    def __init__(self, message: str, detail: str = ""):
        super().__init__(message + (f"\ndetalle técnico: {detail}" if detail else ""))


def say(message: str) -> None:
    print(message, flush=True)


# ---------------------------------------------------------------- 1. exportar con marimo


def export_html(out: Path, notebook: Path = DECK) -> str:
    """Corre el taller completo con ``marimo export html`` y devuelve la página."""
    command = [sys.executable, "-m", "marimo", "export", "html", str(notebook), "-o", str(out), "-f"]
    try:
        result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=EXPORT_TIMEOUT_S)
    except subprocess.TimeoutExpired as error:
        raise HandoutError(f"marimo tardó más de {EXPORT_TIMEOUT_S} s en correr el taller "
                           "(¿el computador está muy cargado?). Vuelve a intentarlo más tarde.") from error
    if result.returncode != 0 or not out.is_file():
        raise HandoutError(
            f"marimo no pudo correr el taller: alguna celda falló. Para ver cuál, corre «python {notebook}» "
            f"o ábrelo con «marimo edit {notebook}».", detail=_last_line(result.stderr or result.stdout))
    return out.read_text(encoding="utf-8")


def _last_line(text: str) -> str:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[-1][:300] if lines else "(marimo no dijo nada)"


# ---------------------------------------------------------------- 2. quitar las notas


def strip_speaker_notes(page: str) -> str:
    """La misma página sin notas del presentador (en el JSON, en base64 y en el código como URL)."""
    page = MARIMO_CODE.sub(_strip_marimo_code, page)
    page = DATA_URI.sub(_strip_data_uri, page)
    page = NOTES_MEMBER_AFTER.sub("", page)
    return NOTES_MEMBER_FIRST.sub("", page)


def _strip_marimo_code(match: re.Match) -> str:
    """El código del notebook codificado como URL, con su ``layout_file`` sin notas."""
    opening, body, closing = match.groups()
    code = urllib.parse.unquote(body.strip())
    stripped = DATA_URI.sub(_strip_data_uri, code)
    if stripped == code:
        return match.group(0)
    lead, trail = body[: len(body) - len(body.lstrip())], body[len(body.rstrip()):]
    return f"{opening}{lead}{urllib.parse.quote(stripped, safe=URI_SAFE)}{trail}{closing}"


def _strip_data_uri(match: re.Match) -> str:
    try:
        layout = json.loads(base64.b64decode(match.group(1)))
    except (ValueError, UnicodeDecodeError):
        return match.group(0)  # no es un JSON: no es un layout, lo dejamos igual
    cells = layout.get("data", {}).get("cells") if isinstance(layout, dict) else None
    if not isinstance(cells, list):
        return match.group(0)
    for cell in cells:
        if isinstance(cell, dict):
            cell.pop("speakerNotes", None)
    encoded = base64.b64encode(json.dumps(layout).encode("utf-8")).decode("ascii")
    return f"data:application/json;base64,{encoded}"


def load_notes(notes_dir: Path = NOTES_DIR) -> dict[str, str]:
    """Las notas del presentador de cada celda, tal como están en ``deck/notas/*.toml``."""
    notes = {}
    for path in sorted(notes_dir.glob("*.toml")):
        for name, entry in tomllib.loads(path.read_text(encoding="utf-8")).items():
            if str(entry.get("notes", "")).strip():
                notes[name] = entry["notes"].strip()
    return notes


def note_leaks(page: str, notes: dict[str, str]) -> list[str]:
    """Las notas (enteras, o sus líneas largas) que siguen en la página, escritas de cualquier forma.

    Se comparan con los espacios y saltos de línea normalizados: una nota corta también se encuentra,
    aunque en la página esté partida en otras líneas o con sus saltos escritos como ``\\n``.
    """
    haystacks = readable_forms(page)
    found = ["speakerNotes"] if any("speakerNotes" in hay for hay in haystacks) else []
    flat_pages = [_flat(hay) for hay in haystacks]
    for name, text in notes.items():
        if _flat(text) and any(_flat(text) in hay for hay in flat_pages):
            found.append(f"la nota de «{name}»")
    lines = {_flat(line) for text in notes.values() for line in text.splitlines()}
    found += sorted(line for line in lines if len(line) >= MIN_NOTE_LINE and any(line in hay for hay in flat_pages))
    return found


def readable_forms(page: str) -> list[str]:
    """La página y todo lo que lleva escondido: sin etiquetas ni escapes de HTML, JSON o URL, y su base64."""
    as_read = html.unescape(re.sub(r"<[^>]*>", " ", page))  # el texto que se lee, sin etiquetas
    forms = [page, html.unescape(page), as_read, urllib.parse.unquote(page)]
    forms += [_decode(blob) for form in list(forms) for blob in ANY_BASE64_URI.findall(form)]
    forms += [_json_unescape(form) for form in list(forms)]
    return list(dict.fromkeys(forms))


def _flat(text: str) -> str:
    return " ".join(text.split())


def _json_unescape(text: str) -> str:
    """``\\n``, ``\\"`` o ``\\u00e1`` como los caracteres que representan (en cualquier parte del texto)."""
    def one(match: re.Match) -> str:
        try:
            return json.loads(f'"{match.group(0)}"')
        except ValueError:
            return match.group(0)

    return JSON_ESCAPE.sub(one, text)


def _decode(blob: str) -> str:
    try:
        return base64.b64decode(blob).decode("utf-8", errors="replace")
    except ValueError:
        return ""


# ---------------------------------------------------------------- 2b. ¿trae el código y los resultados?


def deck_cells(notebook: Path = DECK) -> list[str]:
    """Los nombres de las celdas del taller (cada ``def`` con ``@app.cell``), en orden."""
    tree = ast.parse(notebook.read_text(encoding="utf-8"))
    return [node.name for node in tree.body if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
            and any(ast.unparse(d).split("(")[0] == "app.cell" for d in node.decorator_list)]


def page_cells(page: str) -> dict[str, dict]:
    """Lo que el apunte trae de cada celda, por nombre: ``{"code": str, "outputs": int}``.

    Se lee de ``__MARIMO_MOUNT_CONFIG__``, de donde el visor de marimo saca código y resultados.
    """
    match = MOUNT_CONFIG.search(page)
    if not match:
        return {}
    try:
        config, _ = json.JSONDecoder().raw_decode(page, match.end())
    except ValueError:
        return {}
    outputs = {cell.get("id"): cell.get("outputs") or [] for cell in config.get("session", {}).get("cells", [])}
    return {cell.get("name"): {"code": cell.get("code") or "", "outputs": len(outputs.get(cell.get("id"), []))}
            for cell in config.get("notebook", {}).get("cells", [])}


def content_problems(page: str, notebook: Path = DECK, notes_dir: Path = NOTES_DIR) -> list[str]:
    """Las celdas cuyo código falta en el apunte, y las diapositivas que quedaron sin resultado."""
    cells = page_cells(page)
    if not cells:
        return ["la página no trae el código del taller (¿cambió el formato de marimo export html?)"]
    problems = [f"falta el código de «{name}»" for name in deck_cells(notebook)
                if not cells.get(name, {}).get("code", "").strip()]
    shown = [name for name, kind in slide_types(notes_dir).items() if kind != "skip"]
    return problems + [f"la diapositiva «{name}» quedó sin resultado" for name in shown
                       if name in cells and not cells[name]["outputs"]]


def slide_types(notes_dir: Path = NOTES_DIR) -> dict[str, str]:
    """El tipo de diapositiva de cada celda (``slide``, ``fragment``, ``skip``…), según ``deck/notas/``."""
    return {name: str(entry.get("type", "")) for path in sorted(notes_dir.glob("*.toml"))
            for name, entry in tomllib.loads(path.read_text(encoding="utf-8")).items()}


# ---------------------------------------------------------------- todo junto


def make_handout(out_dir: Path, with_notes: bool = False, pdf: bool = True) -> list[Path]:
    prepare_output(out_dir)
    total = 4 if pdf else 2
    written: list[Path] = []
    with tempfile.TemporaryDirectory(prefix="apunte-") as tmp:
        work = Path(tmp)
        say(f"[1/{total}] Corriendo el taller completo con marimo para guardar cada resultado (tarda un poco)…")
        started = time.perf_counter()
        raw = export_html(work / "taller_marimo.html")
        say(f"      listo en {time.perf_counter() - started:.0f} s")

        say(f"[2/{total}] Quitando las notas del presentador…")
        student = student_page(raw, notes := load_notes())
        written.append(_write(out_dir / "taller.html", student))
        say(f"      {len(notes)} notas quitadas; verifiqué que no quede ninguna nota de deck/notas/")
        say("      y que el apunte traiga el código y el resultado de cada celda")
        if with_notes:
            written.append(_write(out_dir / "taller_con_notas.html", raw))
            say("      copia con notas para quien presenta: taller_con_notas.html")
        if not pdf:
            return written

        say(f"[3/{total}] Fotografiando cada diapositiva en Chromium, con internet cortado…")
        steps, blocked = photograph_slides(student, work, on_step=_say_slide)
        if broken := broken_slides(steps):
            raise HandoutError("Sin internet, estas diapositivas muestran un error; no armo un PDF que los muestre:"
                               "\n- " + "\n- ".join(broken[:8]))
        say(f"      {len(steps)} diapositivas; {len(blocked)} pedidos a internet cortados")
        for warning in photo_warnings(steps, blocked):
            say(f"      ⚠ revisa: {warning}")

        say(f"[4/{total}] Armando el PDF (una página por diapositiva)…")
        written.append(write_pdf(pdf_html(steps, None), out_dir / "taller.pdf", with_notes=False))
        if with_notes:
            written.append(write_pdf(pdf_html(steps, notes), out_dir / "taller_con_notas.pdf", with_notes=True))
        say("      " + pdf_check(out_dir / "taller.pdf", len(steps)))
    return written


def _say_slide(step) -> None:
    say(f"      diapositiva {step.number}: {step.title}" + ("  ⚠" if step.problems() else ""))


def student_page(raw: str, notes: dict[str, str]) -> str:
    """La página para estudiantes: sin notas y con todo el código; si no se puede, ``HandoutError``."""
    student = strip_speaker_notes(raw)
    if leaks := note_leaks(student, notes):
        raise HandoutError("No pude quitar todas las notas; no escribo un apunte que las muestre:\n- "
                           + "\n- ".join(leaks[:5]))
    if problems := content_problems(student):
        raise HandoutError("Al apunte le falta parte del taller; no lo escribo así:\n- " + "\n- ".join(problems[:8]))
    return student


def prepare_output(out_dir: Path) -> None:
    """Crea la carpeta de salida y prueba que se pueda escribir en ella, antes del trabajo largo."""
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        probe = out_dir / ".prueba-de-escritura"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as error:
        raise HandoutError(f"No puedo escribir en la carpeta «{out_dir}»: {explain_os_error(error)}. "
                           "Elige otra con -o.", detail=str(error)) from error


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def main(argv: list[str] | None = None) -> int:
    parser = ArgumentParser(prog="python -m demos.handout",
                            description="Escribe el apunte del taller: HTML y PDF, sin notas del presentador.")
    # las opciones en inglés de antes siguen sirviendo (--output, --with-notes, --no-pdf)
    parser.add_argument("-o", "--carpeta", "--output", type=Path, default=ROOT / "handouts", metavar="CARPETA",
                        help="carpeta de salida")
    parser.add_argument("--con-notas", "--with-notes", action="store_true",
                        help="además, una copia CON notas para quien presenta")
    parser.add_argument("--sin-pdf", "--no-pdf", action="store_true", help="solo el HTML (no necesita Chromium)")
    args = parser.parse_args(argv)
    try:
        written = make_handout(args.carpeta, with_notes=args.con_notas, pdf=not args.sin_pdf)
    except (HandoutError, ChromiumMissing, PlaywrightError, OSError) as error:
        print(f"\nNo pude terminar el apunte: {explain(error)}", file=sys.stderr)
        if isinstance(error, ChromiumMissing | PlaywrightError):
            print("El HTML sí se puede hacer sin Chromium: agrega --sin-pdf.", file=sys.stderr)
        return 1
    say("\nListo:")
    for path in written:
        offline = "se abre sin internet" if path.suffix == ".pdf" else "necesita internet (visor de marimo)"
        say(f"  {path}  ({path.stat().st_size / 1e6:.1f} MB, {offline})")
    return 0


def explain(error: Exception) -> str:
    """Qué pasó, en castellano; lo que dijo el programa que falló, solo como último renglón."""
    if isinstance(error, PlaywrightTimeout):
        return ("Chromium no terminó a tiempo (¿el computador está muy cargado? Prueba con TALLER_ESPERA_S=1200)."
                f"\ndetalle técnico: {first_line(error)}")
    if isinstance(error, PlaywrightError):
        return f"Chromium falló mientras armaba el PDF.\ndetalle técnico: {first_line(error)}"
    if isinstance(error, OSError):
        where = f" «{error.filename}»" if error.filename else ""
        return f"no pude escribir{where}: {explain_os_error(error)}.\ndetalle técnico: {error}"
    return str(error)


if __name__ == "__main__":
    sys.exit(main())
