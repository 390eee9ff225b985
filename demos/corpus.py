"""El corpus del taller: El Quijote, de Miguel de Cervantes.

Buscamos el texto en este orden:
1. la ruta que diga la variable de entorno ``TALLER_CORPUS``;
2. la copia guardada en la caché del usuario (``~/.cache/taller-chatgpt/el_quijote.txt``);
3. una descarga desde espejos públicos, con barra de progreso, que luego queda en la caché
   (``TALLER_CORPUS_MIRRORS`` reemplaza la lista de espejos: direcciones separadas por espacios;
   vacía, no se descarga nada).

Una copia en la caché que no pasa el control (UTF-8, más de 500.000 caracteres) se descarga de nuevo.

El texto se normaliza a NFC: en el archivo original la «á» son dos puntos de código
(«a» + tilde combinable) y así cada letra con tilde cuenta como un solo carácter.

Uso: ``python -m demos.corpus`` descarga (si hace falta) y muestra estadísticas.
"""

from __future__ import annotations

import hashlib
import http.client
import os
import re
import sys
import tempfile
import unicodedata
import urllib.error
import urllib.request
from collections import Counter
from pathlib import Path

from demos.bits import decimal, thousands
from demos.cli import ArgumentParser

MIN_CHARS = 500_000  # un Quijote de verdad tiene ~2 millones; menos que esto es una descarga rota
TRAIN_FRACTION = 0.9  # como en los notebooks del taller: 90 % para entrenar, 10 % para validar

GIST_URL = (
    "https://gist.githubusercontent.com/jsdario/6d6c69398cb0c73111e49f1218960f79/raw/"
    "8d4fc4548d437e2a7203a5aeeace5477f598827d/el_quijote.txt"
)
GUTENBERG_URL = "https://www.gutenberg.org/cache/epub/2000/pg2000.txt"
MIRRORS = (GIST_URL, GUTENBERG_URL)
MIRRORS_VARIABLE = "TALLER_CORPUS_MIRRORS"
MAX_BYTES = 20_000_000  # el Quijote pesa ~2 MB: un espejo que manda más no está mandando el Quijote

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
        raise ValueError(f"el texto tiene solo {thousands(len(text))} caracteres "
                         f"(se esperan más de {thousands(MIN_CHARS)})")
    if "Quijote" not in text and "QUIJOTE" not in text:
        raise ValueError("el texto no parece ser El Quijote")
    return text


def mirrors() -> tuple[str, ...]:
    """Los espejos de donde descargar: los de ``TALLER_CORPUS_MIRRORS`` si está definida."""
    configured = os.environ.get(MIRRORS_VARIABLE)
    return MIRRORS if configured is None else tuple(configured.split())


def download(url: str, timeout: float = 20.0) -> bytes:
    """Descarga con barra de progreso en la terminal. Una conexión cortada es un ``OSError``."""
    with _open(url, timeout) as response:
        total = _content_length(response.headers.get("Content-Length"))
        chunks, received = [], 0
        try:
            while chunk := response.read(64 * 1024):
                chunks.append(chunk)
                received += len(chunk)
                _check_size(received)
                _print_progress(received, total)
        except http.client.HTTPException as error:  # p. ej. IncompleteRead: se cortó a medio camino
            raise OSError(f"la conexión se cortó después de {_megabytes(received)}") from error
        finally:
            print(file=sys.stderr)
    if total and received < total:
        raise OSError(f"la conexión se cortó: llegaron {_megabytes(received)} de {_megabytes(total)}")
    return b"".join(chunks)


def _open(url: str, timeout: float):
    try:
        return urllib.request.urlopen(url, timeout=timeout)
    except urllib.error.HTTPError as error:
        raise OSError(f"el servidor respondió con el código {error.code}") from None
    except urllib.error.URLError as error:
        raise OSError(f"no pude conectarme ({error.reason})") from None


def _content_length(header: str | None) -> int:
    """El tamaño que anuncia el servidor (0 si no lo dice o dice algo raro)."""
    try:
        return max(int(header or 0), 0)
    except ValueError:
        return 0


def _check_size(received: int) -> None:
    if received > MAX_BYTES:
        raise ValueError(f"el archivo pasa de {_megabytes(MAX_BYTES)}: no parece El Quijote")


def _megabytes(n: int) -> str:
    return f"{decimal(n / 1e6, 1)} MB"


def _print_progress(received: int, total: int) -> None:
    if total:
        filled = min(30, int(30 * received / total))
        bar = "█" * filled + "·" * (30 - filled)
        print(f"\r  descargando [{bar}] {round(100 * received / total):3d} %", end="", file=sys.stderr)
    else:
        print(f"\r  descargando… {_megabytes(received)}", end="", file=sys.stderr)


def fetch_to_cache() -> Path:
    """Prueba cada espejo hasta que uno entregue un texto sano, y lo guarda en la caché."""
    errors = []
    for url in mirrors():
        try:
            print(f"Descargando El Quijote desde {url}", file=sys.stderr)
            text = normalize(strip_gutenberg(check_sane(download(url))))
        except (OSError, ValueError, http.client.HTTPException) as error:
            print(f"  no resultó: {error}", file=sys.stderr)
            errors.append(f"{url}: {error}")
            continue
        return write_cache(text)
    raise CorpusUnavailable("; ".join(errors) or f"no hay espejos para descargar ({MIRRORS_VARIABLE} está vacía)")


def write_cache(text: str) -> Path:
    """Escribe la caché de una vez: primero a un temporal, luego se renombra (nunca queda a medias)."""
    path = cache_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".descargando-", suffix=".txt")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            file.write(text)
        os.replace(temporary, path)
    finally:
        Path(temporary).unlink(missing_ok=True)
    print(f"Guardado en {path}", file=sys.stderr)
    return path


def find_local() -> Path | None:
    """La copia indicada en ``TALLER_CORPUS`` o la de la caché, si existe."""
    configured = os.environ.get("TALLER_CORPUS")
    if configured:
        path = Path(configured).expanduser()
        if not path.is_file():
            raise CorpusUnavailable(f"TALLER_CORPUS apunta a {path}, que no existe o no es un archivo")
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
        _loaded[path] = _read_or_repair(path, download_if_missing)
    return _loaded[path]


def _read_or_repair(path: Path, may_download: bool) -> str:
    """Lee y controla la copia; si la de la caché está dañada, la descarga otra vez."""
    text, problem = _read_checked(path)
    if problem is not None and path == cache_path():
        if not may_download:
            raise CorpusUnavailable(f"la copia guardada en {path} está dañada ({problem}); "
                                    "python -m demos.corpus la descarga de nuevo")
        print(f"La copia guardada en {path} está dañada ({problem}): la descargo de nuevo.", file=sys.stderr)
        text, problem = _read_checked(fetch_to_cache())
    if problem is not None:
        raise CorpusUnavailable(f"{path}: {problem}")
    return normalize(text)


def _read_checked(path: Path) -> tuple[str | None, str | None]:
    """``(texto, None)`` si la copia sirve, o ``(None, por qué no sirve)``."""
    try:
        return check_sane(path.read_bytes()), None
    except OSError as error:
        return None, f"no se puede leer: {error.strerror or error}"
    except ValueError as error:
        return None, str(error)


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


def main(argv=None) -> int:
    parser = ArgumentParser(prog="python -m demos.corpus",
                            description="Descarga El Quijote (si hace falta) y muestra sus números.")
    parser.parse_args(argv)
    try:
        text = load_text()
    except CorpusUnavailable as error:
        print(error, file=sys.stderr)
        return 1
    info = stats(text)
    print("El Quijote, listo para el taller")
    for label, key in (("caracteres", "caracteres"), ("bytes en UTF-8", "bytes_utf8"), ("palabras", "palabras"),
                       ("caracteres distintos", "caracteres_distintos"), ("entrenamiento (90 %)", "entrenamiento"),
                       ("validación (10 %)", "validacion")):
        print(f"  {label + ':':<22} {thousands(info[key]):>10}")
    common = ", ".join(f"{c!r}×{thousands(n)}" for c, n in info["mas_frecuentes"])
    print(f"  más frecuentes: {common}")
    print(f"  sha256: {sha256(text)}")
    print(f"\nComienza así:\n{text[:300]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
