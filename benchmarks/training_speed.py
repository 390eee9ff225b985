"""¿Qué tan rápido aprende el GPT en vivo? Entrena desde cero y anota cuándo cruza cada meta.

Metas en una CPU de 2 núcleos: pérdida de validación ≤ 2,0 antes de 20 s y ≤ 1,55 antes de 100 s.
Referencia medida en esta máquina: el «baby GPT» de nanoGPT para CPU tarda ~40 s en llegar a 2,0
y va en 1,71 a los ~105 s. El reloj incluye las mediciones de validación (cada 2 s).

Uso: python benchmarks/training_speed.py [--seconds 100]
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import torch  # noqa: E402

from demos import training  # noqa: E402

GOALS = ((2.0, 20.0, 40.0), (1.55, 100.0, None))  # (pérdida, segundos meta, segundos de referencia)


def first_crossing(history, loss):
    return next((p.elapsed for p in history if p.val_loss is not None and p.val_loss <= loss), None)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=100.0)
    args = parser.parse_args(argv)
    data = training.prepare_data()
    torch.manual_seed(0)
    model = training.new_model("live", data.tokenizer.vocab_size)
    config = replace(training.live_config(args.seconds), eval_every=2.0, eval_batches=8, sample_every=1e9)
    history = []
    training.train(model, data, config, [history.append])
    print(f"GPT en vivo: {sum(p.numel() for p in model.parameters()):,} parámetros, {history[-1].step} pasos "
          f"en {history[-1].elapsed:.1f} s, {torch.get_num_threads()} hilos")
    for loss, goal, reference in GOALS:
        when = first_crossing(history, loss)
        text = f"{when:6.1f} s" if when is not None else "  nunca"
        ratio = f"  ({reference / when:.1f}× más rápido que la referencia)" if when and reference else ""
        print(f"val ≤ {loss:.2f}: {text}  (meta ≤ {goal:.0f} s){ratio}")
    full = training.full_val_loss(model, data, max_chars=0)
    print(f"pérdida final en TODO el 10 % de validación: {full:.4f} (a los {history[-1].elapsed:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
