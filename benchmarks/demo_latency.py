"""Latencia de las demos interactivas: lo que tarda en recalcularse cada una al mover un control.

Meta: mediana ≤ 50 ms por demo en una CPU de 2 núcleos. Cada archivo de ``benchmarks/cases/``
define ``CASES``: un diccionario «nombre → función sin argumentos» que hace exactamente el
trabajo de un recálculo (el mismo código que llama la diapositiva).

Uso: python benchmarks/demo_latency.py [--repeat 30] [filtro]
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "benchmarks")]
TARGET_MS = 50.0


def all_cases() -> dict[str, callable]:
    import cases

    found = {}
    for info in pkgutil.iter_modules(cases.__path__):
        module = importlib.import_module(f"cases.{info.name}")
        found.update({f"{info.name}: {name}": fn for name, fn in module.CASES.items()})
    return found


def median_ms(fn, repeat: int) -> float:
    fn()  # la primera vez calienta cachés; la sala la ve una sola vez al abrir la diapositiva
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("filter", nargs="?", default="", help="solo los casos que contienen este texto")
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args(argv)
    cases = {k: v for k, v in all_cases().items() if args.filter in k}
    if not cases:
        print("No hay casos que medir.")
        return 0
    width = max(map(len, cases))
    slow = 0
    for name, fn in cases.items():
        ms = median_ms(fn, args.repeat)
        slow += ms > TARGET_MS
        mark = "ok" if ms <= TARGET_MS else "LENTO"
        print(f"{name:<{width}}  mediana {ms:7.2f} ms  ({ms / TARGET_MS:4.2f} × meta)  {mark}")
    print(f"\n{len(cases) - slow} de {len(cases)} demos dentro de la meta de {TARGET_MS:.0f} ms.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
