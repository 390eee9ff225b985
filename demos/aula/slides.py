"""Recorrer la presentación como quien presenta: con el teclado, diapositiva por diapositiva.

Cada parada (``Step``) anota su título, sus textos, si algo no cabe en 1280×720, si una celda falló
y su letra (``demos/aula/sizes.py``). También: esperar a que el kernel termine de calcular, mover
un deslizador, entrenar en vivo y conversar con el chat, como lo haría la sala.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from demos.aula.browser import LAYOUT, WAIT_MS, PlaywrightTimeout
from demos.aula.sizes import Sizes, measure_sizes

SETTLE_MS = 700  # la transición entre diapositivas dura ~0,5 s: esperamos a que termine
SLIDES = ".reveal .slides > section"
# Para marimo, un error en una celda se ve así en la página (modo «run»).
ERROR_SELECTOR = "[role=alert] .text-error"


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


def stops_with(page, selector: str) -> list[tuple[int, int]]:
    """Como ``slides_with``, pero mirando dentro de las pilas verticales (↓): ``(h, v)`` de cada parada."""
    found = []
    for h in range(slide_count(page)):
        inner = slide(page, h).locator(":scope > section")
        if inner.count():
            found += [(h, v) for v in range(inner.count()) if inner.nth(v).locator(selector).count()]
        elif slide(page, h).locator(selector).count():
            found.append((h, 0))
    return found


def stop(page, h: int, v: int = 0):
    """El ``<section>`` de la parada ``(h, v)``: la sub-diapositiva ``v`` de la pila ``h`` (o la diapositiva ``h``)."""
    inner = slide(page, h).locator(":scope > section")
    return inner.nth(v) if inner.count() else slide(page, h)


def show_stop(page, h: int, v: int = 0) -> None:
    """Como ``show_slide``, y después baja (↓) hasta la sub-diapositiva ``v``."""
    show_slide(page, h)
    while state(page)[1] < v and press(page, "ArrowDown", settle_ms=0):
        pass
    page.wait_for_timeout(SETTLE_MS)


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
    return _press_live_button(page, TRAINING_CELL, TRAINING_BUTTON, minimum_slider=True)


FINETUNE_CELL = "refinamiento_vivo"
FINETUNE_BUTTON = "Refinar QuijoteGPT en vivo"


def start_live_finetune(page):
    """Va a la diapositiva del refinamiento en vivo y aprieta el botón (un minuto de refinamiento).
    Devuelve la diapositiva; quien llama espera a que termine (``wait_until_settled``)."""
    return _press_live_button(page, FINETUNE_CELL, FINETUNE_BUTTON)


def _press_live_button(page, cell: str, button: str, minimum_slider: bool = False):
    index = slides_with(page, f'[data-cell-name="{cell}"]')[0]
    show_slide(page, index)
    section = slide(page, index)
    if minimum_slider:
        move_slider(page, section.locator("marimo-slider").first, 0.0)  # el mínimo: la clase no espera
    wait_until_settled(page)
    section.get_by_role("button", name=re.compile(re.escape(button))).first.click()
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
