"""La caché de los vectores: se calculan una sola vez (unos segundos) y quedan guardados.

En memoria, para lo que queda del proceso, y en disco, en la caché del usuario
(``~/.cache/taller-chatgpt/``, o la de ``XDG_CACHE_HOME``): así la diapositiva responde al instante.
El nombre del archivo lleva la huella del texto y de los parámetros; una caché vieja, de otro texto
o dañada no se usa: se recalcula y se reemplaza. También aquí: El Quijote del taller
(``quijote_vectors``) y la pregunta de la sala (``neighbours``), que nunca lanza excepciones.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import sys
import tempfile
import unicodedata
from pathlib import Path

import numpy as np

from demos import corpus
from demos.words.vectors import NEIGHBOURS, Answer, WordVectors, compute, parameters


def cache_key(text: str) -> str:
    """Huella del texto (sha256, en NFC) y de los parámetros."""
    settings = json.dumps(parameters(), sort_keys=True, ensure_ascii=False)
    fingerprint = corpus.sha256(unicodedata.normalize("NFC", text))
    return hashlib.sha256(f"{fingerprint}\n{settings}".encode()).hexdigest()


def cache_dir() -> Path:
    """La carpeta de caché del taller (respeta ``XDG_CACHE_HOME``)."""
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "taller-chatgpt"


def cache_path(key: str) -> Path:
    """El archivo de la caché para esta huella (con 24 cifras basta para no confundirlas)."""
    return cache_dir() / f"vectores-de-palabras-{key[:24]}.npz"


def save(vectors: WordVectors, path: Path, key: str) -> None:
    """Escribe la caché de una vez: primero a un temporal y luego se renombra (nunca queda a medias)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".guardando-", suffix=".npz")
    try:
        with os.fdopen(handle, "wb") as file:
            np.savez_compressed(
                file, key=np.array(key), words=_pack(vectors.words), shown=_pack(vectors.shown),
                vectors=vectors.vectors.astype(np.float16), corpus_words=_pack(list(vectors.corpus_counts)),
                corpus_counts=np.array(list(vectors.corpus_counts.values()), dtype=np.int32),
            )
        os.replace(temporary, path)
    finally:
        Path(temporary).unlink(missing_ok=True)


def read(path: Path, key: str) -> WordVectors | None:
    """Lee la caché; ``None`` si no existe, es de otro texto u otros parámetros, o está dañada."""
    try:
        with np.load(path, allow_pickle=False) as stored:
            if str(stored["key"]) != key:
                return None
            words, shown = _unpack(stored["words"]), _unpack(stored["shown"])
            vectors = stored["vectors"].astype(np.float32)
            counts = dict(zip(_unpack(stored["corpus_words"]), stored["corpus_counts"].tolist(), strict=True))
        if vectors.shape != (len(words), vectors.shape[-1]) or len(shown) != len(words):
            return None
        if not np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=0.01):  # NaN o basura: no tiene largo 1
            return None
    except Exception:  # archivo truncado, zip roto, falta un campo…: se recalcula
        return None
    return WordVectors(words, shown, vectors, counts)


def _pack(words: list[str]) -> np.ndarray:
    """Una lista de palabras como bytes UTF-8 separados por saltos de línea (compacto, sin pickle)."""
    return np.frombuffer("\n".join(words).encode("utf-8"), dtype=np.uint8)


def _unpack(data: np.ndarray) -> list[str]:
    text = data.tobytes().decode("utf-8")
    return text.split("\n") if text else []


_in_memory: dict[str, WordVectors] = {}


def load(text: str) -> WordVectors:
    """Los vectores de este texto: de la memoria, si no de la caché en disco, si no se calculan (y se guardan)."""
    key = cache_key(text)
    if key in _in_memory:
        return _in_memory[key]
    path = cache_path(key)
    vectors = read(path, key)
    if vectors is None:
        print("Calculando los vectores de palabras (solo la primera vez: unos segundos)…", file=sys.stderr)
        vectors = compute(text)
        try:
            save(vectors, path, key)
        except OSError as error:  # sin permiso de escritura, disco lleno…: funciona igual, sin caché
            print(f"No pude guardar la caché en {path}: {error}", file=sys.stderr)
    _in_memory[key] = vectors
    return vectors


# ---------------------------------------------------------------- El Quijote
def read_corpus() -> tuple[str | None, str | None]:
    """``(texto, None)`` o ``(None, mensaje en castellano)``: El Quijote del taller, sin excepciones.

    ``demos.corpus`` busca la copia (la de ``TALLER_CORPUS`` o la que viene con el taller), la
    controla y explica qué hacer si no sirve.
    """
    return corpus.try_load_text()


@functools.cache
def quijote_vectors() -> WordVectors:
    """Los vectores de El Quijote (calculados o leídos una sola vez por proceso)."""
    text, problem = read_corpus()
    if text is None:
        raise FileNotFoundError(problem)
    return load(text)


def neighbours(word: str, k: int = NEIGHBOURS) -> Answer:
    """Las palabras más parecidas a ``word`` en El Quijote. Nunca lanza excepciones: explica."""
    try:
        vectors = quijote_vectors()
    except (FileNotFoundError, ValueError) as error:
        return Answer(word, None, [], str(error))
    return vectors.neighbours(word, k)
