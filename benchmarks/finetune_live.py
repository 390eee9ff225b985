"""El refinamiento en vivo, como en la sala: un minuto desde QuijoteGPT, en este computador.

Metas (CPU de 2 núcleos): ≥ 80 % de las respuestas de prueba cierran su turno solas y la pérdida en
las respuestas de prueba baja respecto de la de partida. Informa también pasos, segundos y la memoria
más alta del proceso (la del kernel de la presentación se mide en ``benchmarks/startup.py``).

Uso: python benchmarks/finetune_live.py [--segundos 60]
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from demos.aula.cli import ArgumentParser  # noqa: E402
from demos.finetuning import sft  # noqa: E402
from demos.formatting import decimal, percent, thousands  # noqa: E402

STOP_TARGET = 0.80


def main(argv=None) -> int:
    parser = ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--segundos", type=float, default=60.0)
    args = parser.parse_args(argv)
    _, _, figures = sft.run(sft.live_recipe(args.segundos))
    print(f"{thousands(figures['steps'])} pasos en {decimal(figures['seconds'], 1)} s; "
          f"memoria más alta {thousands(round(figures['peak_rss_mb']))} MB")
    print(f"Cierran su turno solas: {percent(figures['stop_rate'])} (meta ≥ {percent(STOP_TARGET)})")
    print(f"Pérdida en las respuestas de prueba: {decimal(figures['val_loss_before'], 3)} → "
          f"{decimal(figures['val_loss_after'], 3)} (meta: baja)")
    ok = figures["stop_rate"] >= STOP_TARGET and figures["val_loss_after"] < figures["val_loss_before"]
    print("Metas: " + ("ok" if ok else "NO SE CUMPLEN"))
    print(sft.summary_line(figures))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
