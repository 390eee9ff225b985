"""Varias sesiones de marimo en un mismo proceso, sin pisarse.

``marimo run`` atiende a cada navegador en un hilo del mismo proceso. Si diez estudiantes abren el
taller a la vez, dos cosas de ese proceso no soportan que varios hilos las hagan al mismo tiempo:

1. Importar torch. Una sesión lo está importando cuando llega la siguiente, y marimo, al prepararla,
   ve «torch» en ``sys.modules`` y lo importa también desde otro hilo: torch queda a medio cargar
   («partially initialized module 'torch.nn.parameter'») y todas las celdas fallan.
2. Leer código Python como árbol (``ast.parse``). En Python 3.11 el contador de profundidad que usa
   es uno solo para todo el proceso: si dos hilos leen a la vez, uno de ellos falla con «AST
   constructor recursion depth mismatch» y esa celda no se compila (CPython, gh-106905).

La solución es la misma para ambas: un candado, para que vayan de a una. ``guard_marimo()`` los
pone; marimo lo llama al arrancar su servidor y cada sesión (``lifespan``, declarado en
``pyproject.toml`` como extensión de marimo), y la presentación otra vez en su primera celda, por si
el taller corre desde otro entorno donde esa extensión no está instalada.

Toca partes internas de marimo: si cambian de nombre, seguimos sin esa espera (como antes) y
``tests/test_concurrency.py`` avisa.
"""

from __future__ import annotations

import ast
import contextlib
import functools
import threading

# reentrantes: mientras importamos torch, marimo registra sus formatos desde este mismo hilo
import_lock = threading.RLock()
_parse_lock = threading.RLock()
_guard_lock = threading.Lock()
_GUARDED = "_taller_guarded"  # marca en las funciones ya envueltas, para no envolverlas dos veces


def guard_marimo() -> None:
    """Pone los candados (una sola vez por proceso, aunque lo llamen varios hilos)."""
    with _guard_lock:
        _serialize_parsing()
        _make_formatters_wait_for_imports()


@contextlib.asynccontextmanager
async def lifespan(_app=None):
    """Extensión de marimo (servidor y sesiones): pone los candados antes de compilar celdas."""
    guard_marimo()
    yield


def _serialize_parsing() -> None:
    ast.parse = _guarded(ast.parse, _parse_lock)
    try:
        from marimo._ast import compiler
    except ImportError:
        return
    compiler.ast_compile = _guarded(compiler.ast_compile, _parse_lock)


def _make_formatters_wait_for_imports() -> None:
    """Que marimo registre sus formatos (torch, altair, …) solo cuando nadie esté importando."""
    try:
        from marimo._output.formatters.formatters import THIRD_PARTY_FACTORIES
    except ImportError:
        return
    for factory in THIRD_PARTY_FACTORIES.values():
        factory.register = _guarded(factory.register, import_lock)


def _guarded(function, lock):
    if getattr(function, _GUARDED, False):
        return function

    @functools.wraps(function)
    def one_at_a_time(*args, **kwargs):
        with lock:
            return function(*args, **kwargs)

    setattr(one_at_a_time, _GUARDED, True)
    return one_at_a_time


def is_guarded(function) -> bool:
    """¿Esta función ya pasa por un candado del taller?"""
    return getattr(function, _GUARDED, False)
