"""El corpus del taller: El Quijote, de Miguel de Cervantes.

Buscamos el texto en este orden:
1. la ruta que diga la variable de entorno ``TALLER_CORPUS``;
2. la copia guardada en la caché del usuario (``~/.cache/taller-chatgpt/el_quijote.txt``);
3. una descarga desde espejos públicos, con barra de progreso, que luego queda en la caché.

El texto se normaliza a NFC: en el archivo original la «á» son dos puntos de código
(«a» + tilde combinable) y así cada letra con tilde cuenta como un solo carácter.

Uso: ``python -m demos.corpus`` descarga (si hace falta) y muestra estadísticas.
"""

from __future__ import annotations

import hashlib
import os
import re
import sys
import unicodedata
import urllib.request
from collections import Counter
from pathlib import Path

MIN_CHARS = 500_000  # un Quijote de verdad tiene ~2 millones; menos que esto es una descarga rota
TRAIN_FRACTION = 0.9  # como en los notebooks del taller: 90 % para entrenar, 10 % para validar

GIST_URL = (
    "https://gist.githubusercontent.com/jsdario/6d6c69398cb0c73111e49f1218960f79/raw/"
    "8d4fc4548d437e2a7203a5aeeace5477f598827d/el_quijote.txt"
)
GUTENBERG_URL = "https://www.gutenberg.org/cache/epub/2000/pg2000.txt"
MIRRORS = (GIST_URL, GUTENBERG_URL)

HOW_TO_GET_IT = (
    "No encontré el texto de El Quijote y no pude descargarlo (¿sin conexión a internet?).\n"
    "Cómo conseguirlo:\n"
    "  1. Con internet, ejecuta una vez:  python -m demos.corpus\n"
    "  2. O descarga a mano el archivo desde\n"
    f"     {GIST_URL}\n"
    "     y dile al taller dónde está:  export TALLER_CORPUS=/ruta/a/el_quijote.txt\n"
    "El modelo ya entrenado y el chat funcionan igual sin el corpus."
)


class CorpusUnavailable(RuntimeError):
    """No hay copia local del corpus y tampoco se pudo descargar."""

    def __init__(self, detail: str = ""):
        message = HOW_TO_GET_IT + (f"\n(Detalle: {detail})" if detail else "")
        super().__init__(message)


def cache_path() -> Path:
    """Dónde guardamos la copia descargada (respeta ``XDG_CACHE_HOME``)."""
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "taller-chatgpt" / "el_quijote.txt"


def normalize(raw: str) -> str:
    """NFC y saltos de línea de Unix: una letra con tilde = un carácter."""
    return unicodedata.normalize("NFC", raw.replace("\r\n", "\n").replace("\r", "\n"))


def strip_gutenberg(text: str) -> str:
    """Quita la cabecera y el pie de licencia de Project Gutenberg, si los hay."""
    start = re.search(r"\*\*\* ?START OF (THE|THIS) PROJECT GUTENBERG EBOOK[^\n]*\n", text)
    end = re.search(r"\*\*\* ?END OF (THE|THIS) PROJECT GUTENBERG EBOOK", text)
    if start:
        text = text[start.end() : end.start() if end else len(text)]
    return text.strip() + "\n"


def check_sane(raw: bytes) -> str:
    """Decodifica como UTF-8 y comprueba que parezca El Quijote completo."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ValueError(f"el archivo no es UTF-8 válido ({error.reason})") from None
    if len(text) < MIN_CHARS:
        raise ValueError(f"el texto tiene solo {len(text):,} caracteres (se esperan más de {MIN_CHARS:,})")
    if "Quijote" not in text and "QUIJOTE" not in text:
        raise ValueError("el texto no parece ser El Quijote")
    return text


def download(url: str, timeout: float = 20.0) -> bytes:
    """Descarga con barra de progreso en la terminal."""
    with urllib.request.urlopen(url, timeout=timeout) as response:
        total = int(response.headers.get("Content-Length") or 0)
        chunks, received = [], 0
        while chunk := response.read(64 * 1024):
            chunks.append(chunk)
            received += len(chunk)
            _print_progress(received, total)
    print(file=sys.stderr)
    return b"".join(chunks)


def _print_progress(received: int, total: int) -> None:
    if total:
        filled = int(30 * received / total)
        bar = "█" * filled + "·" * (30 - filled)
        print(f"\r  descargando [{bar}] {received / total:4.0%}", end="", file=sys.stderr)
    else:
        print(f"\r  descargando… {received / 1e6:.1f} MB", end="", file=sys.stderr)


def fetch_to_cache() -> Path:
    """Prueba cada espejo hasta que uno entregue un texto sano, y lo guarda en la caché."""
    errors = []
    for url in MIRRORS:
        try:
            print(f"Descargando El Quijote desde {url}", file=sys.stderr)
            text = strip_gutenberg(check_sane(download(url)))
        except (OSError, ValueError) as error:
            errors.append(f"{url}: {error}")
            continue
        path = cache_path()
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return path
    raise CorpusUnavailable("; ".join(errors))


def find_local() -> Path | None:
    """La copia indicada en ``TALLER_CORPUS`` o la de la caché, si existe."""
    configured = os.environ.get("TALLER_CORPUS")
    if configured:
        path = Path(configured).expanduser()
        if not path.is_file():
            raise CorpusUnavailable(f"TALLER_CORPUS apunta a {path}, que no existe")
        return path
    cached = cache_path()
    return cached if cached.is_file() else None


_loaded: dict[Path, str] = {}


def load_text(download_if_missing: bool = True) -> str:
    """El Quijote como texto NFC. Lanza ``CorpusUnavailable`` con instrucciones si no hay copia."""
    path = find_local()
    if path is None:
        if not download_if_missing:
            raise CorpusUnavailable()
        path = fetch_to_cache()
    if path not in _loaded:
        try:
            _loaded[path] = normalize(check_sane(path.read_bytes()))
        except ValueError as error:
            raise CorpusUnavailable(f"{path}: {error}") from None
    return _loaded[path]


def try_load_text() -> tuple[str | None, str | None]:
    """Para las diapositivas: ``(texto, None)`` o ``(None, mensaje en castellano)``, sin excepciones."""
    try:
        return load_text(download_if_missing=False), None
    except CorpusUnavailable as error:
        return None, str(error)


def split(text: str, train_fraction: float = TRAIN_FRACTION) -> tuple[str, str]:
    """Primer 90 % para entrenar y último 10 % para validar, como en los notebooks."""
    n = int(train_fraction * len(text))
    return text[:n], text[n:]


def sha256(text: str) -> str:
    """Huella del texto normalizado: identifica con qué corpus se entrenó un modelo."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def stats(text: str) -> dict:
    """Números que vale la pena mostrar del corpus."""
    train, val = split(text)
    return {
        "caracteres": len(text),
        "bytes_utf8": len(text.encode("utf-8")),
        "palabras": len(text.split()),
        "lineas": text.count("\n"),
        "caracteres_distintos": len(set(text)),
        "entrenamiento": len(train),
        "validacion": len(val),
        "mas_frecuentes": Counter(text).most_common(10),
    }


def main() -> int:
    try:
        text = load_text()
    except CorpusUnavailable as error:
        print(error, file=sys.stderr)
        return 1
    info = stats(text)
    print("El Quijote, listo para el taller")
    print(f"  caracteres:            {info['caracteres']:>10,}")
    print(f"  bytes en UTF-8:        {info['bytes_utf8']:>10,}")
    print(f"  palabras:              {info['palabras']:>10,}")
    print(f"  caracteres distintos:  {info['caracteres_distintos']:>10,}")
    print(f"  entrenamiento (90 %):  {info['entrenamiento']:>10,}")
    print(f"  validación (10 %):     {info['validacion']:>10,}")
    common = ", ".join(f"{c!r}×{n:,}" for c, n in info["mas_frecuentes"])
    print(f"  más frecuentes: {common}")
    print(f"  sha256: {sha256(text)}")
    print(f"\nComienza así:\n{text[:300]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
