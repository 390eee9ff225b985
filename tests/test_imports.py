"""Diez navegadores a la vez: las importaciones pesadas van de a una (ver ``demos.import_all``)."""

from __future__ import annotations

import sys
import threading

import demos


def test_import_all_loads_every_deck_module():
    demos.import_all()
    for name in demos.DECK_MODULES:
        assert f"demos.{name}" in sys.modules
    assert "torch" in sys.modules


def test_marimo_registers_its_formats_only_when_no_session_is_importing():
    from marimo._output.formatters.formatters import THIRD_PARTY_FACTORIES

    demos.import_all()
    factory = THIRD_PARTY_FACTORIES["torch"]
    registered = threading.Event()
    with demos._import_lock:  # una sesión está importando torch…
        other = threading.Thread(target=lambda: (factory.register(), registered.set()), daemon=True)
        other.start()
        assert not registered.wait(0.5), "marimo registró los formatos de torch en plena importación"
    assert registered.wait(30), "marimo no pudo registrar sus formatos cuando terminó la importación"


def test_the_lock_is_reentrant_for_the_session_that_imports():
    with demos._import_lock:
        demos.import_all()  # marimo registra formatos desde el mismo hilo que importa: no se traba


def test_every_demo_the_deck_imports_goes_through_the_lock():
    """Una sección nueva que el notebook importe debe estar en ``DECK_MODULES`` (si no, se importaría sin candado)."""
    import re
    from pathlib import Path

    deck = (Path(__file__).resolve().parent.parent / "deck" / "taller.py").read_text(encoding="utf-8")
    imported = {name.strip() for names in re.findall(r"^\s*from demos import ([\w, ]+)$", deck, re.M)
                for name in names.split(",")}
    assert imported, "no encontré las importaciones de demos en el notebook"
    missing = sorted(imported - set(demos.DECK_MODULES))
    assert not missing, f"faltan en demos.DECK_MODULES: {missing}"
