"""Configuración común de las pruebas.

Las pruebas usan siempre El Quijote que viene con el taller (``demos/data/``), el mismo con que se
entrenó el modelo incluido: una ``TALLER_CORPUS`` de quien las corre no cuenta. Nada aquí descarga nada.
"""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def pytest_configure(config):
    os.environ.pop("TALLER_CORPUS", None)  # en pytest y no al importar: un subproceso puede fijarla a propósito


# un vocabulario y un GPT diminutos (16 caracteres de ventana): las pruebas del motor corren al instante
TINY_CHARS = list("\n !,.¿?abcdefghijklmnopqrstuvwxyzáéíñóú") + ["A", "D", "E", "Q"]


@pytest.fixture(scope="session")
def tiny_tokenizer():
    from demos.tokenizer import CharTokenizer

    return CharTokenizer(TINY_CHARS)


@pytest.fixture(scope="session", params=[False, True], ids=["posiciones-aprendidas", "alibi"])
def tiny_gpt(request, tiny_tokenizer):
    """Un GPT chico al azar, con posiciones aprendidas y con ALiBi (cada prueba corre con los dos)."""
    import torch

    from demos.model import GPT, GPTConfig

    torch.manual_seed(0)
    config = GPTConfig(vocab_size=tiny_tokenizer.vocab_size, context_length=16, n_layer=2, n_head=2, n_embd=32,
                       alibi=request.param)
    return GPT(config).eval()


@pytest.fixture(scope="session")
def pretrained():
    """El modelo incluido y su tokenizador (sin corpus ni red)."""
    from demos.model import load_pretrained

    return load_pretrained()


@pytest.fixture(scope="session")
def quijote():
    """El Quijote normalizado. Falla con un mensaje claro si no está disponible."""
    from demos import corpus

    return corpus.load_text()


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
