"""El corpus: viene con el taller, se verifica, se normaliza, se divide, y si algo falla lo dice en castellano."""

from __future__ import annotations

import hashlib
import lzma
import os
import subprocess
import sys
import unicodedata

import pytest

from demos import corpus
from tests.conftest import ROOT


@pytest.fixture
def fresh(monkeypatch):
    """Sin lo ya leído en memoria: cada prueba lee el archivo otra vez."""
    monkeypatch.setattr(corpus, "_loaded", {})


def test_load_text_is_nfc_and_large(quijote):
    assert len(quijote) > 2_000_000
    assert unicodedata.is_normalized("NFC", quijote)
    assert quijote.startswith("DON QUIJOTE DE LA MANCHA")
    assert "En un lugar de la Mancha" in quijote


def test_the_bundled_copy_is_the_documented_one():
    """El archivo comprimido es el texto de la nota de al lado: misma huella, y la nota la dice."""
    raw = lzma.decompress(corpus.BUNDLED.read_bytes())
    assert hashlib.sha256(raw).hexdigest() == corpus.BUNDLED_SHA256
    note = (corpus.BUNDLED.parent / "LEEME.md").read_text(encoding="utf-8")
    assert corpus.BUNDLED_SHA256 in note and "dominio público" in note.lower()
    assert corpus.BUNDLED.stat().st_size < 700_000, "comprimido debe pesar ~0,6 MB"


def test_without_the_variable_the_bundled_copy_is_used(fresh, monkeypatch):
    monkeypatch.delenv("TALLER_CORPUS", raising=False)
    text = corpus.load_text()
    raw = lzma.decompress(corpus.BUNDLED.read_bytes()).decode("utf-8")
    assert text == unicodedata.normalize("NFC", raw)


def test_the_variable_overrides_the_bundled_copy(fresh, monkeypatch, tmp_path, quijote):
    own = quijote.replace("En un lugar de la Mancha", "En un lugar de Chiloé", 1)
    path = tmp_path / "mi_quijote.txt"
    path.write_text(own, encoding="utf-8")
    monkeypatch.setenv("TALLER_CORPUS", str(path))
    assert corpus.load_text() == own


def test_a_damaged_bundled_copy_is_a_spanish_error(fresh, monkeypatch, tmp_path):
    broken = tmp_path / "el_quijote.txt.xz"
    broken.write_bytes(lzma.compress(b"DON QUIJOTE, pero otro texto"))
    monkeypatch.delenv("TALLER_CORPUS", raising=False)
    monkeypatch.setattr(corpus, "BUNDLED", broken)
    with pytest.raises(corpus.CorpusUnavailable, match="git checkout demos/data/"):
        corpus.load_text()
    broken.write_bytes(b"esto no es xz")
    text, message = corpus.try_load_text()
    assert text is None and "no se puede leer" in message


def test_a_wrong_variable_gives_spanish_instructions(fresh, tmp_path, monkeypatch):
    monkeypatch.setenv("TALLER_CORPUS", str(tmp_path / "no-existe.txt"))
    with pytest.raises(corpus.CorpusUnavailable) as error:
        corpus.load_text()
    assert "no existe" in str(error.value) and "unset TALLER_CORPUS" in str(error.value)
    text, message = corpus.try_load_text()
    assert text is None and "TALLER_CORPUS apunta a" in message


def test_a_variable_pointing_to_another_book_is_refused(fresh, tmp_path, monkeypatch):
    path = tmp_path / "otro.txt"
    path.write_text("Otro libro. " * 60_000, encoding="utf-8")
    monkeypatch.setenv("TALLER_CORPUS", str(path))
    with pytest.raises(corpus.CorpusUnavailable, match="no parece ser El Quijote"):
        corpus.load_text()


def test_split_is_ninety_ten(quijote):
    train, val = corpus.split(quijote)
    assert train + val == quijote
    assert len(train) == int(0.9 * len(quijote))


def test_sanity_check_rejects_bad_files():
    with pytest.raises(ValueError, match="UTF-8"):
        corpus.check_sane(b"\xff\xfe\x00 no es texto")
    with pytest.raises(ValueError, match="caracteres"):
        corpus.check_sane(b"Quijote corto")


def test_gutenberg_header_and_footer_are_stripped_only_when_present():
    raw = ("The Project Gutenberg eBook\n*** START OF THE PROJECT GUTENBERG EBOOK 2000 ***\n"
           "En un lugar de la Mancha\n*** END OF THE PROJECT GUTENBERG EBOOK 2000 ***\nlicencia")
    assert corpus.strip_gutenberg(raw) == "En un lugar de la Mancha\n"
    assert corpus.strip_gutenberg("  En un lugar\n\n") == "  En un lugar\n\n"


def test_the_raw_beginning_keeps_the_original_nfd():
    raw = corpus.raw_beginning(4_096)
    assert raw.startswith("DON QUIJOTE") and not unicodedata.is_normalized("NFC", raw)


def test_module_runs_alone_and_prints_stats():
    env = {k: v for k, v in os.environ.items() if k != "TALLER_CORPUS"}
    result = subprocess.run([sys.executable, "-m", "demos.corpus"], cwd=ROOT, capture_output=True, text=True,
                            env=env, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "caracteres distintos" in result.stdout and "validación" in result.stdout
    assert "copia incluida" in result.stdout
