"""Recálculos de la sección «Tokens». El BPE se entrena una sola vez al importar (como en la
presentación); aquí se mide lo que pasa al mover el deslizador de fusiones o escribir."""

from demos import model, tokens

_bpe = tokens.trained_bpe()
_gpt, _vocab = model.load_pretrained()
_frases = {"castellano": tokens.SPANISH, "inglés": tokens.ENGLISH}
_todas = len(_bpe.merges)
_paso = {"n": 0}


def _mover_deslizador():
    """Cada llamada usa otra cantidad de fusiones, como al arrastrar el deslizador (sin caché a favor)."""
    _paso["n"] = (_paso["n"] + 37) % (_todas + 1)
    return tokens.bpe_html(tokens.EXAMPLE, _bpe, _paso["n"])


CASES = {
    "BPE: mover el deslizador de fusiones": _mover_deslizador,
    "BPE: todas las fusiones, frase del ejemplo": lambda: tokens.bpe_html(tokens.EXAMPLE, _bpe, _todas),
    "castellano e inglés": lambda: tokens.languages_html(_frases, _bpe),
    "embeddings: mapa y vecinos": lambda: (tokens.embedding_chart(_gpt, _vocab, "a"),
                                           tokens.neighbours_html(_gpt, _vocab, "a")),
}
