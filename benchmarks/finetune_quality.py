"""QuijoteChat, el modelo refinado que viene con el taller: ¿conversa?

Mide, sobre los intercambios del final del libro que nunca vio al refinarse:
- cuántas respuestas cierran su turno solas (``<|fin|>``) en ≤ 400 caracteres   (meta ≥ 95 %);
- cuántas empiezan repitiendo las palabras del usuario                          (meta ≤ 5 %);
- la pérdida en esas respuestas (nats por carácter), contra la de QuijoteGPT en las mismas
  respuestas: con la plantilla (como la lee el chat) y en su propio formato de libro   (meta: menor).

Todo se calcula aquí, no se lee de lo anotado en el archivo. Sale con 1 si alguna meta no se cumple.

Uso: python benchmarks/finetune_quality.py [--preguntas 196]
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from demos import chat_template  # noqa: E402
from demos.aula.cli import ArgumentParser  # noqa: E402
from demos.finetuning import measure, sft  # noqa: E402
from demos.formatting import decimal, percent, thousands  # noqa: E402

STOP_TARGET, REPEAT_TARGET = 0.95, 0.05


def main(argv=None) -> int:
    parser = ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--preguntas", type=int, default=200, help="cuántas preguntas de prueba (hay 196)")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    chat_model, tokenizer, info = chat_template.load_chat_checkpoint()
    base, _ = sft.base_chat_model()
    data = sft.prepare(tokenizer)
    after = measure.evaluate(chat_model, data, stop_prompts=args.preguntas)
    before = measure.evaluate(base, data, stop_prompts=0)
    native = measure.base_native_losses(data)
    size = chat_template.CHAT_CHECKPOINT.stat().st_size / 1e6
    print(f"QuijoteChat: {decimal(size, 1)} MB, receta «{info.get('preset')}», {thousands(info.get('steps', 0))} pasos")
    print(f"Cierran su turno solas: {percent(after['stop_rate'])} de {after['prompts']} "
          f"(meta ≥ {percent(STOP_TARGET)}); mediana {after['median_chars']} caracteres")
    print(f"Empiezan repitiendo al usuario: {percent(after['repeat_rate'])} (meta ≤ {percent(REPEAT_TARGET)})")
    print(f"Pérdida en las respuestas de prueba (nats/carácter): QuijoteChat {decimal(after['val_loss'], 3)} · "
          f"QuijoteGPT con la plantilla {decimal(before['val_loss'], 3)} · QuijoteGPT en formato de libro "
          f"{decimal(native['val_loss'], 3)}")
    print(f"Solo los caracteres (sin el fin de turno): {decimal(after['val_loss_chars'], 3)} contra "
          f"{decimal(before['val_loss_chars'], 3)} y {decimal(native['val_loss_chars'], 3)}")
    ratio = after["val_loss"] / before["val_loss"]
    print(f"Razón de pérdidas QuijoteChat / QuijoteGPT: {decimal(ratio, 3)} (meta < 1)")
    print(f"({decimal(time.perf_counter() - started, 0)} s)")
    ok = (after["stop_rate"] >= STOP_TARGET and after["repeat_rate"] <= REPEAT_TARGET
          and after["val_loss"] < min(before["val_loss"], native["val_loss"]))
    print("Metas: " + ("ok" if ok else "NO SE CUMPLEN"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
