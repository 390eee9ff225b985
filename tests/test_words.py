"""Vectores de palabras aprendidos de El Quijote: las vecinas tienen sentido, la caché nunca queda
rota ni se usa una vieja, los mensajes explican en castellano y la terminal habla como el resto.

Ninguna prueba escribe en la caché del usuario: todas usan una carpeta temporal (``XDG_CACHE_HOME``).
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time

import numpy as np
import pytest

from demos import words
from demos.words import cache
from demos.words import vectors as learn
from demos.words.__main__ import main
from tests.conftest import ROOT
from tests.test_house import import_graph


# ---------------------------------------------------------------- preparación: una caché temporal
@pytest.fixture(scope="session")
def vectors(quijote, tmp_path_factory):
    """Los vectores de El Quijote completo, calculados una vez para todas las pruebas (caché temporal)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("cache-sesion")))
        cache._in_memory.clear()
        cache.quijote_vectors.cache_clear()
        yield cache.quijote_vectors()
        cache._in_memory.clear()
        cache.quijote_vectors.cache_clear()


@pytest.fixture
def fresh_cache(tmp_path, monkeypatch):
    """Una caché vacía en disco y en memoria, y parámetros pequeños para que calcular sea rápido."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.setattr(learn, "VOCAB_SIZE", 400)
    monkeypatch.setattr(learn, "CONTEXT_SIZE", 400)
    monkeypatch.setattr(learn, "DIMENSIONS", 20)
    monkeypatch.setattr(learn, "SVD_EXTRA", 20)
    monkeypatch.setattr(cache, "_in_memory", {})
    return tmp_path / "taller-chatgpt"


@pytest.fixture
def compute_calls(monkeypatch) -> list[int]:
    """Cuenta las veces que se calcula de verdad (en vez de leer la caché)."""
    calls: list[int] = []
    original = cache.compute

    def counting(text):
        calls.append(1)
        return original(text)

    monkeypatch.setattr(cache, "compute", counting)
    return calls


# Medido con los parámetros del módulo: entre las 5 más parecidas hay al menos 2 de estas
# (en la medición hubo 3, 5 y 5).
EXPECTED = {
    "rey": {"reino", "emperador", "marqués", "capitán", "rodrigo", "príncipe", "duque"},
    "hambre": {"sed", "frío", "calor", "cansancio", "comer", "beber"},
    "rocinante": {"caballo", "rucio", "jumento", "asno", "cabestro", "riendas", "silla"},
}


def top(vectors, word: str, k: int = 5) -> set[str]:
    return {name.lower() for name, _ in vectors.neighbours(word, k).neighbours}


# ---------------------------------------------------------------- las vecinas tienen sentido
@pytest.mark.parametrize("word", sorted(EXPECTED))
def test_neighbours_make_sense(vectors, word):
    found = top(vectors, word) & EXPECTED[word]
    assert len(found) >= 2, f"{word}: {vectors.neighbours(word, 5).neighbours}"


def test_neighbours_are_sorted_and_exclude_the_word(vectors):
    answer = vectors.neighbours("caballo", 8)
    similarities = [s for _, s in answer.neighbours]
    assert len(answer.neighbours) == 8
    assert similarities == sorted(similarities, reverse=True)
    assert all(-1.0 <= s <= 1.0 for s in similarities)
    assert "caballo" not in {name.lower() for name, _ in answer.neighbours}


@pytest.mark.parametrize("typed", ["Rocinante", "rocinante", "ROCINANTE", "  «Rocinante»  "])
def test_proper_names_work_in_any_case(vectors, typed):
    answer = vectors.neighbours(typed)
    assert answer.word == "Rocinante"
    assert answer.neighbours == vectors.neighbours("rocinante").neighbours


def test_missing_accent_finds_the_word(vectors):
    answer = vectors.neighbours("frio")
    assert answer.word == "frío"
    assert "frío" in answer.message and answer.neighbours


def test_similarity_of_related_words_is_higher(vectors):
    assert vectors.similarity("hambre", "sed") > vectors.similarity("hambre", "espada")
    assert vectors.similarity("hambre", "xyzzy") is None


# ---------------------------------------------------------------- mensajes en vez de errores
def test_misspelled_word_gets_a_suggestion(vectors):
    answer = vectors.neighbours("rocinamte")
    assert not answer.found and answer.neighbours == []
    assert "No conozco «rocinamte»" in answer.message
    assert "¿Quisiste decir «Rocinante»?" in answer.message


def test_unknown_word_without_suggestion(vectors):
    answer = vectors.neighbours("xyzzy")
    assert not answer.found
    assert answer.message == "No conozco «xyzzy»: no aparece en El Quijote."


def test_rare_word_explains_why(vectors):
    rare = next(w for w, n in vectors.corpus_counts.items() if n == 2 and w not in vectors.index)
    answer = vectors.neighbours(rare)
    assert not answer.found
    assert f"«{rare}» aparece solo 2 veces en El Quijote" in answer.message


def test_function_word_explains_why(vectors):
    answer = vectors.neighbours("de")
    assert not answer.found
    assert "palabra funcional" in answer.message


@pytest.mark.parametrize("typed", ["", "   ", None, "¿?", "123"])
def test_empty_input_asks_for_a_word(vectors, typed):
    answer = vectors.neighbours(typed)
    assert not answer.found
    assert answer.message.startswith("Escribe una palabra")


@pytest.mark.parametrize("typed", ["don quijote", "a" * 10_000, "🐴", "caballo\x00", "\ud800"])
def test_odd_input_never_raises(vectors, typed):
    answer = vectors.neighbours(typed)
    assert isinstance(answer.message, str) and answer.message


def test_module_function_uses_the_quijote(vectors):
    assert words.neighbours("hambre", 3) == vectors.neighbours("hambre", 3)


def test_queries_are_fast(vectors):
    times = []
    for word in ["rey", "hambre", "Rocinante", "rocinamte", "xyzzy", "", "frio"] * 3:
        start = time.perf_counter()
        vectors.neighbours(word)
        times.append(time.perf_counter() - start)
    assert statistics.median(times) < 0.05
    assert max(times) < 0.2  # margen: la máquina puede estar ocupada


# ---------------------------------------------------------------- la caché
def test_cache_round_trip(quijote, fresh_cache, compute_calls):
    text = quijote[:150_000]
    first = cache.load(text)
    assert len(compute_calls) == 1
    assert len(list(fresh_cache.glob("*.npz"))) == 1
    assert cache.load(text) is first  # en memoria: ni siquiera lee el disco
    cache._in_memory.clear()
    second = cache.load(text)  # desde el disco
    assert len(compute_calls) == 1
    assert second.words == first.words and second.shown == first.shown
    assert np.array_equal(second.vectors, first.vectors)
    assert second.corpus_counts == first.corpus_counts


def test_cache_leaves_no_temporary_files(quijote, fresh_cache):
    cache.load(quijote[:150_000])
    assert [p.name.startswith("vectores-de-palabras-") for p in fresh_cache.iterdir()] == [True]


@pytest.mark.parametrize("damage", ["truncated", "garbage", "empty", "other_key"])
def test_damaged_cache_is_recomputed(quijote, fresh_cache, compute_calls, damage):
    text = quijote[:150_000]
    first = cache.load(text)
    path = cache.cache_path(cache.cache_key(text))
    data = path.read_bytes()
    if damage == "truncated":
        path.write_bytes(data[: len(data) // 2])
    elif damage == "garbage":
        path.write_bytes(b"esto no es un npz" * 100)
    elif damage == "empty":
        path.write_bytes(b"")
    else:  # la caché de otro texto con el nombre de éste
        cache.save(learn.compute(quijote[150_000:300_000]), path, "otra-clave")
        compute_calls.clear()
        compute_calls.append(1)
    cache._in_memory.clear()
    again = cache.load(text)
    assert len(compute_calls) == 2
    assert np.array_equal(again.vectors, first.vectors)
    assert cache.read(path, cache.cache_key(text)) is not None  # y quedó reparada


def test_cache_key_depends_on_text_and_parameters(quijote, monkeypatch):
    key = cache.cache_key(quijote)
    assert cache.cache_key(quijote) == key
    assert cache.cache_key(quijote + " ") != key
    monkeypatch.setattr(learn, "WINDOW", learn.WINDOW + 1)
    assert cache.cache_key(quijote) != key


def test_cache_dir_follows_xdg(monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert cache.cache_dir() == tmp_path / "taller-chatgpt"


def test_unwritable_cache_still_works(quijote, fresh_cache, monkeypatch):
    def refuse(*args, **kwargs):
        raise PermissionError("sin permiso")

    monkeypatch.setattr(cache, "save", refuse)
    assert cache.load(quijote[:150_000]).neighbours("caballo").found


def test_computing_twice_gives_the_same_vectors(quijote, fresh_cache):
    text = quijote[:150_000]
    first, second = learn.compute(text), learn.compute(text)
    assert first.words == second.words
    assert np.array_equal(first.vectors, second.vectors)


def test_vectors_have_unit_length(vectors):
    assert vectors.vectors.shape == (len(vectors.words), learn.DIMENSIONS)
    assert np.allclose(np.linalg.norm(vectors.vectors, axis=1), 1.0, atol=2e-3)
    assert not set(vectors.words) & learn.FUNCTION_WORDS


# ---------------------------------------------------------------- diapositivas y terminal
def _font_sizes(spec) -> list[float]:
    found = []
    if isinstance(spec, dict):
        for key, value in spec.items():
            if key.lower().endswith("fontsize") and isinstance(value, (int, float)):
                found.append(value)
            found += _font_sizes(value)
    elif isinstance(spec, list):
        for item in spec:
            found += _font_sizes(item)
    return found


@pytest.mark.parametrize("word", ["rey", "xyzzy", ""])
def test_neighbours_chart(vectors, word):
    spec = words.neighbours_chart(word).to_dict()
    assert min(_font_sizes(spec)) >= 14


def test_neighbours_chart_has_the_data(vectors):
    spec = words.neighbours_chart("hambre").to_dict()
    assert "«hambre»" in str(spec["title"])
    assert "0,7" in str(spec)  # similitudes con coma decimal


def test_map_chart(vectors):
    points = words.map_points()
    assert {"Rey", "rey"} & {p["palabra"] for p in points}
    assert all(np.isfinite([p["x"], p["y"]]).all() for p in points)
    assert min(_font_sizes(words.map_chart().to_dict())) >= 14


def test_html_escapes_and_shows_bars(vectors):
    snippet = words.neighbours_html("<b>rey</b>")
    assert "<b>rey</b>" not in snippet
    assert words.neighbours_html("rey").count("background:") == words.NEIGHBOURS


def test_cli_prints_neighbours(vectors, capsys):
    assert main(["rey", "hambre", "Rocinante"]) == 0
    out = capsys.readouterr().out
    for word in ["rey", "hambre", "Rocinante"]:
        assert f"Las palabras más parecidas a «{word}» en El Quijote:" in out
    assert "1. " in out and "8. " in out


def test_cli_unknown_word_gets_a_suggestion(vectors, capsys):
    assert main(["-n", "3", "rocinamte"]) == 1
    assert "¿Quisiste decir «Rocinante»?" in capsys.readouterr().out


def test_cli_counts_neighbours_with_n(vectors, capsys):
    assert main(["-n", "12", "amor"]) == 0
    out = capsys.readouterr().out
    assert "12. " in out and "13. " not in out


@pytest.mark.parametrize("argv", [[], ["-n", "cero", "rey"], ["-n", "0", "rey"], ["-n", "101", "rey"], ["-n"]])
def test_cli_usage_errors_speak_spanish(argv, capsys):
    with pytest.raises(SystemExit) as stop:
        main(argv)
    err = capsys.readouterr().err
    assert stop.value.code == 2
    assert err.startswith("uso: python -m demos.words") and "error: " in err
    assert "usage" not in err and "invalid" not in err and "required" not in err, err


@pytest.mark.parametrize("flag", ["--ayuda", "-h", "--help"])
def test_cli_help(flag, capsys):
    with pytest.raises(SystemExit) as stop:
        main([flag])
    out = capsys.readouterr().out
    assert stop.value.code == 0
    assert out.startswith("uso: python -m demos.words") and "-n CUÁNTAS" in out and "opciones" in out


def test_cli_runs_as_a_module(tmp_path):
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path)}
    result = subprocess.run([sys.executable, "-m", "demos.words", "--ayuda"], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "rey hambre Rocinante" in result.stdout
    assert not list(tmp_path.iterdir())  # pedir ayuda no calcula ni guarda nada


# ---------------------------------------------------------------- sin El Quijote: explica
@pytest.fixture
def no_corpus(monkeypatch, tmp_path):
    """``TALLER_CORPUS`` apunta a un archivo que no existe (y nada quedó en memoria)."""
    monkeypatch.setenv("TALLER_CORPUS", str(tmp_path / "no-hay-quijote.txt"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    cache.quijote_vectors.cache_clear()
    yield
    cache.quijote_vectors.cache_clear()


def test_missing_corpus_is_explained(no_corpus, capsys):
    text, problem = cache.read_corpus()
    assert text is None and "no-hay-quijote.txt" in problem and "TALLER_CORPUS" in problem
    answer = words.neighbours("rey")
    assert not answer.found and answer.message == problem
    assert "TALLER_CORPUS" in str(words.map_chart().to_dict())
    assert main(["rey"]) == 1
    assert "TALLER_CORPUS" in capsys.readouterr().err


# ---------------------------------------------------------------- la casa
def test_only_the_deck_imports_the_words_section():
    """Una sección: usa las hojas, el corpus y los gráficos; ningún otro módulo de ``demos`` la usa."""
    graph = import_graph()
    package = {name for name in graph if name == "demos.words" or name.startswith("demos.words.")}
    users = sorted(name for name, targets in graph.items() if name not in package and targets & package)
    assert not users, f"importan demos.words: {users}"
    used = set().union(*(graph[name] for name in package)) - package
    assert used <= {"demos.formatting", "demos.aula.cli", "demos.corpus", "demos.charts", "demos.svgplot"}, used
