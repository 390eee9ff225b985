"""Las demos del taller: un módulo por sección, cada uno se corre solo con ``python -m demos.<sección>``.

Aquí está, en un solo lugar, la lista de secciones de la charla (``SECTIONS``): su orden, el prefijo
de sus celdas en ``deck/taller.py``, el título con que abre y los módulos que usan sus celdas. La
leen ``deck/build_layout.py`` (que arma el layout y las notas), las pruebas y la revisión en Chromium.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass


@dataclass(frozen=True)
class Section:
    prefix: str  # sus celdas se llaman «prefijo_…»; sus notas están en deck/notas/<prefijo>.toml
    title: str  # el título (h1) con que abre la sección
    modules: tuple[str, ...] = ()  # los módulos de demos/ que importan sus celdas


SECTIONS = (
    Section("portada", "Construye tu propio ChatGPT"),
    Section("bits", "Bits", ("bits",)),
    Section("fotogramas", "Fotogramas", ("frames",)),
    Section("tokens", "Tokens", ("tokens", "words", "model")),
    Section("prediccion", "Predicción del siguiente token", ("prediction", "prediction.track", "model")),
    Section("version1", "Versión 1 del chat", ("chat", "chat.widget", "version1")),
    Section("memoria", "Memoria", ("memory", "version1", "chat", "charts")),
    Section("temperatura", "Temperatura", ("temperature", "prediction.track", "decoding", "model")),
    Section("entrenamiento", "Entrenamiento", ("training", "trainer", "corpus", "decoding", "model", "formatting")),
    Section("refinamiento", "Refinamiento", ("finetuning.views", "chat_template")),
    Section("alucinaciones", "Alucinaciones", ("finetuning.views",)),
    Section("archivo", "Un modelo abierto es un archivo", ("model_file", "model")),
    Section("chat", "Tu propio ChatGPT", ("chat", "chat.widget", "memory")),
    Section("cierre", "Detrás de la cortina"),
)
# lo que la presentación importa (de a una sesión) y las bibliotecas que el chat importa recién al usarse
DECK_MODULES = tuple(sorted({name for section in SECTIONS for name in section.modules}))
LAZY_LIBRARIES = ("dotenv", "httpx", "ollama", "openai")


def section_of(cell_name: str) -> Section | None:
    """La sección de una celda, por su prefijo (``bits_utf8`` → Bits); ``None`` si no es de ninguna."""
    return next((s for s in SECTIONS if cell_name == s.prefix or cell_name.startswith(s.prefix + "_")), None)


def import_all() -> None:
    """Importa todo lo de la presentación, una sesión a la vez (ver ``demos.aula.concurrency``)."""
    from demos.aula import concurrency

    concurrency.guard_marimo()
    with concurrency.import_lock:
        for name in DECK_MODULES:
            importlib.import_module(f"demos.{name}")
        for name in LAZY_LIBRARIES:
            try:
                importlib.import_module(name)
            except ImportError:  # el chat ya explica en castellano cuándo falta una biblioteca
                pass
