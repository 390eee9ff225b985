"""Vectores de palabras de El Quijote: cuánto cuesta calcularlos, leerlos de la caché y preguntar.

Meta: una pregunta (las palabras más parecidas a una palabra) contesta en ≤ 50 ms una vez que
los vectores están en la caché. Mide, con una caché temporal (no toca la de ``~/.cache``):

- el cálculo completo, de texto a vectores (se hace una sola vez por computador);
- la lectura desde la caché en disco (lo que espera cada proceso nuevo);
- cada pregunta, también las que no encuentran la palabra y explican por qué (mediana y la peor).

Sale con 1 si la mediana de las preguntas no cumple la meta.

Uso: python benchmarks/word_vectors.py [--rondas 20]
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from functools import partial
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from demos import corpus  # noqa: E402
from demos.aula.cli import ArgumentParser  # noqa: E402
from demos.formatting import decimal, thousands  # noqa: E402
from demos.words import cache  # noqa: E402
from demos.words.vectors import EXAMPLES, compute  # noqa: E402

TARGET_MS = 50.0
# las de la diapositiva, una con otra mayúscula, una sin tilde, una mal escrita, una que no está y una vacía
QUERIES = [*EXAMPLES, "ROCINANTE", "frio", "rocinamte", "xyzzy", ""]


def seconds(action) -> tuple[float, object]:
    start = time.perf_counter()
    result = action()
    return time.perf_counter() - start, result


def cached_load(text: str) -> float:
    """Lo que tarda un proceso nuevo: nada en memoria, los vectores en el disco."""
    cache._in_memory.clear()
    elapsed, _ = seconds(lambda: cache.load(text))
    return elapsed


def query_times(vectors, rounds: int) -> list[float]:
    """Milisegundos de cada pregunta, todas las palabras de ``QUERIES`` en cada ronda."""
    vectors.neighbours(EXAMPLES[0])  # calentar
    return [1000 * seconds(partial(vectors.neighbours, word))[0] for _ in range(rounds) for word in QUERIES]


def main(argv=None) -> int:
    parser = ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rondas", "--rounds", type=int, default=20, help="vueltas de lectura y de preguntas")
    args = parser.parse_args(argv)
    rounds = max(args.rondas, 1)
    text = corpus.load_text()
    with tempfile.TemporaryDirectory(prefix="vectores-") as folder:
        os.environ["XDG_CACHE_HOME"] = folder
        built, vectors = seconds(lambda: compute(text))
        key = cache.cache_key(text)
        cache.save(vectors, cache.cache_path(key), key)
        loads = [cached_load(text) for _ in range(min(rounds, 5))]
        times = query_times(cache.load(text), rounds)
    median = statistics.median(times)
    print(f"El Quijote: {thousands(len(text))} caracteres → {thousands(len(vectors.words))} palabras con "
          f"vector de {vectors.vectors.shape[1]} números")
    print(f"cálculo completo (una sola vez): {decimal(built, 2)} s")
    print(f"lectura desde la caché en disco: {decimal(1000 * statistics.median(loads))} ms (mediana de {len(loads)})")
    print(f"pregunta, {thousands(len(times))} veces: mediana {decimal(median, 3)} ms, "
          f"la peor {decimal(max(times), 3)} ms")
    print(f"Meta ≤ {decimal(TARGET_MS, 0)} ms por pregunta (mediana): {'ok' if median <= TARGET_MS else 'LENTO'}")
    return 0 if median <= TARGET_MS else 1


if __name__ == "__main__":
    sys.exit(main())
