"""Arranque del taller: lo que espera la sala desde que quien presenta escribe ``marimo run``.

Mide, con el mismo ``marimo run`` y el mismo Chromium que usan las pruebas:

- cuánto tarda ``marimo run deck/taller.py`` en responder por HTTP          (meta ≤ 3 s);
- cuánto tarda en verse la primera diapositiva, desde que se abre la página (meta ≤ 8 s);
- cuánto tarda el kernel en calcular todas las diapositivas;
- la memoria del servidor y su kernel (todo el árbol de procesos) después de recorrer todas
  las diapositivas                                                            (meta ≤ 600 MB);
- la memoria después de entrenar en vivo (la diapositiva del GPT que aprende, con el mínimo de
  segundos): la más alta durante y después (meta ≤ 600 MB);
- la memoria al refinar en vivo (un minuto de refinamiento de QuijoteGPT), el momento de más
  memoria de la clase: la más alta durante y después (meta ≤ 600 MB);
- los segundos de CPU que gastó marimo (una estimación que no infla la carga de otros procesos).

Sale con 1 si alguna cifra no cumple su meta (para usarlo en CI o antes de la clase).

Uso: python benchmarks/startup.py [--repeticiones 3] [--sin-entrenar]
"""

from __future__ import annotations

import statistics
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from demos.aula import browser, slides  # noqa: E402
from demos.aula.cli import ArgumentParser  # noqa: E402
from demos.formatting import decimal, thousands  # noqa: E402

TARGETS = {"http": 3.0, "first_slide": 8.0, "memory": 600.0, "memory_trained": 600.0, "memory_finetuned": 600.0}


class PeakMemory:
    """Anota, en un hilo aparte, la memoria más alta del árbol de procesos de ``pid`` mientras dura el ``with``."""

    def __init__(self, pid: int, every_s: float = 0.25):
        self.pid, self.every_s, self.peak_mb = pid, every_s, 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        while not self._stop.is_set():
            self.peak_mb = max(self.peak_mb, browser.process_tree_rss_mb(self.pid))
            self._stop.wait(self.every_s)

    def __enter__(self) -> PeakMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()
        self.peak_mb = max(self.peak_mb, browser.process_tree_rss_mb(self.pid))


def live_peak(page, pid: int, start) -> tuple[float, float]:
    """Aprieta un botón en vivo (``start``) y espera; devuelve (segundos que tardó, memoria más alta en MB)."""
    started = time.perf_counter()
    with PeakMemory(pid) as memory:
        start(page)
        slides.wait_until_settled(page)
    return time.perf_counter() - started, memory.peak_mb


def measure_once(train: bool) -> dict[str, float]:
    with browser.MarimoServer() as server, browser.chromium() as chromium:
        http_s = server.first_answer_seconds
        cpu_at_http = browser.process_tree_cpu_s(server.process.pid)
        page = chromium.new_page(viewport=browser.VIEWPORT)
        first_slide_s = slides.open_deck(page, server.url)
        started = time.perf_counter()
        slides.wait_until_settled(page)
        computed_s = first_slide_s + time.perf_counter() - started - slides.QUIET_MS / 1000
        steps = sum(1 for _ in slides.walk(page))
        figures = {
            "http": http_s, "first_slide": first_slide_s, "computed": computed_s, "steps": steps,
            "memory": browser.process_tree_rss_mb(server.process.pid), "cpu_http": cpu_at_http,
        }
        if train:
            pid = server.process.pid
            figures["training"], figures["memory_trained"] = live_peak(page, pid, slides.start_live_training)
            figures["finetuning"], figures["memory_finetuned"] = live_peak(page, pid, slides.start_live_finetune)
        figures["cpu_total"] = browser.process_tree_cpu_s(server.process.pid)
        return figures


def verdict(name: str, value: float) -> str:
    target = TARGETS.get(name)
    if target is None:
        return ""
    unit, missed = ("MB", "DEMASIADA") if name.startswith("memory") else ("s", "LENTO")
    return f"(meta ≤ {thousands(target)} {unit})  {'ok' if value <= target else missed}"


def report(median: dict[str, float]) -> None:
    def seconds(key: str) -> str:
        return f"{decimal(median[key], 1):>6} s "

    def megabytes(key: str) -> str:
        return f"{thousands(round(median[key])):>6} MB"

    print("\nArranque del taller (mediana, tiempo de reloj)")
    print(f"  marimo run responde por HTTP          {seconds('http')}   {verdict('http', median['http'])}")
    print(f"  primera diapositiva visible           {seconds('first_slide')}   "
          f"{verdict('first_slide', median['first_slide'])}")
    print(f"  todas las diapositivas calculadas     {seconds('computed')}")
    print(f"  memoria tras recorrer {median['steps']:.0f} paradas      {megabytes('memory')}   "
          f"{verdict('memory', median['memory'])}")
    if "memory_trained" in median:
        print(f"  entrenar en vivo (el mínimo)          {seconds('training')}")
        print(f"  memoria al entrenar en vivo           {megabytes('memory_trained')}   "
              f"{verdict('memory_trained', median['memory_trained'])}")
        print(f"  refinar en vivo (un minuto)           {seconds('finetuning')}")
        print(f"  memoria al refinar en vivo            {megabytes('memory_finetuned')}   "
              f"{verdict('memory_finetuned', median['memory_finetuned'])}")
    print(f"  CPU de marimo hasta responder         {seconds('cpu_http')}")
    print(f"  CPU de marimo en total                {seconds('cpu_total')}")


def missed_targets(median: dict[str, float]) -> list[str]:
    return [name for name, target in TARGETS.items() if name in median and median[name] > target]


def main(argv=None) -> int:
    parser = ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeticiones", "--repeat", type=int, default=1,
                        help="cuántas veces arrancar (se informa la mediana)")
    parser.add_argument("--sin-entrenar", action="store_true",
                        help="no medir la memoria al entrenar ni al refinar en vivo")
    args = parser.parse_args(argv)
    if args.repeticiones < 1:
        parser.error("--repeticiones debe ser 1 o más")
    runs = []
    try:
        for number in range(1, args.repeticiones + 1):
            print(f"Arranque {number} de {args.repeticiones}…", flush=True)
            runs.append(measure_once(train=not args.sin_entrenar))
    except browser.ChromiumMissing as error:
        print(error, file=sys.stderr)
        return 2
    except (browser.PlaywrightError, browser.MarimoFailed) as error:
        print(f"No pude medir el arranque.\ndetalle técnico: {browser.first_line(error)}", file=sys.stderr)
        return 1
    median = {key: statistics.median(run[key] for run in runs) for key in runs[0]}
    report(median)
    if missed := missed_targets(median):
        print(f"\nNo cumple la meta: {', '.join(missed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
