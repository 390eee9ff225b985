"""Arranque del taller: lo que espera la sala desde que quien presenta escribe ``marimo run``.

Mide, con el mismo ``marimo run`` y el mismo Chromium que usan las pruebas:

- cuánto tarda ``marimo run deck/taller.py`` en responder por HTTP          (meta ≤ 3 s);
- cuánto tarda en verse la primera diapositiva, desde que se abre la página (meta ≤ 8 s);
- cuánto tarda el kernel en calcular todas las diapositivas;
- la memoria del servidor y su kernel (todo el árbol de procesos) después de recorrer todas
  las diapositivas                                                            (meta ≤ 600 MB);
- los segundos de CPU que gastó marimo (una estimación que no infla la carga de otros procesos).

Uso: python benchmarks/startup.py [--repeat 3]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from demos import browser  # noqa: E402

TARGETS = {"http": 3.0, "first_slide": 8.0, "memory": 600.0}


def measure_once() -> dict[str, float]:
    with browser.MarimoServer() as server, browser.chromium() as chromium:
        http_s = server.first_answer_seconds
        cpu_at_http = browser.process_tree_cpu_s(server.process.pid)
        page = chromium.new_page(viewport=browser.VIEWPORT)
        first_slide_s = browser.open_deck(page, server.url)
        started = time.perf_counter()
        browser.wait_until_settled(page)
        computed_s = first_slide_s + time.perf_counter() - started - browser.QUIET_MS / 1000
        steps = sum(1 for _ in browser.walk(page))
        return {
            "http": http_s, "first_slide": first_slide_s, "computed": computed_s, "steps": steps,
            "memory": browser.process_tree_rss_mb(server.process.pid),
            "cpu_http": cpu_at_http, "cpu_total": browser.process_tree_cpu_s(server.process.pid),
        }


def verdict(name: str, value: float) -> str:
    target = TARGETS.get(name)
    unit = "MB" if name == "memory" else "s"
    return "" if target is None else f"(meta ≤ {target:g} {unit})  {'ok' if value <= target else 'LENTO'}"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=1, help="cuántas veces arrancar (se informa la mediana)")
    args = parser.parse_args(argv)
    runs = []
    for number in range(1, args.repeat + 1):
        print(f"Arranque {number} de {args.repeat}…", flush=True)
        runs.append(measure_once())
    median = {key: statistics.median(run[key] for run in runs) for key in runs[0]}
    print("\nArranque del taller (mediana, tiempo de reloj)")
    print(f"  marimo run responde por HTTP          {median['http']:6.1f} s    {verdict('http', median['http'])}")
    print(f"  primera diapositiva visible           {median['first_slide']:6.1f} s    "
          f"{verdict('first_slide', median['first_slide'])}")
    print(f"  todas las diapositivas calculadas     {median['computed']:6.1f} s")
    print(f"  memoria tras recorrer {median['steps']:.0f} paradas      {median['memory']:6.0f} MB   "
          f"{verdict('memory', median['memory'])}")
    print(f"  CPU de marimo hasta responder         {median['cpu_http']:6.1f} s")
    print(f"  CPU de marimo en total                {median['cpu_total']:6.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
