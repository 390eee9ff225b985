"""Latencia de las demos interactivas: lo que tarda en recalcularse cada una al mover un control.

Meta: mediana ≤ 50 ms por demo en una CPU de 2 núcleos. Cada archivo de ``benchmarks/cases/``
define ``CASES``: un diccionario «nombre → función sin argumentos» que hace exactamente el
trabajo de un recálculo (el mismo código que llama la diapositiva).

Junto al tiempo de reloj se muestra el tiempo de CPU del proceso: si la CPU es mucho mayor que
el reloj, varios hilos trabajaron a la vez; si el reloj es mucho mayor, el proceso esperó (otros
programas usaban la máquina). Termina con código 1 si alguna demo no cumple la meta.

Uso: python benchmarks/demo_latency.py [--repeticiones 30] [filtro]
"""

from __future__ import annotations

import importlib
import pkgutil
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "benchmarks")]
TARGET_MS = 50.0

from demos.aula.cli import ArgumentParser  # noqa: E402
from demos.formatting import decimal  # noqa: E402  (después de poner la raíz del proyecto en sys.path)


def all_cases() -> dict[str, callable]:
    import cases

    found = {}
    for info in pkgutil.iter_modules(cases.__path__):
        module = importlib.import_module(f"cases.{info.name}")
        found.update({f"{info.name}: {name}": fn for name, fn in module.CASES.items()})
    return found


@dataclass
class Timing:
    wall_ms: float  # mediana del tiempo de reloj: lo que espera la sala
    cpu_ms: float  # mediana del tiempo de CPU del proceso (todos sus hilos)

    @property
    def ok(self) -> bool:
        return self.wall_ms <= TARGET_MS


def measure(fn, repeat: int) -> Timing:
    fn()  # la primera vez calienta cachés; la sala la ve una sola vez al abrir la diapositiva
    walls, cpus = [], []
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        fn()
        walls.append((time.perf_counter() - wall) * 1000)
        cpus.append((time.process_time() - cpu) * 1000)
    return Timing(statistics.median(walls), statistics.median(cpus))


def line(name: str, width: int, timing: Timing) -> str:
    mark = "ok" if timing.ok else "LENTO"
    return (f"{name:<{width}}  mediana {decimal(timing.wall_ms, 2):>7} ms  (CPU {decimal(timing.cpu_ms, 2):>7} ms)  "
            f"{decimal(timing.wall_ms / TARGET_MS, 2):>5} × meta  {mark}")


def main(argv=None) -> int:
    parser = ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("filter", nargs="?", default="", metavar="filtro",
                        help="solo los casos que contienen este texto")
    parser.add_argument("--repeticiones", "--repeat", type=int, default=30,
                        help="cuántas veces medir cada caso (por omisión: 30)")
    args = parser.parse_args(argv)
    if args.repeticiones < 1:
        parser.error("--repeticiones debe ser al menos 1")
    cases = {k: v for k, v in all_cases().items() if args.filter in k}
    if not cases:
        print("No hay casos que medir.")
        return 1
    width = max(map(len, cases))
    slow = 0
    for name, fn in cases.items():
        timing = measure(fn, args.repeticiones)
        slow += not timing.ok
        print(line(name, width, timing), flush=True)
    print(f"\n{len(cases) - slow} de {len(cases)} demos dentro de la meta de {TARGET_MS:.0f} ms.")
    return 1 if slow else 0


if __name__ == "__main__":
    sys.exit(main())
