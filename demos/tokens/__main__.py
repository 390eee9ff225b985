"""Tokens en la terminal: texto → tokens → embeddings.

Uso:
    python -m demos.tokens "Hola Don Quijote"        # caracteres, bytes y nuestros tokens BPE
    python -m demos.tokens --fusiones 20 "Hola Don"  # BPE con solo las primeras 20 fusiones
    python -m demos.tokens --vecinos a               # los vecinos de «a» en los embeddings
"""

from __future__ import annotations

import sys

from demos import bits
from demos.aula.cli import ArgumentParser
from demos.formatting import clean, count, decimal
from demos.model import load_pretrained
from demos.tokens.bpe import EXAMPLE, merges_choice, to_bytes, trained_bpe
from demos.tokens.embeddings import char_kind, nearest, pick_char


def main(argv=None) -> int:
    parser = ArgumentParser(description="Texto → tokens → embeddings.")
    parser.add_argument("texto", nargs="*", help="el texto que quieres ver en tokens")
    parser.add_argument("--fusiones", type=int, default=None, help="cuántas fusiones del BPE aplicar")
    parser.add_argument("--vecinos", help="un carácter: muestra sus vecinos en los embeddings del modelo")
    args = parser.parse_args(argv)
    if args.vecinos is not None:
        gpt, tok = load_pretrained()
        ch, notes = pick_char(args.vecinos, tok)
        print(f"Vecinos de «{bits.printable(ch)}» en los embeddings del modelo incluido (similitud coseno):")
        for other, similarity in nearest(gpt, tok, ch):
            print(f"  «{bits.printable(other)}»  {decimal(similarity, 2)}  ({char_kind(other)})")
        for note in notes:
            print(f"Ojo: {note}")
        if not args.texto:
            return 0
    text, notes = clean(" ".join(args.texto) if args.texto else EXAMPLE)
    tok = load_pretrained()[1]
    print(f"Texto: {text[:200]!r}" + (" …" if len(text) > 200 else ""))
    print(f"Por carácter (modelo incluido, {tok.vocab_size} caracteres): {tok.encode(text[:60])}")
    bpe = trained_bpe()
    n, merge_notes = merges_choice(bpe, args.fusiones)
    for note in merge_notes:
        print(note)
    ids = bpe.encode(text, n)
    print(f"BPE con {n} fusiones (entrenado con {bpe.source}):")
    print("  " + " | ".join(bits.printable(bpe.token_text(i)) for i in ids[:60]) + (" …" if len(ids) > 60 else ""))
    print(f"  ids: {ids[:60]}" + (" …" if len(ids) > 60 else ""))
    print(f"{count(len(text), 'carácter', 'caracteres')} → {count(len(to_bytes(text)), 'byte', 'bytes')}"
          f" → {count(len(ids), 'token', 'tokens')}")
    print("Ida y vuelta: " + ("el mismo texto ✔" if bpe.decode(ids) == text else "¡distinto!"))
    for note in notes + bits.notes_about(text, limit=200):
        print(f"Ojo: {note}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
