"""Temperatura: qué tan aleatoria es la elección del siguiente token.

El modelo entrega un puntaje por carácter (``logits``). Antes de convertirlos en
probabilidades se dividen por la temperatura T:

- T cerca de 0 → el favorito se lleva todo: siempre sale lo más probable;
- T = 1 → la distribución tal como la aprendió el modelo;
- T grande → todos se parecen: casi un sorteo entre todas las letras.

top-k (quedarse con los k favoritos) y top-p (los favoritos hasta sumar p) cortan la cola
de candidatos improbables antes de sortear. Las cuentas están en ``demos.sampling.probabilities``.

Uso: ``python -m demos.temperature "En un lugar de la Mancha"``
"""

from __future__ import annotations

import html
import sys
import textwrap
from dataclasses import dataclass

import torch

from demos.aula.cli import ArgumentParser
from demos.decoding import continue_text, next_token_logits, one_thread
from demos.formatting import decimal, percent, visible
from demos.model import load_pretrained
from demos.prediction import notes_markdown as notes_markdown  # la diapositiva lo usa desde aquí
from demos.prediction import prepare_prompt, probability_chart, tail
from demos.sampling import probabilities

TEMPERATURES = (0.2, 0.8, 1.5)  # ¿baja, media y alta? las tres muestras lado a lado
SHOW_TOP = 10  # ¿cuántos candidatos dibujamos?
SAMPLE_CHARS = 120  # ¿cuántos caracteres escribe cada muestra?
SEED = 0  # ¿qué «dados» usamos? la misma semilla para las tres temperaturas


def entropy_bits(probs: torch.Tensor) -> float:
    """Cuánta incertidumbre hay, en bits: 0 = ya se sabe qué sale; 1 bit = una moneda al aire."""
    p = probs[probs > 0].double()
    bits = float(-(p * p.log2()).sum())
    return bits if bits > 0 else 0.0  # sin «-0,00» por redondeo


def equivalent_choices(probs: torch.Tensor) -> float:
    """La entropía como cantidad: «es como elegir al azar entre N caracteres igual de probables»."""
    return 2 ** entropy_bits(probs)


@dataclass
class Shaped:
    """Una distribución antes y después de los recortes (top-k, top-p)."""

    before_cut: torch.Tensor  # (V,) solo con temperatura
    after_cut: torch.Tensor  # (V,) lo que de verdad se sortea
    order: list[int]  # ids del más probable al menos probable

    @property
    def kept(self) -> int:
        return int((self.after_cut > 0).sum())

    @property
    def entropy(self) -> float:
        return entropy_bits(self.after_cut)


def shape(logits: torch.Tensor, temperature: float, top_k=None, top_p=None) -> Shaped:
    before = probabilities(logits, temperature)
    after = probabilities(logits, temperature, top_k, top_p)
    return Shaped(before, after, logits.argsort(descending=True).tolist())  # el orden no depende de T


def chart_rows(shaped: Shaped, tokenizer, show: int = SHOW_TOP) -> list[dict]:
    """La barra mide la probabilidad con temperatura; gris si top-k o top-p la dejaron fuera."""
    rows = [_row(tokenizer.decode([i]), float(shaped.before_cut[i]), float(shaped.after_cut[i]))
            for i in shaped.order[:show]]
    rest = shaped.order[show:]
    if rest:
        before, after = float(shaped.before_cut[rest].sum()), float(shaped.after_cut[rest].sum())
        rows.append({"token": f"otros {len(rest)}", "probabilidad": before,
                     "tipo": "otros" if after > 0 or before == 0 else "cortado",
                     "etiqueta": percent(after) if after > 0 or before == 0 else "cortados"})
    return rows


def _row(text: str, before: float, after: float) -> dict:
    cut = before > 0 and after == 0
    label = "cortado" if cut else percent(after) + (f"  (era {percent(before)})" if abs(after - before) > 5e-3 else "")
    return {"token": visible(text), "probabilidad": before, "tipo": "cortado" if cut else "candidato",
            "etiqueta": label}


def chart(logits: torch.Tensor, tokenizer, temperature: float, top_k=None, top_p=None, show: int = SHOW_TOP):
    """El gráfico que se redibuja al mover los controles (eje fijo de 0 a 100 %, para comparar)."""
    return probability_chart(chart_rows(shape(logits, temperature, top_k, top_p), tokenizer, show), x_max=1.0)


def summary(logits: torch.Tensor, temperature: float, top_k=None, top_p=None) -> str:
    shaped = shape(logits, temperature, top_k, top_p)
    choices = equivalent_choices(shaped.after_cut)
    return (f"Entropía: **{decimal(shaped.entropy, 2)} bits** — como elegir al azar entre "
            f"**{decimal(choices)}** caracteres · quedan **{shaped.kept}** de {logits.numel()} candidatos")


def describe(temperature: float) -> str:
    t = float(temperature)
    if t <= 0:
        return "T = 0: siempre el más probable (sin azar)."
    if t < 0.7:
        return "Baja: casi siempre el favorito. Predecible y repetitivo."
    if t <= 1.2:
        return "Media: cerca de lo que aprendió el modelo (idéntico solo con T = 1)."
    return "Alta: los improbables ganan terreno. Sorpresas… y disparates."


@one_thread()
def samples(model, tokenizer, prompt: str, temperatures=TEMPERATURES, n_chars: int = SAMPLE_CHARS,
            seed: int = SEED) -> dict[float, str]:
    """La misma frase y la misma semilla; solo cambia la temperatura."""
    text = prepare_prompt(tokenizer, prompt).text
    return {t: continue_text(model, tokenizer, text, n_chars, temperature=t, seed=seed) for t in temperatures}


def samples_html(prompt: str, texts: dict[float, str], context_chars: int = 30) -> str:
    """Tres columnas: el final de la frase en gris y lo que escribió cada temperatura."""
    start = html.escape(tail(prompt, context_chars))
    boxes = "".join(
        f"<div style='flex:1;border:2px solid #dee2e6;border-radius:8px;padding:10px'>"
        f"<div style='font-size:24px;font-weight:bold'>T = {decimal(t)}</div>"
        f"<div style='font-size:20px;color:#495057'>{html.escape(describe(t))}</div>"
        f"<div style='font-size:20px;white-space:pre-wrap;font-family:ui-monospace,monospace'>"
        f"<span style='color:#adb5bd'>{start}</span>{html.escape(text)}</div></div>"
        for t, text in texts.items())
    return f"<div style='display:flex;gap:12px;max-width:1200px'>{boxes}</div>"


# ---------------------------------------------------------------- la terminal


def parse_args(argv: list[str]):
    parser = ArgumentParser(prog="python -m demos.temperature",
                            description="Cómo la temperatura cambia las probabilidades y lo que escribe el modelo.")
    parser.add_argument("texto", nargs="*", help="el comienzo del texto (por omisión: «En un lugar de la Mancha»)")
    parser.add_argument("--semilla", type=int, default=SEED, help=f"los «dados» de las muestras (por omisión: {SEED})")
    return parser.parse_args(argv)


def sample_columns(prompt: str, texts: dict[float, str], width: int = 32) -> str:
    """Las muestras en columnas de texto, cada una tras el final de la frase (cortado entre palabras)."""
    start = tail(prompt, 20)
    columns = {t: textwrap.wrap(start + s, width) or [""] for t, s in texts.items()}
    lines = ["   ".join(f"{'T = ' + decimal(t):<{width}}" for t in columns)]
    for line in range(max(map(len, columns.values()))):
        lines.append("   ".join(f"{(c[line] if line < len(c) else ''):<{width}}" for c in columns.values()))
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    model, tokenizer = load_pretrained()
    prompt = prepare_prompt(tokenizer, " ".join(args.texto) if args.texto else "En un lugar de la Mancha")
    for note in prompt.notes:
        print(f"Aviso: {note}")
    with one_thread():
        logits = next_token_logits(model, tokenizer, prompt.text)
    print(f"Después de «{tail(prompt.text, 60)}», los 5 candidatos según la temperatura:\n")
    for t in (0.0, 0.5, 1.0, 2.0):
        probs = probabilities(logits, t)
        top = ", ".join(f"«{visible(tokenizer.decode([i]))}» {percent(probs[i])}" for i in logits.topk(5).indices)
        print(f"  T = {decimal(t)}   entropía {decimal(entropy_bits(probs), 2):>4} bits   {top}")
    print(f"\nMuestras con la misma semilla ({args.semilla}):\n")
    print(sample_columns(prompt.text, samples(model, tokenizer, prompt.text, seed=args.semilla)))
    print(f"\n{describe(TEMPERATURES[0])}\n{describe(TEMPERATURES[1])}\n{describe(TEMPERATURES[2])}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
