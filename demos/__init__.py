"""Las demos del taller: un módulo por sección, cada uno se corre solo con ``python -m demos.<sección>``."""

from __future__ import annotations

import importlib

# lo que la presentación usa: sus secciones y las bibliotecas que el chat importa recién al usarse
DECK_MODULES = ("bits", "charts", "chat", "chat.widget", "corpus", "decoding", "frames", "memory", "model",
                "prediction", "temperature", "tokens", "trainer", "training")
LAZY_LIBRARIES = ("dotenv", "httpx", "ollama", "openai")


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
