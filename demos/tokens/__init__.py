"""Tokens: de texto a números, y de números a vectores (texto → tokens → embeddings).

1. **Por carácter**, como el notebook del taller: cada letra distinta recibe un número.
2. **Por trozos de palabra (BPE)**, como GPT: partimos de los 256 bytes posibles y fusionamos,
   una y otra vez, el par de tokens vecinos más frecuente del corpus. Como parte de bytes,
   cualquier texto se puede codificar (emojis, árabe, chino…), y vuelve intacto.
3. **Embeddings**: el modelo incluido aprendió una lista de números por carácter; las letras
   que se usan parecido quedan cerca.

Uso:
    python -m demos.tokens "Hola Don Quijote"        # caracteres, bytes y nuestros tokens BPE
    python -m demos.tokens --fusiones 20 "Hola Don"  # BPE con solo las primeras 20 fusiones
    python -m demos.tokens --vecinos a               # los vecinos de «a» en los embeddings

Cada archivo, una pieza::

    chars.py       1. un token por carácter: el vocabulario, encode/decode y cómo nombrar un carácter
    bpe.py         2. el BPE: aprender las fusiones, codificar y lo que muestra la diapositiva
    languages.py   la misma frase en castellano y en inglés: ¿cuántos tokens cuesta cada una?
    embeddings.py  3. los embeddings del modelo incluido: el mapa en 2-D y los vecinos de una letra
    __main__.py    la terminal: python -m demos.tokens
"""

from __future__ import annotations

from demos.tokens.bpe import (
    BPE,
    BPE_MERGES,
    EXAMPLE,
    MAX_PIECE_BYTES,
    MAX_SHOWN_TOKENS,
    MAX_TEXT_CHARS,
    bpe_html,
    split_long,
    train_bpe,
    trained_bpe,
)
from demos.tokens.chars import (
    MAX_SHOWN_VOCAB,
    char_name,
    char_tokenizer,
    round_trip_md,
    same_vocabulary_as_model,
    vocab_html,
    vocabulary_note,
)
from demos.tokens.embeddings import char_kind, embedding_chart, nearest, neighbours_html, pick_char, projection
from demos.tokens.languages import ENGLISH, SPANISH, language_rows, languages_html

# lo que usan la presentación (``tokens.<nombre>``), los benchmarks y las pruebas
__all__ = ["BPE", "BPE_MERGES", "ENGLISH", "EXAMPLE", "MAX_PIECE_BYTES", "MAX_SHOWN_TOKENS", "MAX_SHOWN_VOCAB",
           "MAX_TEXT_CHARS", "SPANISH", "bpe_html", "char_kind", "char_name", "char_tokenizer", "embedding_chart",
           "language_rows", "languages_html", "nearest", "neighbours_html", "pick_char", "projection",
           "round_trip_md", "same_vocabulary_as_model", "split_long", "train_bpe", "trained_bpe", "vocab_html",
           "vocabulary_note"]
