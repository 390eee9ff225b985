"""La letra de cada diapositiva, medida en Chromium: ¿se lee desde el fondo de la sala?

Los tamaños son los de la pantalla (px) a 1280×720: la letra × la escala con que reveal.js achica la
diapositiva. Se revisan los controles de marimo (que viven en shadow roots), los párrafos, el resto
del texto y los gráficos; también las cifras a la inglesa y las tablas de texto mal alineadas.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

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
