"""El corpus: se encuentra, se normaliza, se divide, y si falta lo dice en castellano."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import threading
import unicodedata
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

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



def test_the_setup_command_finds_the_corpus_it_has():
    """``bash taller.sh`` busca el corpus antes de abrir el taller: si lo tiene, no debe decir que falta."""
    script = ("set -euo pipefail; say() { :; }; "
              "eval \"$(sed -n '/^fetch_corpus()/,/^}/p' taller.sh)\"; fetch_corpus")
    result = subprocess.run(["bash", "-c", script], cwd=ROOT, capture_output=True, text=True,
                            env={**os.environ, "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}"})
    assert result.returncode == 0, result.stderr
    assert "validación" in result.stdout and "Sigo sin el corpus" not in result.stdout, result.stdout + result.stderr

# ---------------------------------------------------------------- la descarga, contra espejos locales

GUTENBERG_HEAD = ("\ufeffThe Project Gutenberg eBook of Don Quijote\r\n\r\nThis ebook is for the use of anyone\r\n"
                  "*** START OF THE PROJECT GUTENBERG EBOOK DON QUIJOTE ***\r\n")
GUTENBERG_FOOT = "\r\n*** END OF THE PROJECT GUTENBERG EBOOK DON QUIJOTE ***\r\nSection 5. General Information\r\n"


class MirrorHandler(BaseHTTPRequestHandler):
    """Espejos de prueba: uno que no tiene el archivo, uno que se corta, uno sano, etc."""

    def do_GET(self):  # noqa: N802 (nombre que exige http.server)
        book = self.server.book
        routes = {"/no-esta.txt": (404, b"no"), "/corto.txt": (200, b"Quijote corto"), "/cortado.txt": (200, book),
                  "/por-partes-cortado.txt": (200, book), "/gutenberg.txt": (200, book),
                  "/sin-largo.txt": (200, book)}
        status, body = routes.get(self.path, (404, b""))
        self.send_response(status)
        if self.path == "/por-partes-cortado.txt":
            self.send_header("Transfer-Encoding", "chunked")
        elif self.path != "/sin-largo.txt":
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.path == "/cortado.txt":  # anuncia el libro entero, manda la mitad y cuelga
            body = body[: len(body) // 2]
        elif self.path == "/por-partes-cortado.txt":  # anuncia un trozo de 100.000 bytes y manda 50.000
            body = b"%x\r\n" % 100_000 + body[:50_000]
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def mirror(quijote):
    server = ThreadingHTTPServer(("127.0.0.1", 0), MirrorHandler)
    server.book = (GUTENBERG_HEAD + quijote + GUTENBERG_FOOT).encode("utf-8")
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


@pytest.fixture
def empty_cache(tmp_path, monkeypatch):
    """Sin TALLER_CORPUS y con una caché vacía: load_text tiene que descargar."""
    monkeypatch.delenv("TALLER_CORPUS", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.setattr(corpus, "_loaded", {})
    return corpus.cache_path()


def use_mirrors(monkeypatch, base: str, *names: str) -> None:
    monkeypatch.setenv(corpus.MIRRORS_VARIABLE, " ".join(f"{base}/{name}" for name in names))


def test_download_skips_broken_mirrors_strips_gutenberg_and_caches(mirror, empty_cache, monkeypatch, capsys,
                                                                   quijote):
    use_mirrors(monkeypatch, mirror, "no-esta.txt", "cortado.txt", "por-partes-cortado.txt", "gutenberg.txt")
    text = corpus.load_text()
    assert text == quijote.strip() + "\n"  # sin la cabecera ni el pie de Project Gutenberg
    assert "PROJECT GUTENBERG" not in text and "\r" not in text
    assert empty_cache.read_text(encoding="utf-8") == text
    assert [p.name for p in empty_cache.parent.iterdir()] == ["el_quijote.txt"]  # sin temporales
    log = capsys.readouterr().err
    assert "código 404" in log and log.count("se cortó") == 2, log[-2000:]
    assert "descargando [" in log and "100 %" in log and "Guardado en" in log


def test_download_without_size_shows_megabytes(mirror, empty_cache, monkeypatch, capsys, quijote):
    use_mirrors(monkeypatch, mirror, "sin-largo.txt")
    assert corpus.load_text() == quijote.strip() + "\n"
    assert re.search(r"descargando… \d+,\d MB", capsys.readouterr().err)


def test_damaged_cache_is_downloaded_again(mirror, empty_cache, monkeypatch, capsys, quijote):
    use_mirrors(monkeypatch, mirror, "gutenberg.txt")
    empty_cache.parent.mkdir(parents=True)
    empty_cache.write_text("Quijote corto", encoding="utf-8")
    with pytest.raises(corpus.CorpusUnavailable, match="dañada"):
        corpus.load_text(download_if_missing=False)  # las diapositivas nunca descargan
    assert corpus.load_text() == quijote.strip() + "\n"
    log = capsys.readouterr().err
    assert "está dañada" in log and "la descargo de nuevo" in log
    assert empty_cache.read_text(encoding="utf-8") == quijote.strip() + "\n"


def test_every_mirror_failing_is_a_spanish_error_and_writes_nothing(mirror, empty_cache, monkeypatch):
    use_mirrors(monkeypatch, mirror, "no-esta.txt", "corto.txt", "cortado.txt")
    with pytest.raises(corpus.CorpusUnavailable) as error:
        corpus.load_text()
    message = str(error.value)
    assert "Cómo conseguirlo" in message and "404" in message and "caracteres" in message and "cortó" in message
    assert not empty_cache.parent.exists() or not list(empty_cache.parent.iterdir())


def test_an_empty_mirror_list_never_downloads(empty_cache, monkeypatch):
    monkeypatch.setenv(corpus.MIRRORS_VARIABLE, "")
    with pytest.raises(corpus.CorpusUnavailable, match=corpus.MIRRORS_VARIABLE):
        corpus.load_text()


def test_a_failed_cache_write_keeps_the_previous_copy(empty_cache):
    empty_cache.parent.mkdir(parents=True)
    empty_cache.write_text("copia anterior", encoding="utf-8")
    with pytest.raises(UnicodeEncodeError):
        corpus.write_cache("En un lugar \ud800 de la Mancha")  # un sustituto suelto no se puede escribir
    assert empty_cache.read_text(encoding="utf-8") == "copia anterior"
    assert [p.name for p in empty_cache.parent.iterdir()] == ["el_quijote.txt"]


def test_module_downloads_from_a_mirror_and_prints_stats(mirror, tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "TALLER_CORPUS"}
    env.update(XDG_CACHE_HOME=str(tmp_path), **{corpus.MIRRORS_VARIABLE: f"{mirror}/gutenberg.txt"})
    result = subprocess.run([sys.executable, "-m", "demos.corpus"], cwd=ROOT, env=env, capture_output=True,
                            text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "caracteres distintos" in result.stdout and "descargando [" in result.stderr
    assert (tmp_path / "taller-chatgpt" / "el_quijote.txt").is_file()
