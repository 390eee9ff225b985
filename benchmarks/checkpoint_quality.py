"""El modelo incluido: pérdida sobre TODO el 10 % de validación, tamaño y datos de origen.

Meta: ≤ 1,25 nats por carácter. Referencia: un GPT de 0,84 M parámetros con contexto 128 y
decaimiento coseno llegó a 1,29 tras 15 minutos en esta máquina de 2 núcleos. La misma medida
corre en tests/test_checkpoint.py (prueba «slow»): ``demos.trainer.held_out_loss``.

Uso: python benchmarks/checkpoint_quality.py
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from demos import corpus  # noqa: E402
from demos.aula.cli import ArgumentParser  # noqa: E402
from demos.formatting import decimal, thousands  # noqa: E402
from demos.model import CHECKPOINT, checkpoint_info, count_parameters, load_pretrained  # noqa: E402
from demos.trainer import held_out_loss  # noqa: E402

TARGET = 1.25


def main(argv=None) -> int:
    ArgumentParser(description="Mide el modelo incluido en todo el 10 % de validación.").parse_args(argv)
    model, tokenizer = load_pretrained()
    info = checkpoint_info()
    text = corpus.load_text()
    loss = held_out_loss(model, tokenizer, text)
    size = decimal(CHECKPOINT.stat().st_size / 1e6)
    print(f"QuijoteGPT: {model.config.n_layer} capas, {thousands(count_parameters(model))} parámetros, {size} MB")
    minutes = decimal(info.get("seconds", 0) / 60)
    print(f"entrenado: {thousands(info.get('steps', 0))} pasos, {minutes} min, torch {info.get('torch_version')}")
    same = info.get("corpus_sha256") == corpus.sha256(text)
    print(f"corpus: {'el mismo' if same else 'DISTINTO'} (sha256 {info.get('corpus_sha256', '')[:12]}…)")
    print(f"pérdida en todo el 10 % de validación ({thousands(len(corpus.split(text)[1]))} caracteres): "
          f"{decimal(loss, 4)} (meta ≤ {decimal(TARGET, 2)}, {decimal(loss / TARGET, 3)} × meta; anotada en el "
          f"archivo: {decimal(info.get('val_loss', 0), 4)}, con ventanas seguidas: "
          f"{decimal(info.get('val_loss_consecutive_windows', 0), 4)})")
    print(f"Meta ≤ {decimal(TARGET, 2)}: {'ok' if loss <= TARGET else 'NO SE CUMPLE'}")
    return 0 if loss <= TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
