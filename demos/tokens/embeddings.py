"""3. Embeddings: el modelo incluido aprendió una lista de números por carácter.

Las letras que se usan parecido quedan cerca: el mapa aplasta esas listas a 2 dimensiones (PCA)
y ``nearest`` busca los vecinos de una letra (similitud coseno).
"""

from __future__ import annotations

import functools
import html
import unicodedata

import torch
from torch.nn import functional as F

from demos import bits, svgplot
from demos.decoding import one_thread
from demos.formatting import clean, decimal, thousands, visible
from demos.tokenizer import CharTokenizer
from demos.tokens.chars import char_name

KINDS = ["vocal", "consonante", "dígito", "puntuación", "espacio"]
VOWELS = set("aeiou")


def char_kind(ch: str) -> str:
    """¿Qué clase de carácter es? (para colorear el mapa)"""
    if ch.isspace():
        return "espacio"
    if ch.isdigit():
        return "dígito"
    if ch.isalpha():
        base = unicodedata.normalize("NFD", ch)[0].lower()
        return "vocal" if base in VOWELS else "consonante"
    return "puntuación"


@functools.lru_cache(maxsize=4)
def projection(model) -> torch.Tensor:
    """Los embeddings (V, C) aplastados a (V, 2) con PCA: las dos direcciones en que más varían."""
    weights = model.wte.weight.detach().float()
    centered = weights - weights.mean(dim=0)
    _, _, vh = torch.linalg.svd(centered, full_matrices=False)  # vh[:2]: las dos direcciones principales
    xy = centered @ vh[:2].T  # (V, 2)
    signs = torch.sign(xy[xy.abs().argmax(dim=0), torch.arange(2)])  # signo fijo: el mismo dibujo siempre
    return xy * signs


def embedding_rows(model, tokenizer: CharTokenizer) -> list[dict]:
    xy = projection(model).tolist()
    return [{"carácter": visible(ch), "x": round(x, 4), "y": round(y, 4), "clase": char_kind(ch)}
            for ch, (x, y) in zip(tokenizer.chars, xy, strict=True)]


def pick_char(text, tokenizer: CharTokenizer) -> tuple[str, list[str]]:
    """El carácter que eligió la sala, o uno parecido que el modelo conozca, con avisos."""
    text, notes = clean(text)
    text = unicodedata.normalize("NFC", text)
    if not text:
        return "a", notes + ["La caja está vacía: muestro la «a»."]
    ch = text[0]
    if len(text) > 1:
        notes.append(f"Escribiste {thousands(len(text))} caracteres: uso solo el primero, {char_name(ch)}.")
    known = tokenizer.known(ch)
    if known != ch:
        notes.append(f"El modelo nunca vio {char_name(ch)}: uso {char_name(known)} en su lugar.")
    return known, notes


def nearest(model, tokenizer: CharTokenizer, ch: str, k: int = 8) -> list[tuple[str, float]]:
    """Los k caracteres con el embedding más parecido (similitud coseno: 1 = misma dirección)."""
    with one_thread():  # 99 vectores chicos: repartirlos entre núcleos cuesta 10 veces más que hacerlo en uno
        weights = F.normalize(model.wte.weight.detach().float(), dim=1)  # (V, C), cada fila de largo 1
        i = tokenizer.stoi[ch]
        similarity = weights @ weights[i]  # (V,)
        similarity[i] = -2.0  # él mismo no cuenta
        values, ids = similarity.topk(min(k, len(tokenizer.chars) - 1))
    return [(tokenizer.chars[j], float(v)) for v, j in zip(values.tolist(), ids.tolist(), strict=True)]


def embedding_chart(model, tokenizer: CharTokenizer, chosen: str | None = None, width: int = 600,
                    height: int = 460) -> str:
    """SVG: cada carácter en su punto, coloreado por clase; el elegido y sus vecinos, con un halo."""
    rows = embedding_rows(model, tokenizer)
    marked = {chosen} | {c for c, _ in nearest(model, tokenizer, chosen)} if chosen in tokenizer.stoi else set()
    xs, ys = [r["x"] for r in rows], [r["y"] for r in rows]
    x = svgplot.Scale(min(xs), max(xs), 24, width - 24)
    y = svgplot.Scale(min(ys), max(ys), height - 70, 48)
    colors = dict(zip(KINDS, svgplot.PALETTE, strict=False))
    halos = "".join(svgplot.circle(x(r["x"]), y(r["y"]), 17, "#ffe066", 0.9)
                    for ch, r in zip(tokenizer.chars, rows, strict=True) if ch in marked)
    labels = "".join(svgplot.text(x(r["x"]), y(r["y"]) + 7, r["carácter"], 20, colors[r["clase"]], weight="bold")
                     for r in rows)
    legend, left = "", 30
    for kind in KINDS:  # cada rótulo empieza donde terminó el anterior
        legend += (svgplot.circle(left, height - 22, 7, colors[kind])
                   + svgplot.text(left + 12, height - 16, kind, 16, anchor="start"))
        left += 40 + 9 * len(kind)
    body = svgplot.title("Cada carácter, aplastado a 2 dimensiones") + halos + labels + legend
    return svgplot.svg(width, height, body, "Mapa de los embeddings de cada carácter")


def neighbours_html(model, tokenizer: CharTokenizer, text, k: int = 8) -> str:
    ch, notes = pick_char(text, tokenizer)
    vector = model.wte.weight[tokenizer.stoi[ch]].detach().float().tolist()
    preview = ", ".join(decimal(v, 2) for v in vector[:4])
    rows = "".join(
        f"<tr><td style='font-size:24px;padding:2px 12px'>{html.escape(visible(c))}</td>"
        f"<td style='padding:2px 12px'>{decimal(s, 2)}</td><td style='padding:2px 12px'>{char_kind(c)}</td></tr>"
        for c, s in nearest(model, tokenizer, ch, k))
    return (f"<div style='font-size:20px'><div>«<b>{html.escape(visible(ch))}</b>» = [{preview}, …] "
            f"<span style='color:#495057'>({len(vector)} números)</span></div><div>Sus vecinos más parecidos:</div>"
            f"<table style='border-collapse:collapse'>{rows}</table>{bits.notes_html(notes)}</div>")
