"""En la terminal: ``python -m demos.finetuning``.

    python -m demos.finetuning --datos                 # cuenta los diálogos y muestra tres
    python -m demos.finetuning --segundos 60           # refina en vivo desde QuijoteGPT y mide
    python -m demos.finetuning --receta incluido --guardar demos/checkpoints/quijote_chat.pt
"""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path

import torch

from demos import corpus
from demos.aula.cli import ArgumentParser
from demos.finetuning import dialogue, measure, sft
from demos.formatting import decimal, percent
from demos.trainer import save_atomically
from demos.training import non_empty_path, positive, print_progress


def build_parser() -> ArgumentParser:
    parser = ArgumentParser(prog="python -m demos.finetuning",
                            description="Refina QuijoteGPT con diálogos de El Quijote para que converse (QuijoteChat).")
    parser.add_argument("--datos", action="store_true", help="solo contar los diálogos y mostrar tres ejemplos")
    limit = parser.add_mutually_exclusive_group()
    limit.add_argument("--segundos", "--seconds", type=positive(float, "un número"), metavar="SEGUNDOS",
                       help="segundos de refinamiento (la receta en vivo usa 60)")
    limit.add_argument("--pasos", "--steps", type=positive(int, "un número entero"), metavar="PASOS",
                       help="pasos de refinamiento (en vez de segundos)")
    parser.add_argument("--receta", "--preset", choices=sorted(sft.PRESETS), default="en-vivo",
                        help="en-vivo (un minuto) o incluido (la que hizo demos/checkpoints/quijote_chat.pt)")
    parser.add_argument("--guardar", "--save", type=non_empty_path, metavar="ARCHIVO",
                        help="guardar el modelo refinado aquí")
    parser.add_argument("--preguntas", type=positive(int, "un número entero"), default=measure.STOP_PROMPTS,
                        help="con cuántas preguntas de prueba se mide si cierra su turno")
    parser.add_argument("--hilos", type=positive(int, "un número entero"),
                        help="hilos de torch (1 rinde más si la CPU está ocupada)")
    return parser


def recipe_for(args) -> sft.Recipe:
    """La receta pedida, con el límite que se haya dado en la terminal."""
    if args.segundos is not None:
        recipe = sft.live_recipe(args.segundos) if args.receta == "en-vivo" else sft.PRESETS[args.receta]
        return replace(recipe, train=replace(recipe.train, seconds=args.segundos))
    recipe = sft.PRESETS[args.receta]
    if args.pasos is not None:
        return replace(recipe, train=replace(recipe.train, max_steps=args.pasos, seconds=None))
    return recipe


def print_figures(figures: dict) -> None:
    print(f"Pérdida en las respuestas de prueba: {decimal(figures['val_loss_before'], 3)} → "
          f"{decimal(figures['val_loss_after'], 3)} nats por carácter", file=sys.stderr)
    print(f"Cierran su turno solas: {percent(figures['stop_rate'])} · empiezan repitiendo al usuario: "
          f"{percent(figures['repeat_rate'])} (de {figures['stop_prompts']} preguntas)", file=sys.stderr)
    for user, text, ended in figures["replies"][:3]:
        print(f"\n  usuario:   {user}\n  asistente: {text}{'' if ended else ' […]'}", file=sys.stderr)


def main(argv=None) -> int:
    args = build_parser().parse_args(argv)
    if args.hilos:
        torch.set_num_threads(args.hilos)
    try:
        if args.datos:
            print(dialogue.describe(dialogue.load()))
            return 0
        recipe = recipe_for(args)
        print(f"Refinando QuijoteGPT ({recipe.description}): {recipe.train.max_steps} pasos"
              + (f" o {decimal(recipe.train.seconds, 0)} s" if recipe.train.seconds else "") + "…", file=sys.stderr)
        model, tokenizer, figures = sft.run(recipe, args.preguntas, [print_progress])
    except corpus.CorpusUnavailable as error:
        print(error, file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("\nRefinamiento interrumpido: no se guardó nada.", file=sys.stderr)
        return 130
    print_figures(figures)
    if args.guardar:
        info = sft.checkpoint_info(recipe, args.receta, figures, tokenizer, measure.base_native_losses(
            sft.prepare(tokenizer, train_reply_chars=recipe.train_reply_chars)))
        save_atomically(Path(args.guardar), model, tokenizer, info)
        print(f"Guardado en {args.guardar}", file=sys.stderr)
    print(f"pasos={figures['steps']} segundos={figures['seconds']:.1f} repeat_rate={figures['repeat_rate']:.2f} "
          f"memoria_max={figures['peak_rss_mb']:.0f}MB")
    print(sft.summary_line(figures))
    return 0


if __name__ == "__main__":
    sys.exit(main())
