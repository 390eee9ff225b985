"""Diez navegadores a la vez: lo que no soporta hilos simultáneos va de a uno (ver ``demos.aula.concurrency``)."""

from __future__ import annotations

import ast
import contextlib
import gc
import re
import sys
import threading
import time
from importlib.metadata import entry_points
from pathlib import Path

import pytest

import demos
from demos.aula import concurrency

# código suficientemente largo para que leerlo como árbol tome varios milisegundos
SOURCE = "\n".join(f"def f{i}(a, b):\n    return [a + b * {i} for _ in range(3)]" for i in range(300))


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
    with concurrency.import_lock:  # una sesión está importando torch…
        other = threading.Thread(target=lambda: (factory.register(), registered.set()), daemon=True)
        other.start()
        assert not registered.wait(0.5), "marimo registró los formatos de torch en plena importación"
    assert registered.wait(30), "marimo no pudo registrar sus formatos cuando terminó la importación"


def test_the_lock_is_reentrant_for_the_session_that_imports():
    """marimo registra sus formatos desde el mismo hilo que importa: con el candado tomado, no se traba."""
    done = threading.Event()

    def import_while_holding_the_lock():
        with concurrency.import_lock:
            demos.import_all()
            done.set()

    worker = threading.Thread(target=import_while_holding_the_lock, daemon=True)
    worker.start()
    assert done.wait(60), "importar con el candado ya tomado se trabó (el candado no es reentrante)"


def test_guarding_twice_does_not_wrap_twice():
    concurrency.guard_marimo()
    once = ast.parse
    concurrency.guard_marimo()
    assert ast.parse is once and concurrency.is_guarded(once)
    assert not concurrency.is_guarded(once.__wrapped__), "la protección quedó envuelta dentro de otra"


def test_marimo_compiles_cells_through_the_protection():
    """Si marimo cambia el nombre de su función interna, esta prueba avisa (la protección dejaría de actuar)."""
    from marimo._ast import compiler

    concurrency.guard_marimo()
    assert concurrency.is_guarded(compiler.ast_compile)
    assert isinstance(compiler.module_compile("x = 1"), ast.Module)
    assert concurrency.is_guarded(ast.parse)


def test_marimo_loads_our_extension_for_its_server_and_every_session():
    """Instalado con ``pip install -e .``, marimo encuentra la extensión y la usa en el servidor y las sesiones."""
    from marimo._runtime.runtime import _KERNEL_LIFESPAN_REGISTRY
    from marimo._server.registry import LIFESPAN_REGISTRY

    for group in ("marimo.server.asgi.lifespan", "marimo.kernel.lifespan"):
        values = [point.value for point in entry_points(group=group)]
        missing = f"falta la extensión en {group}: reinstala con pip install -e ."
        assert "demos.aula.concurrency:lifespan" in values, missing
    assert concurrency.lifespan in LIFESPAN_REGISTRY.get_all()
    assert concurrency.lifespan in _KERNEL_LIFESPAN_REGISTRY.get_all()


@pytest.mark.slow
def test_many_sessions_can_compile_at_once():
    """El error de Python 3.11 aparece de verdad sin la protección, y nunca con ella.

    Varios hilos leen código a la vez, como diez sesiones de marimo que compilan sus celdas; en cada
    recolección de basura corre un poco de Python (como con tantas bibliotecas) y el hilo cede el turno.
    """
    concurrency.guard_marimo()
    with _threads_that_switch_often():
        unguarded_s = _seconds_until_first_failure(ast.parse.__wrapped__, limit_s=15)
        if unguarded_s is None:
            pytest.skip(f"este Python ({sys.version.split()[0]}) no muestra el error ni sin protección")
        # al mismo ritmo de fallas, en este tiempo esperaríamos unas diez sin la protección
        guarded_s = min(max(10 * unguarded_s, 2), 20)
        from marimo._ast import compiler

        for parse in (ast.parse, compiler.module_compile):
            failures = _failures_while_parsing(parse, seconds=guarded_s / 2)
            assert not failures, f"con la protección, {parse.__qualname__} falló igual: {failures[0]}"


def test_reading_code_never_waits_for_another_thread():
    """La protección no es un candado: un hilo que lee código nunca espera a otro (no puede trabarse).

    Un hilo tiene tomado un candado de su biblioteca (el de ``logging``, por ejemplo) y lee código;
    el otro lee código también, y su basura pide ese mismo candado al recogerse. Con un candado
    alrededor de ``ast.parse`` los dos se esperarían para siempre.
    """
    concurrency.guard_marimo()
    library_lock, stop, stuck = threading.Lock(), threading.Event(), []

    class NeedsTheLibrary:
        def __init__(self):
            self.me = self

        def __del__(self):
            if not library_lock.acquire(timeout=5):
                stuck.append("la basura esperó 5 s el candado de la biblioteca")
                return
            library_lock.release()

    def holds_the_library_and_reads():
        while not stop.is_set():
            with library_lock:
                ast.parse(SOURCE)
            # como una biblioteca de verdad, la suelta un momento: sin esto, en un computador muy cargado
            # este hilo la retoma siempre primero y la basura del otro espera turno sin fin (no es un trabón)
            time.sleep(0.001)

    def reads_and_litters():
        while not stop.is_set():
            NeedsTheLibrary()
            ast.parse(SOURCE)

    workers = [threading.Thread(target=holds_the_library_and_reads, daemon=True),
               threading.Thread(target=reads_and_litters, daemon=True)]
    for worker in workers:
        worker.start()
    stop.wait(3)
    stop.set()
    for worker in workers:
        worker.join(timeout=30)
    assert not any(worker.is_alive() for worker in workers), "dos hilos que leen código quedaron trabados"
    assert not stuck, stuck[0]


def test_the_collector_comes_back_as_it_was():
    concurrency.guard_marimo()
    threads = [threading.Thread(target=ast.parse, args=(SOURCE,)) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert gc.isenabled(), "después de leer código, el recolector de basura quedó apagado"
    gc.disable()
    try:
        ast.parse(SOURCE)
        assert not gc.isenabled(), "si alguien lo había apagado, debe seguir apagado"
    finally:
        gc.enable()


@contextlib.contextmanager
def _threads_that_switch_often():
    def on_collection(phase, info):
        pass  # basta con que corra Python: ahí el intérprete puede pasarle el turno a otro hilo

    interval = sys.getswitchinterval()
    gc.callbacks.append(on_collection)
    sys.setswitchinterval(1e-5)
    try:
        yield
    finally:
        sys.setswitchinterval(interval)
        gc.callbacks.remove(on_collection)


def _failures_while_parsing(parse, seconds: float, stop_at_first: bool = False, threads: int = 4) -> list[str]:
    failures, stop = [], threading.Event()

    def parser():
        while not stop.is_set():
            try:
                parse(SOURCE)
            except SystemError as error:
                failures.append(str(error))
                if stop_at_first:
                    stop.set()

    workers = [threading.Thread(target=parser) for _ in range(threads)]
    for worker in workers:
        worker.start()
    stop.wait(seconds)
    stop.set()
    for worker in workers:
        worker.join()
    return failures


def _seconds_until_first_failure(parse, limit_s: float) -> float | None:
    started = time.perf_counter()
    failures = _failures_while_parsing(parse, seconds=limit_s, stop_at_first=True)
    if not failures:
        return None
    assert "recursion depth mismatch" in failures[0], failures[0]
    return time.perf_counter() - started


def test_every_demo_the_deck_imports_goes_through_the_lock():
    """Una sección nueva que el notebook importe debe estar en ``DECK_MODULES`` (si no, se importaría sin candado)."""
    deck = (Path(__file__).resolve().parent.parent / "deck" / "taller.py").read_text(encoding="utf-8")
    imported = {name.strip() for names in re.findall(r"^\s*from demos import ([\w, ]+)$", deck, re.M)
                for name in names.split(",")}
    assert imported, "no encontré las importaciones de demos en el notebook"
    missing = sorted(imported - set(demos.DECK_MODULES))
    assert not missing, f"faltan en demos.DECK_MODULES: {missing}"
