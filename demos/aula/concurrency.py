"""Varias sesiones de marimo en un mismo proceso, sin pisarse.

``marimo run`` atiende a cada navegador en un hilo del mismo proceso. Si diez estudiantes abren el
taller a la vez, dos cosas de ese proceso no soportan que varios hilos las hagan al mismo tiempo:

1. Importar torch. Una sesión lo está importando cuando llega la siguiente, y marimo, al prepararla,
   ve «torch» en ``sys.modules`` y lo importa también desde otro hilo: torch queda a medio cargar
   («partially initialized module 'torch.nn.parameter'») y todas las celdas fallan.
2. Leer código Python como árbol (``ast.parse``). En Python 3.11 el contador de profundidad que usa
   es uno solo para todo el proceso: si un hilo cede el turno en medio de la lectura y otro empieza
   a leer, el primero falla con «AST constructor recursion depth mismatch» y esa celda no se compila
   (CPython, gh-106905). Ese paso está escrito en C y solo cede el turno cuando el recolector de
   basura corre código Python (un ``__del__``, por ejemplo).

Para lo primero, un candado: las importaciones van de a una. Para lo segundo, un candado sería
peligroso: el recolector puede correr cualquier código mientras lo tenemos, y si ese código espera a
otro hilo que espera el candado, todo se traba. En cambio, mientras algún hilo lee código pausamos el
recolector: sin él, la lectura no cede el turno y ningún hilo puede meterse en medio.

``guard_marimo()`` pone ambas cosas; marimo lo llama al arrancar su servidor y cada sesión
(``lifespan``, declarado en ``pyproject.toml`` como extensión de marimo), y la presentación otra vez
en su primera celda, por si el taller corre desde otro entorno donde esa extensión no está instalada.

Toca partes internas de marimo: si cambian de nombre, seguimos sin esa protección (como antes) y
``tests/test_concurrency.py`` avisa.
"""

from __future__ import annotations

import ast
import contextlib
import functools
import gc
import threading

# reentrante: mientras importamos torch, marimo registra sus formatos desde este mismo hilo
import_lock = threading.RLock()
_guard_lock = threading.Lock()
_GUARDED = "_taller_guarded"  # marca en las funciones ya envueltas, para no envolverlas dos veces


def guard_marimo() -> None:
    """Pone las protecciones (una sola vez por proceso, aunque lo llamen varios hilos)."""
    with _guard_lock:
        _make_parsing_atomic()
        _make_formatters_wait_for_imports()


@contextlib.asynccontextmanager
async def lifespan(_app=None):
    """Extensión de marimo (servidor y sesiones): protege antes de que se compile una celda."""
    guard_marimo()
    yield


def _make_parsing_atomic() -> None:
    ast.parse = _guarded(ast.parse, _collector_pause)
    try:
        from marimo._ast import compiler
    except ImportError:
        return
    compiler.ast_compile = _guarded(compiler.ast_compile, _collector_pause)


class _CollectorPause:
    """Pausa el recolector de basura mientras al menos un hilo lee código.

    El candado solo protege la cuenta, y adentro no corre nada de Python: no puede trabar a nadie.
    """

    def __init__(self):
        self._count_lock = threading.Lock()
        self._readers = 0
        self._was_enabled = False

    def __enter__(self):
        with self._count_lock:
            if self._readers == 0:
                self._was_enabled = gc.isenabled()
                gc.disable()
            self._readers += 1

    def __exit__(self, *exc_info):
        with self._count_lock:
            self._readers -= 1
            if self._readers == 0 and self._was_enabled:
                gc.enable()


_collector_pause = _CollectorPause()


def _make_formatters_wait_for_imports() -> None:
    """Que marimo registre sus formatos (torch, altair, …) solo cuando nadie esté importando."""
    try:
        from marimo._output.formatters.formatters import THIRD_PARTY_FACTORIES
    except ImportError:
        return
    for factory in THIRD_PARTY_FACTORIES.values():
        factory.register = _guarded(factory.register, import_lock)


def _guarded(function, protection):
    """``function`` envuelta en ``protection`` (un candado o la pausa del recolector), una sola vez."""
    if is_guarded(function):
        return function

    @functools.wraps(function)
    def protected(*args, **kwargs):
        with protection:
            return function(*args, **kwargs)

    setattr(protected, _GUARDED, True)
    return protected


def is_guarded(function) -> bool:
    """¿Esta función ya pasa por una protección del taller?"""
    return getattr(function, _GUARDED, False)
