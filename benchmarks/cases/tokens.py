"""Recálculos de la sección «Tokens». El BPE se entrena una sola vez al importar (como en la
presentación); aquí se mide lo que pasa al mover el deslizador de fusiones o escribir."""

import random

from demos import model, tokens

_bpe = tokens.trained_bpe()
_gpt, _vocab = model.load_pretrained()
_frases = {"castellano": tokens.SPANISH, "inglés": tokens.ENGLISH}
_todas = len(_bpe.merges)
_azar = random.Random(0)
_sin_espacios = "".join(_azar.choice("abcdefghijklmnopqrstuvwxyzñáé") for _ in range(100_000))
_paso = {"n": 0, "texto": 0}


def _mover_deslizador(texto):
    """Cada llamada usa otra cantidad de fusiones, como al arrastrar el deslizador (sin caché a favor)."""
    _paso["n"] = (_paso["n"] + 37) % (_todas + 1)
    return tokens.bpe_html(texto, _bpe, _paso["n"])


def _pegar_otro_texto_largo():
    """Cada llamada pega otro texto (corrido en algunas letras): así la caché del BPE no ayuda."""
    _paso["texto"] += 7
    texto = _sin_espacios[_paso["texto"] % 50_000:]  # siempre más de 2.000 letras: se corta
    return tokens.languages_html({"castellano": texto, "inglés": texto[::-1]}, _bpe)


CASES = {
    "BPE: mover el deslizador de fusiones": lambda: _mover_deslizador(tokens.EXAMPLE),
    "BPE: deslizador con una palabra de 4.000 letras": lambda: _mover_deslizador(_sin_espacios[:4000]),
    "BPE: todas las fusiones, frase del ejemplo": lambda: tokens.bpe_html(tokens.EXAMPLE, _bpe, _todas),
    "castellano e inglés": lambda: tokens.languages_html(_frases, _bpe),
    "castellano e inglés: 100.000 letras sin espacios": _pegar_otro_texto_largo,
    "ida y vuelta por carácter": lambda: tokens.round_trip_md(_vocab, "Hola Don Quijote 😀"),
    "embeddings: mapa y vecinos": lambda: (tokens.embedding_chart(_gpt, _vocab, "a"),
                                           tokens.neighbours_html(_gpt, _vocab, "a")),
}
