"""Velocidad del chat con QuijoteGPT: cuánto tarda el primer carácter y cuántos caracteres por segundo.

Metas (CPU de 2 núcleos): primer carácter ≤ 300 ms; ≥ 1.000 caracteres por segundo transmitidos.
Mide por el mismo camino que usa el chat (``GuardedStream``: hilo aparte + cola), con el modelo ya
cargado (la carga se informa aparte: ocurre una vez al abrir el notebook). Muestra tiempo de reloj
y tiempo de CPU del proceso: con el computador ocupado por otros, el de CPU estima mejor.

El chat genera con un solo hilo de torch (ver ``chat.one_torch_thread``).

Uso: python benchmarks/chat_embedded.py [--repeat 5] [--chars 400]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from demos import chat  # noqa: E402
from demos.model import load_pretrained  # noqa: E402

FIRST_TARGET_MS = 300.0
RATE_TARGET = 1000.0
QUESTION = [{"role": "user", "content": "¿Qué animal da leche y dice mu?"}]


def one_run(chars: int) -> dict:
    """Una respuesta completa: reloj y CPU hasta el primer carácter y hasta el final."""
    wall0, cpu0 = time.perf_counter(), time.process_time()
    guarded = chat.GuardedStream(chat.EmbeddedBackend(seed=0), QUESTION, temperature=0.8, max_tokens=chars)
    first_wall = first_cpu = None
    total = 0
    for delta in guarded:
        if first_wall is None:
            first_wall, first_cpu = time.perf_counter() - wall0, time.process_time() - cpu0
        total += len(delta)
    wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
    return {"first_wall_ms": first_wall * 1000, "first_cpu_ms": first_cpu * 1000,
            "rate_wall": total / wall, "rate_cpu": total / max(cpu, 1e-9), "chars": total}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--chars", type=int, default=chat.MAX_NEW_CHARS)
    args = parser.parse_args(argv)
    start = time.perf_counter()
    model, _ = load_pretrained()
    print(f"Carga del modelo (una vez): {(time.perf_counter() - start) * 1000:.0f} ms; "
          f"contexto {model.context_length} caracteres")
    one_run(20)  # calentar
    runs = [one_run(args.chars) for _ in range(args.repeat)]
    med = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
    ok_first = med["first_wall_ms"] <= FIRST_TARGET_MS
    ok_rate = med["rate_wall"] >= RATE_TARGET
    print(f"Primer carácter: mediana {med['first_wall_ms']:.0f} ms de reloj ({med['first_cpu_ms']:.0f} ms de CPU)"
          f"  meta ≤ {FIRST_TARGET_MS:.0f} ms  {'ok' if ok_first else 'LENTO'}")
    print(f"Transmisión: mediana {med['rate_wall']:,.0f} caracteres/s de reloj ({med['rate_cpu']:,.0f} por s de CPU)"
          f"  meta ≥ {RATE_TARGET:,.0f}  {'ok' if ok_rate else 'LENTO'}")
    print(f"({args.repeat} respuestas de {int(med['chars'])} caracteres)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
