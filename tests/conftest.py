"""Configuración común de las pruebas.

El corpus nunca se versiona: en CI y en las pruebas se lee de ``../shared/data`` (al lado del
repositorio) a menos que ``TALLER_CORPUS`` diga otra cosa. Nada aquí descarga nada.
"""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED_CORPUS = ROOT.parent / "shared" / "data" / "el_quijote.txt"
if "TALLER_CORPUS" not in os.environ and SHARED_CORPUS.is_file():
    os.environ["TALLER_CORPUS"] = str(SHARED_CORPUS)
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


@pytest.fixture(scope="session")
def pretrained():
    """El modelo incluido y su tokenizador (sin corpus ni red)."""
    from demos.model import load_pretrained

    return load_pretrained()


@pytest.fixture(scope="session")
def quijote():
    """El Quijote normalizado. Falla con un mensaje claro si no está disponible."""
    from demos import corpus

    return corpus.load_text(download_if_missing=False)


def load_deck():
    """Importa ``deck/taller.py`` como módulo (sin ejecutar sus celdas)."""
    spec = importlib.util.spec_from_file_location("taller_deck", ROOT / "deck" / "taller.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def deck_run():
    """Corre el notebook completo sin navegador, una vez por sesión: ``(outputs, defs)``."""
    return load_deck().app.run()
