"""Castellano e inglés: la misma frase cuesta distintos tokens, porque nuestro BPE aprendió del Quijote.

Cada frase en tokens de color, con sus cuentas (caracteres, bytes, tokens) y las letras que el
modelo de caracteres nunca vio.
"""

from __future__ import annotations

import html

from demos import bits
from demos.formatting import count, decimal
from demos.model import load_pretrained
from demos.tokenizer import CharTokenizer
from demos.tokens.bpe import BPE, for_tokens, text_counts, tokens_html
from demos.tokens.chars import char_name

SPANISH = "En un lugar de la Mancha vivía un hidalgo que leía libros de caballerías."
ENGLISH = "In a village of La Mancha lived a gentleman who read books of chivalry."


def language_rows(texts: dict[str, str], bpe: BPE, char_tok: CharTokenizer | None = None) -> list[dict]:
    """Para cada idioma: caracteres, bytes y nuestros tokens (BPE aprendido en castellano)."""
    char_tok = char_tok or load_pretrained()[1]
    rows = []
    for language, text in texts.items():
        text, notes = for_tokens(text, f"La frase en {language}")
        counts = text_counts(text, bpe)
        rows.append({"idioma": language, "caracteres": counts["caracteres"], "bytes": counts["bytes"],
                     "tokens": counts["tokens"], "ids": counts["ids"],
                     "caracteres por token": counts["caracteres"] / counts["tokens"] if counts["tokens"] else 0.0,
                     "desconocidos": char_tok.unknown_chars(text), "avisos": notes})
    return rows


def languages_html(texts: dict[str, str], bpe: BPE) -> str:
    """Cada frase en tokens de color, con sus cuentas encima (caracteres, bytes, tokens).

    Sin tabla aparte: cada cuenta va junto a sus tokens, y así la diapositiva cabe con letra grande.
    """
    rows = language_rows(texts, bpe)
    strips = "".join(
        f"<div style='margin-top:8px'><div style='font-size:22px'><b>{html.escape(r['idioma'])}</b>: "
        f"{count(r['caracteres'], 'carácter', 'caracteres')} · {count(r['bytes'], 'byte', 'bytes')} → "
        f"<b>{count(r['tokens'], 'token', 'tokens')}</b> "
        f"({decimal(r['caracteres por token'])} caracteres por token)</div>"
        f"{tokens_html(r['ids'], bpe.token_text, limit=60)}</div>" for r in rows)
    return f"{strips}{bits.notes_html(language_notes(rows))}"


def language_notes(rows: list[dict]) -> list[str]:
    notes = [note for r in rows for note in r["avisos"]]
    unknown = [f"{r['idioma']}: {', '.join(char_name(c) for c in r['desconocidos'][:12])}"
               + (" …" if len(r["desconocidos"]) > 12 else "") for r in rows if r["desconocidos"]]
    if unknown:
        notes.append(f"Letras que nuestro modelo de caracteres nunca vio en el Quijote — {'; '.join(unknown)}.")
    if any(not r["caracteres"] for r in rows):
        notes.append("Una de las frases está vacía: escribe algo para comparar.")
    return notes
