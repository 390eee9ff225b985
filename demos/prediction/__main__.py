"""La predicción en la terminal: ``python -m demos.prediction --pasos 20 "En un lugar"``.

Qué carácter cree el modelo que viene, el texto que crece de a un carácter (``--semilla`` elige
los «dados» del sorteo) y, si hay Ollama corriendo, qué token viene según un LLM de verdad.
"""

from __future__ import annotations

import sys

from demos.aula.cli import ArgumentParser
from demos.decoding import next_token_distribution, one_thread
from demos.formatting import percent, visible
from demos.model import load_pretrained
from demos.prediction.charts import top_candidates
from demos.prediction.ollama import ollama_next_tokens
from demos.prediction.steps import SEED, Growth, prepare_prompt, tail


def _bar(p: float, width: int = 30) -> str:
    return "█" * round(p * width)


def parse_args(argv: list[str]):
    parser = ArgumentParser(prog="python -m demos.prediction",
                            description="Qué carácter cree el modelo que viene, y el texto que crece paso a paso.")
    parser.add_argument("texto", nargs="*", help="el comienzo del texto (por omisión: «En un lugar»)")
    parser.add_argument("--pasos", type=int, default=20, help="cuántos caracteres nuevos escribir (por omisión: 20)")
    parser.add_argument("--semilla", type=int, default=SEED, help=f"los «dados» del sorteo (por omisión: {SEED})")
    args = parser.parse_args(argv)
    if not 0 <= args.pasos <= 2_000:
        parser.error("--pasos va de 0 a 2.000")
    return args


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    model, tokenizer = load_pretrained()
    prompt = prepare_prompt(tokenizer, " ".join(args.texto) if args.texto else "En un lugar")
    for note in prompt.notes:
        print(f"Aviso: {note}")
    with one_thread():
        probs = next_token_distribution(model, tokenizer, prompt.text)
    print(f"Después de «{tail(prompt.text, 60)}», el modelo cree que viene:")
    for c in top_candidates(probs, tokenizer, 5):
        print(f"  {visible(c.text):>3}  {percent(c.probability):>7}  {_bar(c.probability)}")
    print(f"\nEl texto crece de a un carácter (sorteo con semilla {args.semilla}):")
    grow = Growth(model, tokenizer, prompt.text, seed=args.semilla)
    for step in grow.upto(args.pasos):
        others = ", ".join(f"«{visible(c.text)}» {percent(c.probability)}" for c in step.candidates[:3])
        mark = "el más probable" if not step.surprising else f"NO era el más probable: puesto {step.rank}"
        print(f"  paso {step.number:2}: «{visible(step.chosen.text)}» {percent(step.chosen.probability):>7} "
              f"({mark})   candidatos: {others}")
    print(f"\nTexto final: {grow.text}")
    answer = ollama_next_tokens(prompt.text)
    print(f"\n{answer.message.replace('`', '')}")
    for c in answer.candidates[:5]:
        print(f"  {visible(c.text):>12}  {percent(c.probability):>7}  {_bar(c.probability)}")
    if answer.caption():
        print(answer.caption().replace("**", ""))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
