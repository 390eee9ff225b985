"""Tokens: el tokenizador de caracteres, nuestro BPE (que devuelve intacto cualquier texto Unicode),
castellano contra inglés y los embeddings del modelo incluido."""

from __future__ import annotations

import random
import re
import subprocess
import sys
import time

import pytest
import torch

from demos import tokens
from demos.model import GPT, GPTConfig
from demos.tokens.__main__ import main
from tests.conftest import ROOT

# ---------------------------------------------------------------- texto Unicode al azar (con semilla)

RANGES = [
    (0x20, 0x7E),  # ASCII visible
    (0x00, 0x1F),  # controles, con NUL
    (0xA0, 0x17F),  # latín con tildes
    (0x300, 0x36F),  # marcas combinables
    (0x590, 0x5FF), (0x600, 0x6FF),  # hebreo y árabe (derecha a izquierda)
    (0x4E00, 0x4FFF),  # chino
    (0x1F300, 0x1FAFF),  # emojis (fuera del plano básico: 4 bytes)
    (0x10000, 0x10FFFF),  # cualquier cosa fuera del plano básico
]
SPECIAL = ["\x00", "\u200d", "\u200f", "\u200e", "\ufeff", "\ufe0f", "\n", "\t", "\r\n", " ", "  ",
           "👩‍💻", "👨‍👩‍👧‍👦", "🏳️‍🌈", "é", "ñ", "שלום", "مرحبا"]


def random_text(rng: random.Random, length: int) -> str:
    pieces = []
    for _ in range(length):
        if rng.random() < 0.2:
            pieces.append(rng.choice(SPECIAL))
        else:
            lo, hi = rng.choice(RANGES)
            code = rng.randint(lo, hi)
            pieces.append(chr(code if not 0xD800 <= code <= 0xDFFF else 0xFFFD))
    return "".join(pieces)


@pytest.fixture(scope="module")
def bpe():
    return tokens.trained_bpe()


def test_bpe_round_trips_arbitrary_unicode(bpe):
    rng = random.Random(2024)
    for _ in range(400):
        text = random_text(rng, rng.randint(0, 40))
        n = rng.choice([0, 1, 10, 100, len(bpe.merges), None])
        ids = bpe.encode(text, n)
        assert bpe.decode(ids) == text, repr(text)
        assert all(0 <= i < 256 + bpe.limit(n) for i in ids)


def test_bpe_trained_on_strange_text_also_round_trips():
    rng = random.Random(7)
    training = "".join(random_text(rng, 50) for _ in range(40))
    strange = tokens.train_bpe(training, 200)
    assert any(max(strange.vocab[256 + i]) >= 0x80 for i in range(len(strange.merges)))  # fusionó bytes no ASCII
    for _ in range(200):
        text = random_text(rng, rng.randint(0, 30))
        assert strange.decode(strange.encode(text)) == text


def test_bpe_round_trips_lone_surrogates(bpe):
    for text in ["\ud800", "a\udfffb", "\ud83d\ude00"]:
        assert bpe.decode(bpe.encode(text)) == text


def test_merges_by_hand():
    small = tokens.train_bpe("ab ab ab", 5)
    assert small.merges[:2] == [(97, 98), (32, 256)]  # primero «ab» (3 veces), luego « ab» (2 veces)
    assert small.counts[:2] == [3, 2]
    assert small.encode("ab ab") == [256, 257]
    assert small.encode("ab ab", 1) == [256, 32, 256]
    assert small.encode("ab ab", 0) == list(b"ab ab")


def test_without_merges_every_byte_is_a_token(bpe):
    text = "Ñandú 😀"
    assert bpe.encode(text, 0) == list(text.encode("utf-8"))
    assert bpe.token_text(0xC3) == "‹c3›"  # medio carácter: se muestra el byte


def test_more_merges_never_mean_more_tokens(bpe):
    counts = [len(bpe.encode(tokens.EXAMPLE, n)) for n in range(0, len(bpe.merges) + 1, 20)]
    assert counts == sorted(counts, reverse=True)
    assert counts[-1] < counts[0] / 2


def test_trained_on_the_quijote(bpe, quijote):
    assert 100 < len(bpe.merges) <= tokens.BPE_MERGES
    assert "Quijote" in bpe.source
    assert len(bpe.encode(" que")) == 1  # una de las palabras más comunes del castellano es un solo token
    assert bpe.counts == sorted(bpe.counts, reverse=True)  # el par más frecuente solo puede bajar


def test_trained_without_corpus_uses_a_bundled_paragraph(monkeypatch, tmp_path):
    monkeypatch.setenv("TALLER_CORPUS", str(tmp_path / "no_existe.txt"))
    tokens.trained_bpe.cache_clear()
    try:
        fallback = tokens.trained_bpe()
        assert "no pude leer" in fallback.source
        assert fallback.decode(fallback.encode("Hola 😀")) == "Hola 😀"
    finally:
        tokens.trained_bpe.cache_clear()


def test_slider_out_of_range_is_clamped(bpe):
    assert bpe.limit(-5) == 0
    assert bpe.limit(10**9) == len(bpe.merges)
    assert bpe.limit("muchas") == len(bpe.merges)
    page = tokens.bpe_html("hola", bpe, -5)
    assert "0 fusiones" in page and "Ojo: el mínimo es 0 fusiones; uso 0." in page
    most = len(bpe.merges)
    assert f"Ojo: el máximo es {most} fusiones; uso {most}." in tokens.bpe_html("hola", bpe, 10**9)
    assert "Ojo" not in tokens.bpe_html("hola", bpe, 10)


# ---------------------------------------------------------------- palabras larguísimas: en trozos


class CountingBPE(tokens.BPE):
    """El mismo BPE, pero anota el largo de cada trozo que fusiona (para ver cuánto trabaja)."""

    def __post_init__(self):
        super().__post_init__()
        self.piece_sizes: list[int] = []

    def _merge_piece(self, ids, n):
        self.piece_sizes.append(len(ids))
        return super()._merge_piece(ids, n)


@pytest.fixture
def counting(bpe):
    return CountingBPE(bpe.merges, bpe.counts, bpe.source)


def test_long_words_are_split_without_breaking_a_character():
    rng = random.Random(11)
    for _ in range(200):
        data = random_text(rng, rng.randint(0, 120)).replace(" ", "").encode("utf-8", "surrogatepass")
        chunks = tokens.split_long(data)
        assert b"".join(chunks) == data
        assert all(0 < len(c) <= tokens.MAX_PIECE_BYTES for c in chunks)
        for chunk in chunks:
            chunk.decode("utf-8", "surrogatepass")  # cada trozo son caracteres enteros: no lanza


def test_a_long_word_is_encoded_in_pieces_of_at_most_64_bytes(counting):
    rng = random.Random(5)
    word = "".join(rng.choice("ñandúquijote") for _ in range(4000))  # sin un solo espacio
    ids = counting.encode(word, 200)
    assert counting.decode(ids) == word
    assert max(counting.piece_sizes) <= tokens.MAX_PIECE_BYTES
    assert sum(counting.piece_sizes) == len(word.encode("utf-8"))


def test_pasting_100k_letters_without_spaces_into_the_bpe_view_is_cut(counting):
    rng = random.Random(3)
    letters = "".join(rng.choice("abcdefghijklmnopqrstuvwxyzñáé") for _ in range(100_000))
    page = tokens.bpe_html(letters, counting, 300)
    assert "El texto tiene 100.000 caracteres: cuento los tokens de los primeros 2.000." in page
    assert "<b>2.000 caracteres</b>" in page
    assert sum(counting.piece_sizes) <= 4 * tokens.MAX_TEXT_CHARS  # solo se tokenizó lo que se cuenta
    shown = len(counting.encode(letters[:tokens.MAX_TEXT_CHARS], 300))
    assert f"Son {shown:,} tokens: pinto solo los primeros {tokens.MAX_SHOWN_TOKENS}.".replace(",", ".") in page


def test_pasting_100k_letters_without_spaces_into_the_languages_view(counting):
    rng = random.Random(4)
    letters = "".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(100_000))
    started = time.process_time()
    page = tokens.languages_html({"castellano": letters, "inglés": letters[::-1]}, counting)
    spent = time.process_time() - started
    for language in ("castellano", "inglés"):
        assert (f"La frase en {language} tiene 100.000 caracteres: cuento los tokens de los primeros 2.000."
                in page)
    assert page.count("2.000 caracteres · 2.000 bytes") == 2  # en cada idioma
    assert max(counting.piece_sizes) <= tokens.MAX_PIECE_BYTES
    assert sum(counting.piece_sizes) <= 2 * tokens.MAX_TEXT_CHARS
    assert spent < 2.0, f"tardó {spent:.1f} s de CPU"  # antes: más de 5 s; ahora, unos milisegundos


# ---------------------------------------------------------------- lo que se ve en la diapositiva


def test_bpe_view_colors_each_token_with_its_id(bpe):
    page = tokens.bpe_html("Hola Don Quijote", bpe, len(bpe.merges))
    ids = bpe.encode("Hola Don Quijote")
    assert page.count("display:inline-block;text-align:center") == len(ids)
    for token_id in ids:
        assert f">{token_id}</small>" in page
    assert "→" in page and "veces" in page  # las últimas fusiones


BAD_INPUTS = {
    "vacío": ("", "Escribe algo"),
    "larguísimo": ("En un lugar " * 10_000, "El texto tiene 120.000 caracteres: cuento los tokens de los "
                                             "primeros 2.000."),
    "NUL": ("a\x00b", "NUL"),
    "control": ("a\x07b", "control"),
    "derecha a izquierda": ("שלום مرحبا", "derecha a izquierda"),
    "emoji con ZWJ": ("👨‍👩‍👧", "ZWJ"),
    "sustituto suelto": ("a\ud800b", "sustituto"),
    "da vuelta el texto": ("abc\u202eolleh", "RLO"),
}


@pytest.mark.parametrize("case", BAD_INPUTS)
def test_bad_input_in_the_bpe_view(bpe, case):
    text, note = BAD_INPUTS[case]
    page = tokens.bpe_html(text, bpe, 100)
    assert note in page
    assert len(page) < 80_000


def test_none_in_the_bpe_view(bpe):
    assert "Escribe algo" in tokens.bpe_html(None, bpe, 10)


def test_spanish_packs_more_characters_per_token_than_english(bpe):
    rows = tokens.language_rows({"castellano": tokens.SPANISH, "inglés": tokens.ENGLISH}, bpe)
    spanish, english = rows
    assert spanish["caracteres por token"] > english["caracteres por token"]
    assert spanish["bytes"] > spanish["caracteres"]  # las tildes ocupan 2 bytes
    assert english["bytes"] == english["caracteres"]
    assert set(english["desconocidos"]) >= {"k", "w"}  # letras que el Quijote no usa en minúscula


def test_languages_view_with_empty_sentence(bpe):
    page = tokens.languages_html({"castellano": "", "inglés": "hi"}, bpe)
    assert "vacía" in page


def test_unknown_characters_are_named_not_escaped(bpe):
    page = tokens.languages_html({"castellano": "hola", "inglés": "kiwi\u200d\x00\u202e"}, bpe)
    assert "ZWJ (unión de ancho cero)" in page and "␀ (U+0000)" in page
    assert "RLO (fuerza derecha a izquierda)" in page and "«k»" in page
    assert "\\u200d" not in page and "&#x27;" not in page  # nada de reprs de Python
    assert "Ojo" not in tokens.languages_html({"castellano": tokens.SPANISH}, bpe)


@pytest.mark.parametrize(("char", "name"), [(" ", "␣ (espacio)"), ("\u200d", "ZWJ (unión de ancho cero)"),
                                            ("w", "«w»"), ("\x07", "␇ (U+0007)"), ("\u2063", "⟨U+2063⟩"),
                                            ("\u0301", "◌\u0301 (U+0301)")])
def test_char_names(char, name):
    assert tokens.char_name(char) == name


# ---------------------------------------------------------------- tokenizador por carácter


def test_char_tokenizer_from_the_corpus_is_the_models(quijote):
    tokenizer, note = tokens.char_tokenizer(quijote)
    assert note is None
    assert tokens.same_vocabulary_as_model(tokenizer)
    ids = tokenizer.encode("Hola Don")
    assert len(ids) == 8 and tokenizer.decode(ids) == "Hola Don"
    assert "ida y vuelta" in tokens.round_trip_md(tokenizer, "Hola Don")
    assert "este mismo vocabulario" in tokens.vocabulary_note(tokenizer)


def test_char_tokenizer_without_corpus_uses_the_bundled_model(pretrained):
    tokenizer, note = tokens.char_tokenizer(None)
    assert tokenizer.chars == pretrained[1].chars
    assert "No pude leer El Quijote" in note
    assert "No pude leer El Quijote" in tokens.vocabulary_note(tokenizer, note)


def test_with_a_wrong_corpus_path_the_slide_says_how_to_fix_it(pretrained, monkeypatch, tmp_path):
    from demos import corpus

    monkeypatch.setenv("TALLER_CORPUS", str(tmp_path / "no_existe.txt"))
    text, error = corpus.try_load_text()
    tokenizer, note = tokens.char_tokenizer(text, error)
    shown = tokens.vocabulary_note(tokenizer, note)
    assert "No pude leer El Quijote" in shown and "unset TALLER_CORPUS" in shown


def test_round_trip_of_any_text_in_the_box(pretrained):
    assert "Escribe algo" in tokens.round_trip_md(pretrained[1], "")
    assert "Escribe algo" in tokens.round_trip_md(pretrained[1], None)
    text = tokens.round_trip_md(pretrained[1], "a`b")
    assert "``encode('a\\x60b')``" in text  # el acento grave no corta el código en markdown


def test_round_trip_warns_about_unknown_characters(pretrained):
    text = tokens.round_trip_md(pretrained[1], "wiki 😀\u200d")
    assert "no tiene «w», «k», ZWJ (unión de ancho cero), «😀»" in text.replace("«k», «w»", "«w», «k»")


def test_vocabulary_view_shows_every_character_with_its_number(pretrained):
    page = tokens.vocab_html(pretrained[1])
    assert page.count("<small") == min(pretrained[1].vocab_size, tokens.MAX_SHOWN_VOCAB)
    assert "↵" in page and "␣" in page


# ---------------------------------------------------------------- embeddings


def test_projection_is_two_dimensional_and_stable(pretrained):
    model, tokenizer = pretrained
    xy = tokens.projection(model)
    assert xy.shape == (tokenizer.vocab_size, 2)
    tokens.projection.cache_clear()
    assert torch.allclose(tokens.projection(model), xy)
    assert xy[:, 0].var() >= xy[:, 1].var()  # la primera dirección es la que más varía


def test_nearest_neighbours_are_other_characters_by_cosine(pretrained):
    model, tokenizer = pretrained
    neighbours = tokens.nearest(model, tokenizer, "a", k=8)
    assert len(neighbours) == 8 and "a" not in [c for c, _ in neighbours]
    sims = [s for _, s in neighbours]
    assert sims == sorted(sims, reverse=True) and all(-1.0 <= s <= 1.0 + 1e-6 for s in sims)


@pytest.mark.parametrize(("char", "kind"), [("a", "vocal"), ("É", "vocal"), ("ü", "vocal"), ("ñ", "consonante"),
                                            ("7", "dígito"), ("¿", "puntuación"), ("\n", "espacio"),
                                            (" ", "espacio")])
def test_char_kinds(char, kind):
    assert tokens.char_kind(char) == kind


@pytest.mark.parametrize(("text", "note"), [("", "vacía"), ("abc", "solo el primero, «a»"), ("ç", "nunca vio «ç»"),
                                            ("😀", "El modelo nunca vio «😀»: uso ␣ (espacio) en su lugar."),
                                            (None, "vacía"), ("\u202e", "nunca vio RLO (fuerza derecha a izquierda)")])
def test_picking_a_character_never_fails(pretrained, text, note):
    model, tokenizer = pretrained
    char, notes = tokens.pick_char(text, tokenizer)
    assert char in tokenizer.stoi
    assert any(note in n for n in notes)
    assert "vecinos" in tokens.neighbours_html(model, tokenizer, text)


def test_embedding_map_draws_every_character(pretrained):
    model, tokenizer = pretrained
    svg = tokens.embedding_chart(model, tokenizer, "a")
    assert len(re.findall(r"<text[^>]*font-size='20'", svg)) == tokenizer.vocab_size
    assert svg.count("fill='#ffe066'") == 9  # la «a» y sus 8 vecinos


def test_embeddings_work_for_any_model_size(pretrained):
    tokenizer = pretrained[1]
    tiny = GPT(GPTConfig(vocab_size=tokenizer.vocab_size, context_length=8, n_layer=1, n_head=2, n_embd=16))
    assert tokens.projection(tiny).shape == (tokenizer.vocab_size, 2)
    assert "16 números" in tokens.neighbours_html(tiny, tokenizer, "e")


# ---------------------------------------------------------------- el módulo solo, en la terminal


def run_module(*args: str, env_corpus: str | None = None) -> str:
    import os

    env = dict(os.environ)
    if env_corpus is not None:
        env["TALLER_CORPUS"] = env_corpus
    result = subprocess.run([sys.executable, "-m", "demos.tokens", *args], cwd=ROOT, capture_output=True,
                            text=True, timeout=120, env=env)
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_module_runs_alone():
    out = run_module("Hola Don Quijote 😀")
    assert "Ida y vuelta: el mismo texto ✔" in out
    assert "El Quijote" in out and "tokens" in out


def test_module_runs_alone_with_few_merges_and_neighbours():
    out = run_module("--fusiones", "0", "--vecinos", "a", "ñ")
    assert "‹c3› | ‹b1›" in out
    assert "Vecinos de «a»" in out


def test_module_says_when_it_clamps_the_merges(bpe, capsys):
    assert main(["--fusiones", "100000", "Hola"]) == 0
    out = capsys.readouterr().out
    assert f"Ojo: el máximo es {len(bpe.merges)} fusiones; uso {len(bpe.merges)}." in out
    assert f"BPE con {len(bpe.merges)} fusiones" in out


def test_command_line_speaks_spanish(capsys):
    with pytest.raises(SystemExit):
        main(["--fusiones", "muchas"])
    err = capsys.readouterr().err
    assert err.startswith("uso: ") and "error: en --fusiones: 'muchas' no es un número entero" in err


def test_module_runs_alone_with_a_wrong_corpus_path(tmp_path):
    out = run_module("Hola", env_corpus=str(tmp_path / "no_existe.txt"))
    assert "no pude leer el corpus" in out and "Ida y vuelta: el mismo texto ✔" in out


def test_tokens_slides_render_in_the_deck(deck_run):
    from tests.test_bits import deck_outputs

    shown = deck_outputs(deck_run)
    _, defs = deck_run
    assert "Hola Don" in shown["tokens_caracteres"] and "mismo vocabulario" in shown["tokens_caracteres"]
    assert defs["tokens_ida"].value == "Hola Don" and "ida y vuelta" in shown["tokens_caracteres"]
    assert "0 fusiones" in shown["tokens_bpe_vivo"]  # el deslizador parte en cero: cada byte es un token
    assert defs["tokens_fusiones"].value == 0 and len(defs["tokens_bpe"].merges) > 100
    assert "caracteres por token" in shown["tokens_idiomas"]
    assert "vecinos" in shown["tokens_embeddings"] and "<svg" in shown["tokens_embeddings"]
