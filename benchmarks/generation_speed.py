"""Velocidad de generación del modelo incluido (con caché KV), y sin caché para comparar.

Meta: ≥ 1.000 caracteres por segundo.

Uso: python benchmarks/generation_speed.py [--chars 2000]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import torch  # noqa: E402

from demos.model import load_pretrained, probabilities, stream  # noqa: E402

TARGET = 1000.0


def with_cache(model, tokenizer, chars: int) -> tuple[float, float]:
    start = time.perf_counter()
    first = None
    for i, _ in enumerate(stream(model, tokenizer, "En un lugar de la Mancha", chars, temperature=0.8, seed=0)):
        if i == 0:
            first = time.perf_counter() - start
    return chars / (time.perf_counter() - start), first


@torch.no_grad()
def without_cache(model, tokenizer, chars: int) -> float:
    ids = tokenizer.encode("En un lugar de la Mancha")
    start = time.perf_counter()
    for _ in range(chars):
        logits = model(torch.tensor([ids[-model.context_length:]]))[0][0, -1]
        ids.append(int(torch.multinomial(probabilities(logits, 0.8), 1)))
    return chars / (time.perf_counter() - start)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--chars", type=int, default=2000)
    args = parser.parse_args(argv)
    model, tokenizer = load_pretrained()
    with_kv, first = with_cache(model, tokenizer, args.chars)
    plain = without_cache(model, tokenizer, args.chars // 4)
    print(f"primer carácter: {first * 1000:.0f} ms")
    print(f"con caché KV: {with_kv:,.0f} caracteres/s ({with_kv / TARGET:.2f} × meta de {TARGET:,.0f})")
    print(f"sin caché:    {plain:,.0f} caracteres/s (la caché es {with_kv / plain:.1f}× más rápida)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
