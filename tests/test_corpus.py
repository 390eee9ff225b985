"""El corpus: se encuentra, se normaliza, se divide, y si falta lo dice en castellano."""

from __future__ import annotations

import subprocess
import sys
import unicodedata

import pytest

from demos import corpus
from tests.conftest import ROOT


def test_load_text_is_nfc_and_large(quijote):
    assert len(quijote) > 2_000_000
    assert unicodedata.is_normalized("NFC", quijote)
    assert quijote.startswith("DON QUIJOTE DE LA MANCHA")
    assert "En un lugar de la Mancha" in quijote


def test_split_is_ninety_ten(quijote):
    train, val = corpus.split(quijote)
    assert train + val == quijote
    assert len(train) == int(0.9 * len(quijote))


def test_missing_corpus_gives_spanish_instructions(tmp_path, monkeypatch):
    monkeypatch.setenv("TALLER_CORPUS", str(tmp_path / "no-existe.txt"))
    with pytest.raises(corpus.CorpusUnavailable) as error:
        corpus.load_text()
    assert "python -m demos.corpus" in str(error.value) and "TALLER_CORPUS" in str(error.value)
    text, message = corpus.try_load_text()
    assert text is None and "No encontré" in message


def test_no_cache_and_no_download_is_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.delenv("TALLER_CORPUS", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    with pytest.raises(corpus.CorpusUnavailable):
        corpus.load_text(download_if_missing=False)


def test_sanity_check_rejects_bad_files():
    with pytest.raises(ValueError, match="UTF-8"):
        corpus.check_sane(b"\xff\xfe\x00 no es texto")
    with pytest.raises(ValueError, match="caracteres"):
        corpus.check_sane(b"Quijote corto")


def test_gutenberg_header_and_footer_are_stripped():
    raw = ("The Project Gutenberg eBook\n*** START OF THE PROJECT GUTENBERG EBOOK 2000 ***\n"
           "En un lugar de la Mancha\n*** END OF THE PROJECT GUTENBERG EBOOK 2000 ***\nlicencia")
    assert corpus.strip_gutenberg(raw) == "En un lugar de la Mancha\n"


def test_module_runs_alone_and_prints_stats():
    result = subprocess.run([sys.executable, "-m", "demos.corpus"], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "caracteres distintos" in result.stdout and "validación" in result.stdout
