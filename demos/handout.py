"""El apunte para llevarse a casa: toda la presentación, con su código y sus resultados.

Escribe en la carpeta pedida:

- ``taller.html``: la presentación completa (código + resultados), SIN las notas del presentador.
  Se abre con doble clic, pero necesita internet: marimo carga su visor desde una CDN.
- ``taller.pdf``: una página por diapositiva. Se hace en Chromium con la red cortada y se abre
  en cualquier lado, sin internet.
- con ``--with-notes``, además ``taller_con_notas.html`` y ``taller_con_notas.pdf`` para quien
  presenta (las notas van bajo cada diapositiva).

Uso:
    python -m demos.handout -o apuntes/
    python -m demos.handout -o apuntes/ --with-notes
    python -m demos.handout -o apuntes/ --no-pdf      # solo el HTML (no necesita Chromium)

¿Dónde pone marimo las notas? ``marimo export html`` deja el layout de las diapositivas tres veces
en la página: como objeto JSON en ``__MARIMO_MOUNT_CONFIG__`` (``"layout": {..."speakerNotes": ...}``)
y dos veces como ``layout_file="data:application/json;base64,…"`` (en la configuración de la app y
en el código del notebook). Quitamos ``speakerNotes`` de las tres y después verificamos que no
quede ni una línea de ``deck/notas/*.toml`` en ninguna forma (texto, JSON, HTML ni base64).
"""

from __future__ import annotations

import argparse
import base64
import functools
import html
import http.server
import json
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import tomllib
from pathlib import Path

import marimo

ROOT = Path(__file__).resolve().parent.parent
DECK = ROOT / "deck" / "taller.py"
NOTES_DIR = ROOT / "deck" / "notas"
MARIMO_ASSETS = Path(marimo.__file__).parent / "_static" / "assets"
CDN_PREFIX = re.compile(r"https://cdn\.jsdelivr\.net/npm/@marimo-team/frontend@[^/\"']+/dist/")
EXPORT_TIMEOUT_S = 900  # ¿cuánto esperamos a que marimo corra todo el taller? (en un PC lento, minutos)
MIN_NOTE_LINE = 30  # ¿desde cuántos caracteres una línea de las notas se busca en la página?

DATA_URI = re.compile(r"data:application/json;base64,([A-Za-z0-9+/=]+)")
ANY_BASE64_URI = re.compile(r"data:[\w/+.-]+;base64,([A-Za-z0-9+/=]+)")
JSON_STRING = r'"(?:[^"\\]|\\.)*"'
NOTES_MEMBER_AFTER = re.compile(r',\s*"speakerNotes"\s*:\s*' + JSON_STRING)  # {…, "speakerNotes": "…"}
NOTES_MEMBER_FIRST = re.compile(r'"speakerNotes"\s*:\s*' + JSON_STRING + r"\s*,?\s*")  # {"speakerNotes": "…", …}


class HandoutError(RuntimeError):
    """Algo impidió escribir el apunte; el mensaje dice qué hacer, en castellano."""


def say(message: str) -> None:
    print(message, flush=True)


# ---------------------------------------------------------------- 1. exportar con marimo


def export_html(out: Path, notebook: Path = DECK) -> str:
    """Corre el taller completo con ``marimo export html`` y devuelve la página."""
    command = [sys.executable, "-m", "marimo", "export", "html", str(notebook), "-o", str(out), "-f"]
    try:
        result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=EXPORT_TIMEOUT_S)
    except subprocess.TimeoutExpired as error:
        raise HandoutError(f"marimo tardó más de {EXPORT_TIMEOUT_S} s en correr el taller.") from error
    if result.returncode != 0:
        raise HandoutError("marimo no pudo correr el taller (alguna celda falló):\n" + result.stderr[-2000:])
    return out.read_text(encoding="utf-8")


# ---------------------------------------------------------------- 2. quitar las notas


def strip_speaker_notes(page: str) -> str:
    """La misma página sin notas del presentador (en el JSON y en los layouts en base64)."""
    page = DATA_URI.sub(_strip_data_uri, page)
    page = NOTES_MEMBER_AFTER.sub("", page)
    return NOTES_MEMBER_FIRST.sub("", page)


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
    """Las líneas de las notas que siguen en la página, escritas de cualquier forma."""
    haystacks = [page, html.unescape(page)] + [_decode(blob) for blob in ANY_BASE64_URI.findall(page)]
    found = ["speakerNotes"] if any("speakerNotes" in hay for hay in haystacks) else []
    for line in {line.strip() for text in notes.values() for line in text.splitlines()}:
        if len(line) >= MIN_NOTE_LINE and any(form in hay for form in _forms(line) for hay in haystacks):
            found.append(line)
    return found


def _forms(line: str) -> set[str]:
    """Cómo puede aparecer una línea en la página: tal cual, en JSON o escapada para HTML."""
    return {line, json.dumps(line)[1:-1], json.dumps(line, ensure_ascii=False)[1:-1], html.escape(line)}


def _decode(blob: str) -> str:
    try:
        return base64.b64decode(blob).decode("utf-8", errors="replace")
    except ValueError:
        return ""


# ---------------------------------------------------------------- 3. el PDF, sin red


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:  # sin una línea por archivo servido
        pass


def serve_folder(folder: Path) -> http.server.ThreadingHTTPServer:
    """Un servidor HTTP mínimo en 127.0.0.1: los módulos JS de marimo no cargan desde file://."""
    handler = functools.partial(_QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def offline_copy(page: str, folder: Path) -> Path:
    """La página con el visor de marimo al lado (sus archivos vienen dentro del paquete marimo)."""
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / "taller.html"
    target.write_text(CDN_PREFIX.sub("./", page), encoding="utf-8")
    try:
        (folder / "assets").symlink_to(MARIMO_ASSETS, target_is_directory=True)
    except OSError:  # Windows sin permiso para enlaces: copiamos los archivos (unos 30 MB)
        shutil.copytree(MARIMO_ASSETS, folder / "assets")
    return target


SLIDE_ONLY_CSS = """
.reveal .controls, .reveal .progress, [data-testid=slide-scroll-hint],
[data-sonner-toaster], section[aria-label^="Notifications"] { display: none !important; }
"""


def photograph_slides(page_html: str, workdir: Path) -> tuple[list, list[str]]:
    """Abre la página en Chromium SIN red y fotografía cada diapositiva (1280×720).

    Devuelve los pasos del recorrido y la lista de pedidos a internet que se cortaron.
    """
    from demos import browser

    offline_copy(page_html, workdir / "sitio")
    server = serve_folder(workdir / "sitio")
    try:
        with browser.chromium() as chromium:
            context = chromium.new_context(viewport=browser.VIEWPORT)
            blocked = browser.only_local_network(context)
            page = context.new_page()
            browser.open_deck(page, f"http://127.0.0.1:{server.server_address[1]}/taller.html")
            browser.wait_until_settled(page)
            page.add_style_tag(content=SLIDE_ONLY_CSS)
            steps = []
            for step in browser.walk(page, workdir / "fotos"):
                say(f"      diapositiva {step.number}: {step.title}")
                steps.append(step)
            context.close()
    finally:
        server.shutdown()
        server.server_close()
    return steps, blocked


PDF_CSS = """
@page { size: 1280px %(height)dpx; margin: 0; }
body { margin: 0; font-family: system-ui, sans-serif; }
section { position: relative; width: 1280px; height: %(height)dpx; page-break-after: always; overflow: hidden; }
section:last-child { page-break-after: auto; }
img { display: block; width: 1280px; height: 720px; }
/* el texto de la diapositiva, invisible sobre la foto: así el PDF se puede buscar y copiar */
.texto { position: absolute; inset: 0 0 auto 0; height: 720px; color: transparent; padding: 60px 90px;
         white-space: pre-wrap; font-size: 22px; overflow: hidden; }
.notas { padding: 20px 60px; font-size: 22px; line-height: 1.4; white-space: pre-wrap; border-top: 4px solid #e8590c; }
"""
NOTES_HEIGHT = 400  # ¿cuánto espacio dejamos bajo cada diapositiva para las notas?


def pdf_html(steps: list, notes: dict[str, str] | None) -> str:
    """Una página HTML con una sección por diapositiva: la foto, su texto y (si se pide) las notas."""
    height = 720 + (NOTES_HEIGHT if notes is not None else 0)
    sections = []
    for step in steps:
        image = base64.b64encode(step.screenshot.read_bytes()).decode("ascii")
        body = f'<img src="data:image/png;base64,{image}" alt=""><div class="texto">{html.escape(step.text)}</div>'
        if notes is not None:
            said = "\n\n".join(notes[name] for name in dict.fromkeys(step.cells) if name in notes)
            body += f'<div class="notas">{html.escape(said)}</div>'
        sections.append(f"<section>{body}</section>")
    return f"<!doctype html><meta charset='utf-8'><style>{PDF_CSS % {'height': height}}</style>{''.join(sections)}"


def write_pdf(document: str, out: Path, with_notes: bool) -> Path:
    """Imprime ``document`` a PDF con Chromium (también sin red: todo va dentro del HTML)."""
    from demos import browser

    height = 720 + (NOTES_HEIGHT if with_notes else 0)
    with browser.chromium() as chromium:
        context = chromium.new_context(viewport=browser.VIEWPORT)
        browser.only_local_network(context)
        page = context.new_page()
        page.set_content(document, wait_until="load")
        page.pdf(path=str(out), width="1280px", height=f"{height}px", print_background=True)
        context.close()
    return out


def pages_chromium_sees(pdf: Path, timeout_s: float = 60.0) -> tuple[int | None, list[str]]:
    """Abre el PDF en el visor de Chromium con la red cortada: (páginas que muestra, pedidos cortados).

    Las páginas salen del selector de página del visor; ``None`` si este Chromium no trae visor.
    """
    from demos import browser

    with browser.chromium() as chromium:
        context = chromium.new_context(viewport=browser.VIEWPORT)
        blocked = browser.only_local_network(context)
        page = context.new_page()
        page.goto(pdf.resolve().as_uri())
        deadline = time.perf_counter() + timeout_s
        while time.perf_counter() < deadline:
            viewer = next((f for f in page.frames if f.url.startswith("chrome-extension://")), None)
            selector = viewer.locator("viewer-page-selector") if viewer else None
            if selector and selector.count() and (pages := selector.evaluate("e => e.docLength || 0")):
                context.close()
                return int(pages), blocked
            page.wait_for_timeout(250)
        context.close()
    return None, blocked


def pdf_pages(pdf: bytes) -> int:
    """Cuántas páginas tiene un PDF de Chromium (cuenta los objetos /Type /Page)."""
    return len(re.findall(rb"/Type\s*/Page(?!s)", pdf))


# ---------------------------------------------------------------- todo junto


def make_handout(out_dir: Path, with_notes: bool = False, pdf: bool = True) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    total = 4 if pdf else 2
    written: list[Path] = []
    with tempfile.TemporaryDirectory(prefix="apunte-") as tmp:
        work = Path(tmp)
        say(f"[1/{total}] Corriendo el taller completo con marimo para guardar cada resultado (tarda un poco)…")
        started = time.perf_counter()
        raw = export_html(work / "taller_marimo.html")
        say(f"      listo en {time.perf_counter() - started:.0f} s")

        say(f"[2/{total}] Quitando las notas del presentador…")
        notes = load_notes()
        student = strip_speaker_notes(raw)
        leaks = note_leaks(student, notes)
        if leaks:
            raise HandoutError("No pude quitar todas las notas; no escribo un apunte que las muestre:\n- "
                               + "\n- ".join(leaks[:5]))
        written.append(_write(out_dir / "taller.html", student))
        say(f"      {len(notes)} notas quitadas; verifiqué que no quede ninguna línea de deck/notas/")
        if with_notes:
            written.append(_write(out_dir / "taller_con_notas.html", raw))
            say("      copia con notas para quien presenta: taller_con_notas.html")
        if not pdf:
            return written

        say(f"[3/{total}] Fotografiando cada diapositiva en Chromium, con internet cortado…")
        steps, blocked = photograph_slides(student, work)
        say(f"      {len(steps)} diapositivas; {len(blocked)} pedidos a internet cortados")

        say(f"[4/{total}] Armando el PDF (una página por diapositiva)…")
        written.append(write_pdf(pdf_html(steps, None), out_dir / "taller.pdf", with_notes=False))
        if with_notes:
            written.append(write_pdf(pdf_html(steps, notes), out_dir / "taller_con_notas.pdf", with_notes=True))
        pages, _ = pages_chromium_sees(out_dir / "taller.pdf")
        if pages is not None:
            say(f"      verificado: Chromium, sin red, abre taller.pdf y muestra {pages} páginas")
    return written


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Escribe el apunte del taller: HTML y PDF, sin notas del presentador.")
    parser.add_argument("-o", "--output", type=Path, default=ROOT / "handouts", help="carpeta de salida")
    parser.add_argument("--with-notes", action="store_true", help="además, una copia CON notas para quien presenta")
    parser.add_argument("--no-pdf", action="store_true", help="solo el HTML (no necesita Chromium)")
    args = parser.parse_args(argv)
    from demos.browser import ChromiumMissing

    try:
        written = make_handout(args.output, with_notes=args.with_notes, pdf=not args.no_pdf)
    except (HandoutError, ChromiumMissing) as error:
        print(f"\nNo pude terminar el apunte: {error}", file=sys.stderr)
        if isinstance(error, ChromiumMissing):
            print("El HTML sí se puede hacer sin Chromium: agrega --no-pdf.", file=sys.stderr)
        return 1
    say("\nListo:")
    for path in written:
        offline = "se abre sin internet" if path.suffix == ".pdf" else "necesita internet (visor de marimo)"
        say(f"  {path}  ({path.stat().st_size / 1e6:.1f} MB, {offline})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
