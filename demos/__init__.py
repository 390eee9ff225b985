"""Las demos del taller: un módulo por sección, cada uno se corre solo con ``python -m demos.<sección>``."""

from __future__ import annotations

import importlib
import threading

# lo que la presentación usa: sus secciones y las bibliotecas que el chat importa recién al usarse
DECK_MODULES = ("art", "bits", "charts", "chat", "corpus", "frames", "memory", "model", "prediction",
                "temperature", "tokens", "training")
LAZY_LIBRARIES = ("dotenv", "httpx", "ollama", "openai")

# reentrante: mientras importamos torch, marimo registra sus formatos desde este mismo hilo
_import_lock = threading.RLock()


def import_all() -> None:
    """Importa todo lo de la presentación, una sesión a la vez.

    ``marimo run`` atiende a cada navegador en un hilo del mismo proceso. Si diez estudiantes abren
    el taller a la vez, una sesión está importando torch cuando llega la siguiente, y marimo, al
    prepararla, ve «torch» en ``sys.modules`` y lo importa también desde otro hilo: torch queda a
    medio cargar («partially initialized module 'torch.nn.parameter'») y todas las celdas fallan.
    Con el candado, la primera sesión importa y las demás (y marimo) esperan y encuentran todo listo.
    """
    with _import_lock:
        _make_marimo_wait_for_imports()
        for name in DECK_MODULES:
            importlib.import_module(f"demos.{name}")
        for name in LAZY_LIBRARIES:
            try:
                importlib.import_module(name)
            except ImportError:  # el chat ya explica en castellano cuándo falta una biblioteca
                pass


def _make_marimo_wait_for_imports() -> None:
    """Que marimo registre sus formatos (torch, altair, …) solo cuando nadie esté importando.

    Es una parte interna de marimo: si cambia de nombre, seguimos sin la espera (como antes).
    """
    try:
        from marimo._output.formatters.formatters import THIRD_PARTY_FACTORIES
    except ImportError:
        return
    for factory in THIRD_PARTY_FACTORIES.values():
        if not getattr(factory, "waits_for_taller_imports", False):
            factory.register = _locked(factory.register)
            factory.waits_for_taller_imports = True


def _locked(register):
    def register_when_no_one_imports():
        with _import_lock:
            return register()

    return register_when_no_one_imports
