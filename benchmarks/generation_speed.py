"""Velocidad de generación del modelo incluido (con caché KV), y sin caché para comparar.

Meta: ≥ 1.000 caracteres por segundo. Genera como el chat: un solo hilo de torch
(``decoding.one_thread``) y la caché que se desliza cuando el texto pasa de la ventana. En una
máquina compartida la velocidad cambia de una vuelta a otra: se informan la mediana y la mejor
de varias vueltas, y el tiempo de CPU, que sufre menos cuando otros programas ocupan la máquina.

Uso: python benchmarks/generation_speed.py [--caracteres 1000] [--rondas 7]
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import torch  # noqa: E402

from demos.aula.cli import ArgumentParser  # noqa: E402
from demos.decoding import one_thread, stream  # noqa: E402
from demos.formatting import decimal, thousands  # noqa: E402
from demos.model import count_parameters, load_pretrained  # noqa: E402
from demos.sampling import probabilities  # noqa: E402

TARGET = 1000.0
PROMPT = "En un lugar de la Mancha, de cuyo nombre no quiero acordarme"


def with_cache(model, tokenizer, chars: int, seed: int) -> tuple[float, float, float]:
    """Caracteres por segundo de reloj y de CPU, y el tiempo hasta el primero (ms)."""
    wall, cpu = time.perf_counter(), time.process_time()
    first = None
    for i, _ in enumerate(stream(model, tokenizer, PROMPT, chars, temperature=0.8, seed=seed)):
        if i == 0:
            first = (time.perf_counter() - wall) * 1000
    return chars / (time.perf_counter() - wall), chars / (time.process_time() - cpu), first


@torch.inference_mode()
def without_cache(model, tokenizer, chars: int) -> float:
    """Cada carácter recalcula toda la ventana: lo que la caché se ahorra."""
    ids = tokenizer.encode(PROMPT)
    start = time.perf_counter()
    for _ in range(chars):
        logits = model(torch.tensor([ids[-model.context_length:]]))[0][0, -1]
        ids.append(int(torch.multinomial(probabilities(logits, 0.8), 1)))
    return chars / (time.perf_counter() - start)


def main(argv=None) -> int:
    parser = ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--caracteres", "--chars", type=int, default=1000, help="caracteres por vuelta")
    parser.add_argument("--rondas", "--rounds", type=int, default=7, help="vueltas")
    args = parser.parse_args(argv)
    model, tokenizer = load_pretrained()
    config = model.config
    print(f"QuijoteGPT: {config.n_layer} capas de {config.n_embd}, {thousands(count_parameters(model))} parámetros")
    with one_thread():
        with_cache(model, tokenizer, 50, seed=0)  # calentar
        runs = [with_cache(model, tokenizer, args.caracteres, seed=i) for i in range(max(args.rondas, 1))]
        plain = without_cache(model, tokenizer, max(args.caracteres // 10, 10))
    wall = sorted(r[0] for r in runs)
    cpu = statistics.median(r[1] for r in runs)
    median = statistics.median(wall)
    print(f"primer carácter: {thousands(statistics.median(r[2] for r in runs))} ms")
    print(f"con caché KV, {len(runs)} vueltas de {thousands(args.caracteres)} caracteres: mediana {thousands(median)} "
          f"caracteres/s ({decimal(median / TARGET, 2)} × meta), la mejor {thousands(wall[-1])}, "
          f"la peor {thousands(wall[0])}; por segundo de CPU: {thousands(cpu)}")
    print(f"sin caché: {thousands(plain)} caracteres/s (la caché es {decimal(median / plain)} veces más rápida)")
    print(f"Meta ≥ {thousands(TARGET)} caracteres/s (mediana): {'ok' if median >= TARGET else 'LENTO'}")
    return 0 if median >= TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
