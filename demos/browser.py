"""La presentación en un navegador de verdad: marimo la sirve y Chromium la recorre con el teclado.

Lo usan las pruebas en navegador, el apunte en PDF (``demos.handout``) y la medición de arranque
(``benchmarks/startup.py``). También corre solo, para revisar el taller antes de la clase:

    python -m demos.browser                 # recorre todas las diapositivas y avisa de problemas
                                            # (lo que no cabe, letra chica, cifras a la inglesa)
    python -m demos.browser --fotos DIR     # y además guarda una foto de cada una en DIR
    python -m demos.browser --figs figs/    # y rehace las capturas del README (figs/aula_*.png)

Necesita Playwright (``pip install playwright``) y un Chromium: el de Debian/Ubuntu
(``apt install chromium``), el que diga ``TALLER_CHROMIUM`` o el de ``playwright install chromium``.
"""

from __future__ import annotations

import errno
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

from demos.aula.cli import ArgumentParser

ROOT = Path(__file__).resolve().parent.parent
DECK = ROOT / "deck" / "taller.py"
LAYOUT = ROOT / "deck" / "layouts" / "taller.slides.json"
VIEWPORT = {"width": 1280, "height": 720}  # ¿qué muestra un proyector común? 1280×720
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--no-first-run", "--disable-sync",
]
CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1", "[::1]"}
# ¿cuánto esperamos a Chromium y a marimo? En un computador cargado, minutos (TALLER_ESPERA_S lo cambia)
WAIT_MS = int(float(os.environ.get("TALLER_ESPERA_S", "600")) * 1000)
SETTLE_MS = 700  # la transición entre diapositivas dura ~0,5 s: esperamos a que termine

SLIDES = ".reveal .slides > section"

try:  # Playwright es una dependencia de desarrollo: sin ella, este módulo se importa igual
    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
except ImportError:  # pragma: no cover
    PlaywrightError = PlaywrightTimeout = TimeoutError
# Para marimo, un error en una celda se ve así en la página (modo «run»).
ERROR_SELECTOR = "[role=alert] .text-error"


# ---------------------------------------------------------------- el navegador


class ChromiumMissing(RuntimeError):
    """No hay Playwright o no hay un Chromium que pueda usar."""


def find_chromium() -> str | None:
    """La ruta de un Chromium instalado en el sistema (o ``None``: Playwright usará el suyo, si lo tiene)."""
    chosen = os.environ.get("TALLER_CHROMIUM")
    if chosen and Path(chosen).is_file():
        return chosen
    return next((path for name in CHROMIUM_NAMES if (path := shutil.which(name))), None)


@contextmanager
def chromium():
    """Abre un Chromium sin ventana; al salir lo cierra. Lanza ``ChromiumMissing`` con la solución."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as error:
        raise ChromiumMissing("Falta Playwright: pip install playwright") from error
    with sync_playwright() as playwright:
        try:
            browser = playwright.chromium.launch(executable_path=find_chromium(), args=CHROMIUM_ARGS)
        except PlaywrightError as error:
            raise ChromiumMissing(
                "No encontré Chromium. Instálalo (apt install chromium) o indica su ruta en TALLER_CHROMIUM."
            ) from error
        try:
            yield browser
        finally:
            browser.close()


def is_local(url: str) -> bool:
    """¿Se queda la petición dentro de este computador?"""
    scheme = urlparse(url).scheme
    if scheme in {"file", "data", "blob", "about", "chrome", "chrome-extension"}:  # nada de eso sale a la red
        return True
    return urlparse(url).hostname in LOCAL_HOSTS


def only_local_network(context) -> list[str]:
    """Corta toda petición que salga del computador; devuelve la lista (viva) de lo que se cortó."""
    blocked: list[str] = []

    def handle(route):
        if is_local(route.request.url):
            route.continue_()
        else:
            blocked.append(route.request.url)
            route.abort()

    context.route("**/*", handle)
    return blocked


# ---------------------------------------------------------------- el servidor de marimo


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class MarimoFailed(RuntimeError):
    """``marimo run`` no arrancó o no respondió a tiempo (el mensaje dice qué pasó, en castellano)."""


class MarimoServer:
    """``marimo run`` del taller en un puerto libre. Se usa con ``with MarimoServer() as server:``."""

    def __init__(self, notebook: Path = DECK, port: int | None = None, extra_args: tuple[str, ...] = ("--no-token",),
                 env: dict | None = None):
        self.notebook, self.port = Path(notebook), port or free_port()
        self.extra_args, self.env = list(extra_args), env
        self.process: subprocess.Popen | None = None
        self.first_answer_seconds: float | None = None
        self._log = tempfile.TemporaryFile(mode="w+", encoding="utf-8")

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    def command(self) -> list[str]:
        return [sys.executable, "-m", "marimo", "run", str(self.notebook), "--headless",
                "--host", "127.0.0.1", "--port", str(self.port), *self.extra_args]

    def start(self, timeout: float = 120.0) -> MarimoServer:
        started = time.perf_counter()
        # una sesión nueva de procesos: al final detenemos a marimo y a todo lo que haya lanzado
        self.process = subprocess.Popen(self.command(), cwd=ROOT, env=self.env, stdout=self._log,
                                        stderr=subprocess.STDOUT, start_new_session=True)
        while time.perf_counter() - started < timeout:
            if self.process.poll() is not None:
                raise MarimoFailed(f"marimo run terminó antes de responder.\ndetalle técnico: {self.last_log_line()}")
            if http_status(self.url) is not None:
                self.first_answer_seconds = time.perf_counter() - started
                return self
            time.sleep(0.05)
        self.stop()
        raise MarimoFailed(f"marimo run no respondió en {timeout:.0f} s (¿el computador está muy cargado?).\n"
                           f"detalle técnico: {self.last_log_line()}")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=15)

    def log_tail(self, chars: int = 3000) -> str:
        self._log.flush()
        self._log.seek(0)
        return self._log.read()[-chars:]

    def error_details(self) -> str:
        """Lo que marimo anotó de las celdas que fallaron: en ``marimo run`` la página solo dice
        «An internal error occurred» y el detalle queda en el registro del servidor."""
        log = self.log_tail(chars=1 << 30)
        start = log.find("error_id=")
        return log[max(start - 200, 0):][:6000] if start >= 0 else "(marimo no anotó detalles del error)"

    def last_log_line(self) -> str:
        lines = [line for line in self.log_tail().splitlines() if line.strip()]
        return lines[-1].strip() if lines else "(marimo no escribió nada)"

    def __enter__(self) -> MarimoServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
        self._log.close()


def http_status(url: str, timeout: float = 2.0) -> int | None:
    """El código HTTP con que responde ``url`` (``None`` si nadie responde todavía)."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code
    except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
        return None


def process_tree(pid: int) -> list[int]:
    """``pid`` y todos sus descendientes (leído de /proc; en otros sistemas, solo ``pid``)."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            parent = int(stat.read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue  # el proceso terminó mientras leíamos
        children.setdefault(parent, []).append(int(stat.parent.name))
    found, pending = [], [pid]
    while pending:
        current = pending.pop()
        found.append(current)
        pending += children.get(current, [])
    return found


def process_tree_rss_mb(pid: int) -> float:
    """Memoria residente (MB) de un proceso y de todos sus descendientes."""
    total_kb = 0
    for member in process_tree(pid):
        try:
            status = Path(f"/proc/{member}/status").read_text()
        except OSError:
            continue
        total_kb += next((int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS:")), 0)
    return total_kb / 1024


def process_tree_cpu_s(pid: int) -> float:
    """Segundos de CPU gastados por un proceso y sus descendientes (vivos o ya terminados)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for member in process_tree(pid):
        try:
            fields = Path(f"/proc/{member}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += sum(int(value) for value in fields[11:15])  # utime, stime, cutime, cstime
    return total / ticks


# ---------------------------------------------------------------- recorrer las diapositivas

# El estado de reveal.js sin tocar su API: diapositiva horizontal, vertical y fragmentos visibles.
STATE_JS = """() => {
  const all = [...document.querySelectorAll('.reveal .slides > section')];
  const h = document.querySelector('.reveal .slides > section.present');
  const v = h ? h.querySelector(':scope > section.present') : null;
  const stack = h ? [...h.querySelectorAll(':scope > section')] : [];
  const slide = v || h;
  return {h: all.indexOf(h), v: v ? stack.indexOf(v) : 0, total: all.length, stack: stack.length,
          fragments: slide ? slide.querySelectorAll('.fragment.visible').length : 0};
}"""

# querySelectorAll que también entra a los shadow roots (ahí viven los controles de marimo y el chat)
DEEP_QUERY_JS = """function deepQuery(root, selector) {
  const found = [...root.querySelectorAll(selector)];
  for (const el of root.querySelectorAll('*')) {
    if (el.shadowRoot) found.push(...deepQuery(el.shadowRoot, selector));
  }
  return found;
}"""
# Lo que hay que saber de la diapositiva actual: sus textos, si algo se sale del cuadro y si hay errores.
INSPECT_JS = """() => {
  """ + DEEP_QUERY_JS + """
  const h = document.querySelector('.reveal .slides > section.present');
  const slide = (h && h.querySelector(':scope > section.present')) || h;
  if (!slide) return null;
  const box = slide.querySelector('[data-testid=slide-scroll-container]') || slide;
  const overflowing = [];
  for (const el of slide.querySelectorAll('*')) {
    const style = getComputedStyle(el);
    const scrolls = ['auto', 'scroll'].includes(style.overflowX);
    if (el !== box && scrolls && el.scrollWidth > el.clientWidth + 2 && el.clientWidth > 0) {
      overflowing.push((el.innerText || el.tagName).slice(0, 60));
    }
  }
  const texts = (sel) => [...slide.querySelectorAll(sel)].map(e => e.innerText.replace(/\\s+/g, ' ').trim());
  return {
    text: slide.innerText,
    headings: texts('h1, h2, h3'),
    errors: [...slide.querySelectorAll('[role=alert]')]  // así muestra marimo una celda que falló
      .filter(a => a.querySelector('.text-error') || /internal error/i.test(a.innerText))
      .map(a => a.innerText.replace(/\\s+/g, ' ').trim()),
    extraHeight: Math.max(0, box.scrollHeight - box.clientHeight),
    extraWidth: Math.max(0, box.scrollWidth - box.clientWidth),
    innerScrollers: overflowing,
    cells: [...slide.querySelectorAll('[data-cell-name]')].map(e => e.dataset.cellName),
    // marimo lo muestra en cuanto algo no cabe, aunque sean 2 px: la última línea queda tapada
    scrollHint: !!slide.querySelector('[data-testid=slide-scroll-hint]'),
    sliders: slide.querySelectorAll('marimo-slider').length,
    chats: deepQuery(slide, '.chat-caja').length,
  };
}"""

# ¿Terminó el kernel de calcular? Nada «en espera» ni «desactualizado», cada salida ya dibujada
# y la página quieta (sin cambios en el DOM) durante ``quietMs``.
SETTLED_JS = """([quietMs, expected]) => {
  if (!window.__tallerQuiet) {
    window.__tallerQuiet = {last: performance.now()};
    new MutationObserver(() => { window.__tallerQuiet.last = performance.now(); })
      .observe(document.body, {subtree: true, childList: true, attributes: true, characterData: true});
    return false;
  }
  if (document.querySelector('.marimo-output-stale, .marimo-output-loading')) return false;
  // marimo agrega la diapositiva de una celda recién cuando llega su salida
  if (document.querySelectorAll('.reveal .slides > section').length < expected) return false;
  const outputs = [...document.querySelectorAll('.reveal .slides [id^=output-]')];
  if (!outputs.length || !outputs.every(o => o.childElementCount > 0)) return false;
  return performance.now() - window.__tallerQuiet.last > quietMs;
}"""
QUIET_MS = 1500  # ¿cuánto tiempo sin cambios para dar por terminado el cálculo?


# ---------------------------------------------------------------- la letra: ¿se lee desde el fondo?

# Tamaños mínimos en la pantalla (px), medidos a 1280×720: letra × la escala con que reveal.js
# achica la diapositiva (≈0,96 a 1280×720; la lee de la matriz de su «transform»).
MIN_CONTROL_PX = 18  # botones, menús, cajas de texto y las etiquetas y valores de los deslizadores
MIN_TEXT_PX = 18  # párrafos, listas, tablas y todo texto fuera de los gráficos
MIN_CHART_PX = 14  # ejes, etiquetas y títulos de los gráficos
MEDIAN_PROSE_PX = 24  # la mediana de los párrafos y listas de toda la presentación
# Cifras en inglés dentro de un gráfico: «1,000» (miles con coma) o «0.5» (decimales con punto).
ENGLISH_NUMBER = r"(?<![\d.,])[1-9]\d{0,2}(,\d{3})+(?![\d,])|(?<![\d.,])0\.\d"

# Cada texto visible de la diapositiva actual, con su tamaño en la pantalla y su clase: «control»
# (lo de marimo vive en shadow roots: se entra en ellos), «prosa» (párrafos, listas, citas), «texto»
# (tablas y el resto) o «gráfico» (texto dentro de un SVG; un SVG se mide con su propia escala, que
# ya incluye la de reveal). También las celdas de tabla con prosa que no están alineadas a la izquierda
# y los controles que su propia caja recorta.
SIZES_JS = """() => {
  const h = document.querySelector('.reveal .slides > section.present');
  const slide = (h && h.querySelector(':scope > section.present')) || h;
  if (!slide) return null;
  const m = getComputedStyle(document.querySelector('.reveal .slides')).transform.match(/matrix\\(([^,]+),\\s*([^,]+)/);
  const scale = m ? Math.hypot(parseFloat(m[1]), parseFloat(m[2])) : 1;
  const shown = (el) => {
    const r = el.getBoundingClientRect();
    if (r.width < 2 || r.height < 2) return false;  // sr-only y lo plegado no se ven
    if (r.right <= 0 || r.bottom <= 0 || r.left >= innerWidth || r.top >= innerHeight) return false;
    const st = getComputedStyle(el);
    return st.visibility !== 'hidden' && parseFloat(st.opacity) > 0;
  };
  const round = (x) => Math.round(10 * x) / 10;
  const fontPx = (el) => parseFloat(getComputedStyle(el).fontSize);
  const svgSize = (el) => {
    const ctm = el.getScreenCTM();
    return round(fontPx(el) * (ctm ? Math.hypot(ctm.a, ctm.b) : scale));
  };
  const CONTROLS = 'button, select, input, textarea, label, [role=slider], [role=option], [role=textbox]';
  const SKIP = 'style, script, option, [data-testid=slide-scroll-hint], .sr-only';
  // ¿la caja que envuelve al control lo recorta? (un alto fijo con overflow oculto corta la letra)
  const cut = (el) => {
    const r = el.getBoundingClientRect();
    for (let up = el.parentElement, n = 0; up && n < 3; up = up.parentElement, n++) {
      const box = up.getBoundingClientRect();
      const hides = getComputedStyle(up).overflowY !== 'visible';
      if (hides && (box.top > r.top + 1 || box.bottom < r.bottom - 1)) return true;
    }
    return false;
  };
  const texts = [], misaligned = [], clipped = [];
  // el texto entero: la mediana se cuenta por carácter (los mensajes lo acortan)
  const add = (kind, size, text) => texts.push({kind, size, text: text.replace(/\\s+/g, ' ').trim()});
  const visit = (root, inWidget) => {
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_ELEMENT | NodeFilter.SHOW_TEXT);
    for (let node = walker.currentNode; node; node = walker.nextNode()) {
      if (node.nodeType === Node.ELEMENT_NODE) {
        if (node.shadowRoot) visit(node.shadowRoot, true);
        const tag = node.tagName.toLowerCase();
        const typed = tag === 'textarea' || tag === 'select'
          || (tag === 'input' && !['hidden', 'checkbox', 'radio', 'range'].includes(node.type));
        if (typed && shown(node)) {
          add('control', round(fontPx(node) * scale), node.value || node.placeholder || tag);
          if (cut(node)) clipped.push(node.value || node.placeholder || tag);
        }
        continue;
      }
      const el = node.parentElement;
      if (!node.textContent.trim() || !el || el.closest(SKIP) || !shown(el)) continue;
      if (el.closest('svg')) { add('chart', svgSize(el), node.textContent); continue; }
      const size = round(fontPx(el) * scale);
      if (inWidget || el.closest(CONTROLS)) add('control', size, node.textContent);
      else if (el.closest('p, li, .paragraph, blockquote')) add('prose', size, node.textContent);
      else add('text', size, node.textContent);
      const cell = el.closest('td');  // los encabezados de columnas de cifras pueden ir centrados
      const words = (node.textContent.match(/\\p{L}{2,}/gu) || []).length;
      if (cell && words >= 3 && !['left', 'start', 'justify'].includes(getComputedStyle(cell).textAlign)) {
        misaligned.push(node.textContent.trim().slice(0, 60));
      }
    }
  };
  visit(slide, false);
  return {scale: round(scale * 1000) / 1000, texts, misaligned, clipped};
}"""


def px(size: float) -> str:
    """19.2 → «19,2»: con coma decimal, como el resto del taller."""
    return f"{size:g}".replace(".", ",")


@dataclass
class Sizes:
    """La letra de una parada: cada texto visible con su tamaño en la pantalla (px), por clase."""

    scale: float = 1.0
    controls: list[tuple[float, str]] = field(default_factory=list)
    prose: list[tuple[float, str]] = field(default_factory=list)
    text: list[tuple[float, str]] = field(default_factory=list)
    charts: list[tuple[float, str]] = field(default_factory=list)
    misaligned: list[str] = field(default_factory=list)
    clipped: list[str] = field(default_factory=list)

    @classmethod
    def from_page(cls, data: dict | None) -> Sizes:
        data = data or {"scale": 1.0, "texts": [], "misaligned": [], "clipped": []}
        sizes = cls(scale=data["scale"], misaligned=data["misaligned"], clipped=data["clipped"])
        kinds = {"control": sizes.controls, "prose": sizes.prose, "text": sizes.text, "chart": sizes.charts}
        for item in data["texts"]:
            kinds[item["kind"]].append((item["size"], item["text"]))
        return sizes

    def smallest(self, kind: str) -> float | None:
        found = getattr(self, kind)
        return min(size for size, _ in found) if found else None

    def english_numbers(self) -> list[str]:
        """Las cifras de los gráficos escritas a la inglesa («1,000», «0.5»)."""
        return [text for _, text in self.charts if re.search(ENGLISH_NUMBER, text)]

    def problems(self) -> list[str]:
        """Lo que no se lee desde el fondo de la sala, en castellano y con el texto culpable."""
        limits = (("controls", MIN_CONTROL_PX, "control"), ("prose", MIN_TEXT_PX, "párrafo"),
                  ("text", MIN_TEXT_PX, "texto"), ("charts", MIN_CHART_PX, "gráfico"))
        found = []
        for kind, limit, name in limits:
            small = sorted((size, text) for size, text in getattr(self, kind) if size < limit)
            found += [f"letra chica en un {name}: {px(size)} px (mínimo {limit}) en «{text[:60]}»"
                      for size, text in small[:3]]
        found += [f"cifra a la inglesa en un gráfico: «{text[:60]}»" for text in self.english_numbers()[:3]]
        found += [f"control recortado por su caja (no se lee entero): «{text[:60]}»" for text in self.clipped[:3]]
        return found + [f"tabla de texto no alineada a la izquierda: «{text}»" for text in self.misaligned[:3]]


def size_summary(sizes: list[Sizes]) -> str:
    """Las cifras de toda la presentación: la letra más chica de cada clase y la mediana de los párrafos."""
    def smallest(kind: str) -> str:
        found = [size for one in sizes if (size := one.smallest(kind)) is not None]
        return px(min(found)) if found else "—"

    median = median_prose(sizes)
    return (f"Letra en pantalla (px): controles ≥ {smallest('controls')} · párrafos ≥ {smallest('prose')} "
            f"(mediana {px(median) if median is not None else '—'}) · otros textos ≥ {smallest('text')} · "
            f"gráficos ≥ {smallest('charts')}")


def measure_sizes(page) -> Sizes:
    """Los tamaños de letra de la diapositiva que se ve ahora (ver ``SIZES_JS``)."""
    return Sizes.from_page(page.evaluate(SIZES_JS))


def median_prose(sizes: list[Sizes]) -> float | None:
    """La mediana de la letra de párrafos y listas de varias paradas, contada por carácter."""
    weighted = sorted((size, len(text)) for one in sizes for size, text in one.prose)
    total = sum(chars for _, chars in weighted)
    seen = 0
    for size, chars in weighted:
        seen += chars
        if 2 * seen >= total:
            return size
    return None


@dataclass
class Step:
    """Una parada del recorrido: una diapositiva (o uno de sus fragmentos)."""

    number: int
    h: int
    v: int
    fragments: int
    text: str
    headings: list[str]
    errors: list[str]
    extra_height: int
    extra_width: int
    inner_scrollers: list[str] = field(default_factory=list)
    cells: list[str] = field(default_factory=list)
    sliders: int = 0
    chats: int = 0
    scroll_hint: bool = False
    screenshot: Path | None = None
    sizes: Sizes = field(default_factory=Sizes)

    @property
    def title(self) -> str:
        """El primer título de la diapositiva, o su primera línea de texto."""
        first_line = self.text.strip().split("\n")[0]
        return (self.headings[0] if self.headings else first_line or "(sin texto)")[:60]

    @property
    def overflows(self) -> bool:
        return self.extra_height > 2 or self.extra_width > 2 or bool(self.inner_scrollers) or self.scroll_hint

    def problems(self) -> list[str]:
        errors = [f"error en una celda: {e[:120]}" for e in self.errors]
        return errors + self.layout_problems() + self.sizes.problems()

    def layout_problems(self) -> list[str]:
        """Lo que no cabe en la pantalla (sin contar los errores de las celdas)."""
        found = []
        if self.extra_height > 2 or self.extra_width > 2:
            found.append(f"no cabe en 1280×720: sobran {self.extra_height} px de alto y {self.extra_width} de ancho")
        elif self.scroll_hint:
            found.append(f"no cabe en 1280×720: marimo avisa «Scroll for more» (sobran {self.extra_height} px de alto)")
        return found + [f"algo se sale a lo ancho: «{text}»" for text in self.inner_scrollers]


def open_deck(page, url: str, timeout_ms: int = WAIT_MS) -> float:
    """Abre la presentación y espera la primera diapositiva. Devuelve los segundos que tardó."""
    started = time.perf_counter()
    page.goto(url, timeout=timeout_ms, wait_until="commit")
    page.wait_for_selector(f"{SLIDES}.present", state="visible", timeout=timeout_ms)
    return time.perf_counter() - started


def expected_slides(layout: Path = LAYOUT) -> int:
    """Cuántas diapositivas (horizontales) tiene el taller según su layout."""
    cells = json.loads(layout.read_text(encoding="utf-8"))["data"]["cells"]
    return sum(cell["type"] == "slide" for cell in cells)


def wait_until_settled(page, timeout_ms: int = WAIT_MS, expected: int | None = None) -> None:
    """Espera a que el kernel termine de correr las celdas y la página las dibuje todas.

    Mientras el kernel calcula, marimo va agregando diapositivas a medida que llegan sus salidas
    (y la que se ve puede quedar corrida): por eso se espera a tenerlas todas y a que nada cambie.
    """
    expected = expected_slides() if expected is None else expected
    page.wait_for_function(SETTLED_JS, arg=[QUIET_MS, expected], timeout=timeout_ms, polling=200)


def state(page) -> tuple[int, int, int]:
    s = page.evaluate(STATE_JS)
    return s["h"], s["v"], s["fragments"]


def slide_count(page) -> int:
    return page.evaluate(STATE_JS)["total"]


def current_slide(page):
    """El ``<section>`` que se ve ahora (si es una pila vertical, la sub-diapositiva visible)."""
    h = page.evaluate(STATE_JS)["h"]
    top = page.locator(SLIDES).nth(h)
    inner = top.locator(":scope > section.present")
    return inner if inner.count() else top


MOVED_JS = f"""(before) => {{ const s = ({STATE_JS})();
  return s.h !== before[0] || s.v !== before[1] || s.fragments !== before[2]; }}"""
NO_MOVE_MS = 3000  # si tras una tecla nada cambia en 3 s, es que no había a dónde avanzar


def press(page, key: str, settle_ms: int = SETTLE_MS) -> bool:
    """Aprieta una tecla (fuera de todo control); ``True`` si la presentación avanzó."""
    before = list(state(page))
    page.keyboard.press(key)
    try:
        page.wait_for_function(MOVED_JS, arg=before, timeout=NO_MOVE_MS, polling=50)
    except PlaywrightTimeout:
        return False
    page.wait_for_timeout(settle_ms)
    return True


def slide(page, index: int):
    """El ``<section>`` de la diapositiva horizontal número ``index`` (desde 0)."""
    return page.locator(SLIDES).nth(index)


def slides_with(page, selector: str) -> list[int]:
    """Los índices de las diapositivas que contienen ``selector`` (p. ej. ``marimo-slider``)."""
    return [i for i in range(slide_count(page)) if slide(page, i).locator(selector).count()]


def show_slide(page, index: int) -> None:
    """Lleva la presentación a la diapositiva ``index`` con el teclado, desde el inicio.

    → también recorre los fragmentos, así que se aprieta hasta llegar (o hasta que nada se mueva).
    """
    go_to_start(page)
    stuck = 0
    for _ in range(4 * index + 8):
        if state(page)[0] >= index or stuck >= 3:  # una diapositiva lenta puede tardar en avanzar
            break
        stuck = 0 if press(page, "ArrowRight", settle_ms=0) else stuck + 1
    page.wait_for_timeout(SETTLE_MS)


def go_to_start(page) -> None:
    page.mouse.click(5, 5)  # en el margen: saca el foco de cualquier control (deslizador, chat)
    page.keyboard.press("Home")
    page.wait_for_timeout(SETTLE_MS)


def walk(page, screenshots: Path | None = None, limit: int = 500) -> Iterator[Step]:
    """Recorre toda la presentación con el teclado, como quien presenta.

    → avanza (fragmento por fragmento); si una diapositiva tiene sub-diapositivas, ↓ las recorre.
    """
    go_to_start(page)
    for number in range(1, limit + 1):
        yield inspect(page, number, screenshots)
        below = page.evaluate(STATE_JS)
        if below["v"] < below["stack"] - 1 and press(page, "ArrowDown"):  # lo que cuelga bajo esta diapositiva
            continue
        if not press(page, "ArrowRight"):
            return


# ¿Ya dibujó vega cada gráfico de la diapositiva actual? (marimo los dibuja al hacerse visibles)
CHARTS_DRAWN_JS = """() => {
  const h = document.querySelector('.reveal .slides > section.present');
  const slide = (h && h.querySelector(':scope > section.present')) || h;
  const embeds = [];
  const find = (root) => {
    root.querySelectorAll('.vega-embed').forEach(e => embeds.push(e));
    root.querySelectorAll('*').forEach(e => e.shadowRoot && find(e.shadowRoot));
  };
  if (slide) find(slide);
  return embeds.every(e => e.querySelector('svg text, canvas'));
}"""
CHARTS_WAIT_MS = 5000


def wait_for_charts(page, timeout_ms: int = CHARTS_WAIT_MS) -> None:
    """Espera (poco) a que los gráficos de la diapositiva estén dibujados; si no, sigue igual."""
    try:
        page.wait_for_function(CHARTS_DRAWN_JS, timeout=timeout_ms, polling=100)
    except PlaywrightTimeout:
        pass  # la medición dirá que falta el texto del gráfico


def inspect(page, number: int, screenshots: Path | None = None) -> Step:
    wait_for_charts(page)
    h, v, fragments = state(page)
    data = page.evaluate(INSPECT_JS)
    step = Step(number=number, h=h, v=v, fragments=fragments, text=data["text"], headings=data["headings"],
                errors=data["errors"], extra_height=data["extraHeight"], extra_width=data["extraWidth"],
                inner_scrollers=data["innerScrollers"], cells=data["cells"], sliders=data["sliders"],
                chats=data["chats"], scroll_hint=data["scrollHint"], sizes=measure_sizes(page))
    if screenshots is not None:
        screenshots.mkdir(parents=True, exist_ok=True)
        step.screenshot = screenshots / f"{number:02d}.png"
        page.screenshot(path=str(step.screenshot))
    return step


# ---------------------------------------------------------------- el entrenamiento en vivo

TRAINING_CELL = "entrenamiento_gpt_vivo"
TRAINING_BUTTON = "Entrenar nuestro GPT en vivo"


def start_live_training(page):
    """Va a la diapositiva del entrenamiento en vivo, elige el mínimo de segundos y aprieta el botón.
    Devuelve la diapositiva; quien llama espera a que termine (``wait_until_settled``)."""
    index = slides_with(page, f'[data-cell-name="{TRAINING_CELL}"]')[0]
    show_slide(page, index)
    section = slide(page, index)
    move_slider(page, section.locator("marimo-slider").first, 0.0)  # el mínimo: la clase no espera
    wait_until_settled(page)
    section.get_by_role("button", name=TRAINING_BUTTON).first.click()
    page.wait_for_selector(".marimo-output-stale, .marimo-output-loading", timeout=30_000)  # empezó
    return section


# ---------------------------------------------------------------- controles: deslizadores y chat


def move_slider(page, slider, fraction: float) -> None:
    """Hace clic en el riel del deslizador, a ``fraction`` de su largo (0 = inicio, 1 = final).

    Con el mouse y no con las flechas: una flecha mueve el deslizador Y cambia de diapositiva.
    """
    track = slider.locator("[data-testid=track]").first
    track.scroll_into_view_if_needed()
    box = track.bounding_box()
    page.mouse.click(box["x"] + box["width"] * fraction, box["y"] + box["height"] / 2)


def slider_value(slider) -> str | None:
    return slider.locator("[role=slider]").first.get_attribute("aria-valuenow")


CHAT = ".chat-caja"  # la caja de chat del taller (demos/chat/widget.js)

# Anota, desde la misma página, cada largo distinto que toma la última respuesta del chat. Un
# MutationObserver ve cada cambio que React dibuja, aunque el computador esté tan cargado que
# preguntar desde Python cada tanto solo alcance a ver dos o tres versiones.
CHAT_WATCH_JS = """(section) => {
  """ + DEEP_QUERY_JS + """
  const root = deepQuery(section, '.chat-caja')[0];
  const answers = () => root.querySelectorAll('.chat-modelo .chat-texto');
  const watch = {before: answers().length, lengths: [], text: '', changed: performance.now()};
  const record = () => {
    const all = answers();
    if (all.length <= watch.before) return;  // la respuesta nueva todavía no aparece
    const text = all[all.length - 1].textContent;
    if (text.length !== watch.lengths[watch.lengths.length - 1]) {
      watch.lengths.push(text.length);
      watch.text = text;
      watch.changed = performance.now();
    }
  };
  if (window.__tallerChat) window.__tallerChat.observer.disconnect();
  watch.observer = new MutationObserver(record);
  watch.observer.observe(root, {subtree: true, childList: true, characterData: true});
  window.__tallerChat = watch;
}"""
CHAT_QUIET_JS = """(quietMs) => { const w = window.__tallerChat;
  return w.lengths.length > 0 && performance.now() - w.changed > quietMs; }"""
CHAT_RESULT_JS = """() => { const w = window.__tallerChat; w.observer.disconnect();
  return {lengths: w.lengths, text: w.text}; }"""
CHAT_BOX = ".chat-caja .chat-entrada"  # Playwright entra solo a los shadow roots


@dataclass
class ChatAnswer:
    """Lo que se vio de una respuesta del chat: cada largo que tomó su texto, en orden, y el texto final."""

    lengths: list[int]
    text: str
    seconds: float

    @property
    def growth_steps(self) -> int:
        """Cuántas veces la respuesta se vio más larga que justo antes (transmitida: muchas)."""
        return sum(after > before for before, after in zip(self.lengths, self.lengths[1:], strict=False))


def ask_chat(page, section, message: str, timeout_s: float = 300.0, quiet_s: float = 8.0) -> ChatAnswer:
    """Escribe ``message`` en el chat de ``section`` y observa la respuesta mientras llega.

    Da la respuesta por terminada cuando su texto no cambia en ``quiet_s`` segundos; si en
    ``timeout_s`` no llega nada, devuelve lo que se alcanzó a ver (quizá nada).
    """
    section.evaluate(CHAT_WATCH_JS)
    section.locator(CHAT_BOX).first.click()
    page.keyboard.type(message)
    started = time.perf_counter()
    page.keyboard.press("Enter")
    try:
        page.wait_for_function(CHAT_QUIET_JS, arg=quiet_s * 1000, timeout=timeout_s * 1000, polling=500)
    except PlaywrightTimeout:
        pass  # quien llama decide qué hacer con una respuesta que no llegó
    seen = page.evaluate(CHAT_RESULT_JS)
    return ChatAnswer(lengths=seen["lengths"], text=seen["text"], seconds=time.perf_counter() - started - quiet_s)


# ---------------------------------------------------------------- las capturas del README

# celda → archivo en figs/; la captura es la de su diapositiva con todos los fragmentos a la vista
FIGURES = {
    "portada": "aula_portada",
    "bits_utf8": "aula_bits",
    "tokens_bpe_vivo": "aula_tokens",
    "prediccion_distribucion": "aula_prediccion",
    "temperatura_control": "aula_temperatura",
    "entrenamiento_corpus": "aula_corpus",
    "entrenamiento_matrices": "aula_matrices",
}
CHAT_FIGURE = ("chat_demo", "aula_chat")  # esta se toma después de preguntarle algo al chat
CHAT_PROMPT = "En un lugar de la Mancha"
# sin flechas, barra de avance ni avisos flotantes: solo la diapositiva
SLIDE_ONLY_CSS = """
.reveal .controls, .reveal .progress, [data-testid=slide-scroll-hint],
[data-sonner-toaster], section[aria-label^="Notifications"] { display: none !important; }
"""


def figure_steps(steps: list[Step]) -> dict[str, Step]:
    """Para cada figura, la última parada de su diapositiva (la que ya muestra todos sus fragmentos)."""
    chosen = {}
    for step in steps:
        for cell in step.cells:
            if cell in FIGURES:
                chosen[FIGURES[cell]] = step
    return chosen


def save_figures(page, steps: list[Step], out: Path) -> tuple[list[Path], list[str]]:
    """Copia a ``out`` las fotos del recorrido que van al README y toma la del chat respondiendo.

    Devuelve los archivos escritos y los problemas (una celda que ya no está, un chat que no respondió).
    """
    out.mkdir(parents=True, exist_ok=True)
    written, problems = [], []
    chosen = figure_steps(steps)
    for cell, name in FIGURES.items():
        if name not in chosen or chosen[name].screenshot is None:
            problems.append(f"no encontré la celda «{cell}» en ninguna diapositiva (¿cambió de nombre?)")
            continue
        written.append(Path(shutil.copyfile(chosen[name].screenshot, out / f"{name}.png")))
    cell, name = CHAT_FIGURE
    indices = slides_with(page, f'[data-cell-name="{cell}"] {CHAT}')
    if not indices:
        return written, problems + [f"no encontré el chat (celda «{cell}») en ninguna diapositiva"]
    show_slide(page, indices[0])
    answer = ask_chat(page, slide(page, indices[0]), CHAT_PROMPT)
    if not answer.text.strip():
        return written, problems + ["el chat no respondió: no tomé la captura del chat"]
    page.mouse.click(5, 5)  # sin el cursor parpadeando en la caja de texto
    page.wait_for_timeout(SETTLE_MS)
    page.screenshot(path=str(out / f"{name}.png"))
    return written + [out / f"{name}.png"], problems


# ---------------------------------------------------------------- uso desde la terminal


def review(photos: Path | None, figs: Path | None = None) -> int:
    """Recorre el taller en Chromium e imprime, por diapositiva, su título y sus problemas."""
    print("Iniciando marimo run (el taller, en este computador)…", flush=True)
    with MarimoServer() as server, chromium() as browser, tempfile.TemporaryDirectory(prefix="fotos-") as scratch:
        print(f"  respondió en {server.first_answer_seconds:.1f} s", flush=True)
        page = browser.new_page(viewport=VIEWPORT)
        print(f"  primera diapositiva visible en {open_deck(page, server.url):.1f} s", flush=True)
        wait_until_settled(page)
        if figs is not None:
            page.add_style_tag(content=SLIDE_ONLY_CSS)
        steps = []
        for step in walk(page, photos or (Path(scratch) if figs is not None else None)):
            steps.append(step)
            problems = step.problems()
            print(f"{step.number:3d}. {step.title}{'  ✔' if not problems else ''}", flush=True)
            for problem in problems:
                print(f"       ✘ {problem}")
        bad = sum(bool(step.problems()) for step in steps)
        print(f"\n{size_summary([step.sizes for step in steps])}")
        print(f"Memoria de marimo con la presentación cargada: {process_tree_rss_mb(server.process.pid):.0f} MB")
        print(f"{len(steps)} paradas, {bad} con problemas." + (f" Fotos en {photos}/" if photos else ""))
        if figs is not None:
            bad += report_figures(*save_figures(page, steps, figs))
    return 1 if bad else 0


def report_figures(written: list[Path], problems: list[str]) -> int:
    print("\nCapturas para el README:")
    for path in written:
        print(f"  {path}")
    for problem in problems:
        print(f"  ✘ {problem}")
    return len(problems)


def main(argv: list[str] | None = None) -> int:
    parser = ArgumentParser(prog="python -m demos.browser",
                            description="Recorre la presentación en Chromium y revisa cada diapositiva.")
    parser.add_argument("--fotos", type=Path, default=None, metavar="CARPETA",
                        help="carpeta donde guardar una foto de cada diapositiva")
    parser.add_argument("--figs", type=Path, default=None, metavar="CARPETA",
                        help="carpeta donde rehacer las capturas del README (aula_*.png), p. ej. figs/")
    args = parser.parse_args(argv)
    try:
        for folder in (args.fotos, args.figs):  # antes del recorrido largo: ¿se puede escribir ahí?
            if folder is not None:
                folder.mkdir(parents=True, exist_ok=True)
        return review(args.fotos, args.figs)
    except ChromiumMissing as error:
        print(error, file=sys.stderr)
        return 2
    except PlaywrightTimeout as error:
        print(f"Chromium no terminó a tiempo (¿el computador está muy cargado? Prueba con TALLER_ESPERA_S=1200)."
              f"\ndetalle técnico: {first_line(error)}", file=sys.stderr)
    except PlaywrightError as error:
        print(f"Chromium falló mientras recorría el taller.\ndetalle técnico: {first_line(error)}", file=sys.stderr)
    except MarimoFailed as error:
        print(error, file=sys.stderr)
    except OSError as error:
        print(f"No pude guardar las fotos: {explain_os_error(error)}.\ndetalle técnico: {error}", file=sys.stderr)
    return 1


def explain_os_error(error: OSError) -> str:
    """Por qué el sistema no dejó leer o escribir un archivo, en castellano (``strerror`` viene en inglés)."""
    reasons = {
        NotADirectoryError: "una parte de la ruta es un archivo, no una carpeta",
        IsADirectoryError: "ahí hay una carpeta, no un archivo",
        FileExistsError: "ya hay un archivo con ese nombre",
        FileNotFoundError: "esa ruta no existe",
        PermissionError: "no tengo permiso para escribir ahí",
    }
    by_errno = {errno.ENOSPC: "el disco está lleno", errno.EROFS: "el disco es de solo lectura",
                errno.ENAMETOOLONG: "el nombre es demasiado largo"}
    reason = next((text for kind, text in reasons.items() if isinstance(error, kind)), None)
    return reason or by_errno.get(error.errno, "el sistema no lo permitió")


def first_line(error: BaseException) -> str:
    """La primera línea de un error (Playwright agrega a veces un registro largo, en inglés)."""
    return (str(error).strip().splitlines() or [type(error).__name__])[0]


if __name__ == "__main__":
    sys.exit(main())
