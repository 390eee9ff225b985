"""¿Qué tan rápido aprende el GPT en vivo? Dos entrenamientos desde cero, de 20 s y de 100 s.

Metas en una CPU de 2 núcleos: pérdida de validación ≤ 2,0 en 20 s y ≤ 1,55 en 100 s.
Dos medidas por cada entrenamiento:
- cuándo cruza cada meta la pérdida estimada durante el entrenamiento (8 lotes al azar, cada 2 s):
  es la que ve la sala, pero es ruidosa y optimista (se queda con el primer cruce);
- la pérdida en TODO el 10 % de validación al final de cada presupuesto, sin azar: la que cuenta.
Referencia medida en esta máquina: el «baby GPT» de nanoGPT para CPU tarda ~40 s en llegar a 2,0
y va en 1,71 a los ~105 s. El reloj incluye las mediciones de validación (cada 2 s).

Uso: python benchmarks/training_speed.py [--presupuestos 20 100]
"""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import torch  # noqa: E402

from demos import trainer  # noqa: E402
from demos.aula.cli import ArgumentParser  # noqa: E402
from demos.formatting import decimal, thousands  # noqa: E402

GOALS = ((2.0, 20.0, 40.0), (1.55, 100.0, None))  # (pérdida meta, segundos meta, segundos de referencia)


def first_crossing(history, loss):
    return next((p.elapsed for p in history if p.val_loss is not None and p.val_loss <= loss), None)


def run(data, seconds: float):
    """Un entrenamiento desde cero con ese presupuesto: (historia, pérdida en todo el 10 %)."""
    torch.manual_seed(0)
    model = trainer.new_model("live", data.tokenizer.vocab_size)
    config = replace(trainer.live_config(seconds), eval_every=2.0, eval_batches=8, sample_every=1e9)
    history = []
    trainer.train(model, data, config, [history.append])
    return model, history, trainer.full_val_loss(model, data, max_chars=0)


def report(model, history, full: float, seconds: float) -> None:
    last = history[-1]
    print(f"\n— presupuesto {decimal(seconds, 0)} s: {thousands(last.step)} pasos en {decimal(last.elapsed)} s, "
          f"{torch.get_num_threads()} hilos, {thousands(sum(p.numel() for p in model.parameters()))} parámetros")
    for loss, goal, reference in GOALS:
        if goal > seconds:
            continue
        when = first_crossing(history, loss)
        text = f"{decimal(when):>6} s" if when is not None else "  nunca"
        ratio = f"  ({decimal(reference / when)}× más rápido que la referencia)" if when and reference else ""
        print(f"  estimada (8 lotes) ≤ {decimal(loss, 2)}: {text}  (meta ≤ {decimal(goal, 0)} s){ratio}")
    goal = next((loss for loss, goal_seconds, _ in GOALS if goal_seconds == seconds), None)
    verdict = "" if goal is None else f"  (meta ≤ {decimal(goal, 2)}: {'cumple' if full <= goal else 'NO cumple'})"
    print(f"  pérdida en TODO el 10 % de validación a los {decimal(seconds, 0)} s: {decimal(full, 4)}{verdict}")


def main(argv=None) -> int:
    parser = ArgumentParser(description="Mide cuánto aprende el GPT en vivo en 20 s y en 100 s.")
    parser.add_argument("--presupuestos", "--budgets", type=float, nargs="+", metavar="SEGUNDOS",
                        default=[goal for _, goal, _ in GOALS],
                        help="presupuestos de entrenamiento, cada uno desde cero")
    args = parser.parse_args(argv)
    data = trainer.prepare_data()
    for seconds in args.presupuestos:
        report(*run(data, seconds), seconds)
    return 0


if __name__ == "__main__":
    sys.exit(main())
