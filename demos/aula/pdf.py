"""El apunte en PDF, sin red: cada diapositiva fotografiada en Chromium y una página por foto.

La página del apunte se sirve desde 127.0.0.1 con el visor de marimo al lado (sus archivos vienen
dentro del paquete marimo) y se recorre en Chromium con internet cortado: cada diapositiva queda
en una foto de 1280×720. El PDF lleva esas fotos, el texto de cada diapositiva (invisible, para
poder buscarlo y copiarlo) y, si se pide, las notas del presentador. Al final se abre el PDF en el
visor de Chromium, también sin red, para contar sus páginas. Lo usa ``demos/aula/handout.py``.
"""

from __future__ import annotations

import base64
import functools
import html
import http.server
import re
import shutil
import threading
import time
import urllib.parse
from pathlib import Path

import marimo

from demos.aula import browser, review, slides

MARIMO_ASSETS = Path(marimo.__file__).parent / "_static" / "assets"
CDN_PREFIX = re.compile(r"https://cdn\.jsdelivr\.net/npm/@marimo-team/frontend@[^/\"']+/dist/")


# ---------------------------------------------------------------- la copia sin red, servida en 127.0.0.1


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


# ---------------------------------------------------------------- las fotos


def photograph_slides(page_html: str, workdir: Path, on_step=None) -> tuple[list, list[str]]:
    """Abre la página en Chromium SIN red y fotografía cada diapositiva (1280×720).

    Devuelve los pasos del recorrido y la lista de pedidos a internet que se cortaron. ``on_step``
    recibe cada diapositiva apenas queda fotografiada: el recorrido tarda, y así se ve el avance.
    """
    offline_copy(page_html, workdir / "sitio")
    server = serve_folder(workdir / "sitio")
    try:
        with browser.chromium() as chromium:
            context = chromium.new_context(viewport=browser.VIEWPORT)
            blocked = browser.only_local_network(context)
            page = context.new_page()
            slides.open_deck(page, f"http://127.0.0.1:{server.server_address[1]}/taller.html")
            slides.wait_until_settled(page)
            page.add_style_tag(content=review.SLIDE_ONLY_CSS)
            steps = []
            for step in slides.walk(page, workdir / "fotos"):
                if on_step:
                    on_step(step)
                steps.append(step)
            context.close()
    finally:
        server.shutdown()
        server.server_close()
    return steps, blocked


def broken_slides(steps: list) -> list[str]:
    """Las diapositivas que, en la copia sin red, muestran una celda con error."""
    return [f"diapositiva {step.number} ({step.title}): {error[:160]}" for step in steps for error in step.errors]


def photo_warnings(steps: list, blocked: list[str]) -> list[str]:
    """Lo que conviene revisar en el PDF: diapositivas que no caben y pedidos a internet que se cortaron."""
    found = [f"diapositiva {step.number} ({step.title}): {problem}"
             for step in steps for problem in step.layout_problems()]
    if blocked:
        where = ", ".join(dict.fromkeys(urllib.parse.urlparse(url).netloc or url[:60] for url in blocked))
        found.append(f"se cortaron {len(blocked)} pedidos a internet ({where}): "
                     "alguna diapositiva puede verse incompleta en el PDF")
    return found


# ---------------------------------------------------------------- el PDF

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
    height = 720 + (NOTES_HEIGHT if with_notes else 0)
    with browser.chromium() as chromium:
        context = chromium.new_context(viewport=browser.VIEWPORT)
        browser.only_local_network(context)
        page = context.new_page()
        page.set_content(document, wait_until="load")
        page.pdf(path=str(out), width="1280px", height=f"{height}px", print_background=True)
        context.close()
    return out


# ---------------------------------------------------------------- ¿se abre sin red?


def pages_chromium_sees(pdf: Path, timeout_s: float = 60.0) -> tuple[int | None, list[str]]:
    """Abre el PDF en el visor de Chromium con la red cortada: (páginas que muestra, pedidos cortados).

    Las páginas salen del selector de página del visor; ``None`` si este Chromium no trae visor.
    """
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


def pdf_check(pdf: Path, slides: int) -> str:
    """Abre el PDF en el visor de Chromium, sin red, y dice qué vio."""
    pages, blocked = pages_chromium_sees(pdf)
    if pages is None:
        return "⚠ no pude verificar el PDF en Chromium (este Chromium no trae visor de PDF)"
    if pages != slides or blocked:
        return f"⚠ Chromium, sin red, muestra {pages} páginas de {slides} y pidió {len(blocked)} cosas a internet"
    return f"verificado: Chromium, sin red, abre taller.pdf y muestra {pages} páginas"
