"""Instalar el taller: sin avisos de setuptools, y con todo lo que la charla necesita dentro del paquete."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from tests.conftest import ROOT

# un aviso de Python se ve así: «…/archivo.py:82: BuildBackendWarning: …» o «SetuptoolsDeprecationWarning: …»
PYTHON_WARNING = re.compile(r"\b\w*Warning\b(?!: Location)")


@pytest.mark.slow
def test_the_editable_install_prints_no_setuptools_warnings():
    """``pip install -e .`` (lo que hace ``taller.sh``) no debe llenar la terminal de avisos en inglés."""
    result = subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "-e", "."], cwd=ROOT,
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-2000:]
    # «WARNING: Location … is ignored» lo escribe pip por la configuración de la máquina, no por el taller
    lines = [line for line in (result.stdout + result.stderr).splitlines() if "WARNING: Location" not in line]
    warnings = [line.strip() for line in lines if PYTHON_WARNING.search(line)]
    assert not warnings, "la instalación avisa:\n" + "\n".join(warnings)


def test_the_package_carries_its_data_files():
    """El corpus, el modelo y la caja de chat viajan dentro del paquete (``package-data``)."""
    import tomllib

    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    patterns = config["tool"]["setuptools"]["package-data"]["demos"]
    shipped = {path.relative_to(ROOT / "demos").as_posix() for pattern in patterns
               for path in (ROOT / "demos").glob(pattern)}
    for needed in ("data/el_quijote.txt.xz", "data/LEEME.md", "checkpoints/quijote_gpt.pt", "chat/widget.js",
                   "chat/widget.css"):
        assert needed in shipped, f"{needed} no entra en el paquete instalado"
