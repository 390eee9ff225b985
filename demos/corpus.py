"""El corpus del taller: El Quijote, de Miguel de Cervantes (1605 y 1615, dominio público).

Viene con el taller, comprimido en ``demos/data/el_quijote.txt.xz`` (ver ``demos/data/LEEME.md``):
no se descarga nada y funciona sin internet. Para usar otra copia:
``export TALLER_CORPUS=/ruta/a/el_quijote.txt``.

El texto se normaliza a NFC: en el archivo original la «á» son dos puntos de código
(«a» + tilde combinable) y así cada letra con tilde cuenta como un solo carácter.

Uso: ``python -m demos.corpus`` muestra los números del corpus.
"""

from __future__ import annotations

import hashlib
import lzma
import os
import re
import sys
import unicodedata
from collections import Counter
from pathlib import Path

from demos.aula.cli import ArgumentParser
from demos.formatting import thousands

BUNDLED = Path(__file__).parent / "data" / "el_quijote.txt.xz"
BUNDLED_SHA256 = "aff9f3d791f38a46919e8024271d40b826b07c339343f39dc67de1fe8f1c21f4"  # del texto sin comprimir
VARIABLE = "TALLER_CORPUS"
MIN_CHARS = 500_000  # un Quijote de verdad tiene ~2 millones; menos que esto es una copia rota
TRAIN_FRACTION = 0.9  # como en los notebooks del taller: 90 % para entrenar, 10 % para validar


class CorpusUnavailable(RuntimeError):
    """La copia pedida (la de ``TALLER_CORPUS`` o la incluida) no existe o no sirve."""


def normalize(raw: str) -> str:
    """NFC y saltos de línea de Unix: una letra con tilde = un carácter."""
    return unicodedata.normalize("NFC", raw.replace("\r\n", "\n").replace("\r", "\n"))


def strip_gutenberg(text: str) -> str:
    """Quita la cabecera y el pie de licencia de Project Gutenberg, si los hay (en una copia propia)."""
    start = re.search(r"\*\*\* ?START OF (THE|THIS) PROJECT GUTENBERG EBOOK[^\n]*\n", text)
    end = re.search(r"\*\*\* ?END OF (THE|THIS) PROJECT GUTENBERG EBOOK", text)
    if not start:
        return text
    return text[start.end() : end.start() if end else len(text)].strip() + "\n"


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


def read_bundled() -> str:
    """La copia que viene con el taller, verificada con su huella (sha256)."""
    try:
        raw = lzma.decompress(BUNDLED.read_bytes())
    except (OSError, lzma.LZMAError) as error:
        raise CorpusUnavailable(_bundled_problem(f"no se puede leer ({error})")) from None
    if hashlib.sha256(raw).hexdigest() != BUNDLED_SHA256:
        raise CorpusUnavailable(_bundled_problem("su huella no coincide: el archivo cambió o está dañado"))
    return raw.decode("utf-8")


def _bundled_problem(detail: str) -> str:
    return (f"La copia de El Quijote que viene con el taller ({BUNDLED}) {detail}.\n"
            "Recupérala con «git checkout demos/data/», o usa otra copia con "
            f"«export {VARIABLE}=/ruta/a/el_quijote.txt».")


def read_configured(path: Path) -> str:
    """La copia que indica ``TALLER_CORPUS``, controlada (UTF-8, tamaño, que sea El Quijote)."""
    if not path.is_file():
        raise CorpusUnavailable(_configured_problem(path, "no existe o no es un archivo"))
    try:
        return strip_gutenberg(check_sane(path.read_bytes()))
    except OSError as error:
        raise CorpusUnavailable(_configured_problem(path, f"no se puede leer ({error.strerror or error})")) from None
    except ValueError as error:
        raise CorpusUnavailable(_configured_problem(path, f"no sirve: {error}")) from None


def _configured_problem(path: Path, detail: str) -> str:
    return (f"{VARIABLE} apunta a {path}, que {detail}.\n"
            f"Corrige la ruta, o bórrala («unset {VARIABLE}») para usar la copia que viene con el taller.")


def raw_beginning(max_bytes: int = 65_536) -> str:
    """El comienzo del archivo tal como está guardado (sin normalizar), o "" si no se puede leer.

    Sirve para mostrar que el archivo original guarda la «á» como «a» + tilde (NFD).
    """
    configured = os.environ.get(VARIABLE, "").strip()
    try:
        if configured:
            with open(Path(configured).expanduser(), "rb") as file:
                raw = file.read(max_bytes)
        else:
            raw = lzma.LZMADecompressor().decompress(BUNDLED.read_bytes(), max_length=max_bytes)
    except (OSError, lzma.LZMAError):
        return ""
    return raw.decode("utf-8", errors="replace")


_loaded: dict[str, str] = {}


def load_text() -> str:
    """El Quijote como texto NFC: el de ``TALLER_CORPUS`` si está definida; si no, el incluido.

    Lanza ``CorpusUnavailable`` con un mensaje en castellano si esa copia no sirve.
    """
    configured = os.environ.get(VARIABLE, "").strip()
    key = str(Path(configured).expanduser()) if configured else ""
    if key not in _loaded:
        _loaded[key] = normalize(read_configured(Path(key)) if key else read_bundled())
    return _loaded[key]


def try_load_text() -> tuple[str | None, str | None]:
    """Para las diapositivas: ``(texto, None)`` o ``(None, mensaje en castellano)``, sin excepciones."""
    try:
        return load_text(), None
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
    parser = ArgumentParser(prog="python -m demos.corpus", description="Muestra los números de El Quijote.")
    parser.parse_args(argv)
    try:
        text = load_text()
    except CorpusUnavailable as error:
        print(error, file=sys.stderr)
        return 1
    info = stats(text)
    source = os.environ.get(VARIABLE) or "la copia incluida en el taller"
    print(f"El Quijote, listo para el taller ({source})")
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
