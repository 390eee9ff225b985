"""Bits: bytes y bits exactos de caracteres conocidos, números, colores, la carita, y entradas raras."""

from __future__ import annotations

import base64
import struct
import subprocess
import sys

import pytest

from demos import bits
from tests.conftest import ROOT

KNOWN = {  # carácter → (punto de código, bytes UTF-8)
    "a": (0x61, "61"),
    "ñ": (0xF1, "c3 b1"),
    "á": (0xE1, "c3 a1"),
    "¿": (0xBF, "c2 bf"),
    "€": (0x20AC, "e2 82 ac"),
    "😀": (0x1F600, "f0 9f 98 80"),
    "\x00": (0, "00"),
    bits.ZWJ: (0x200D, "e2 80 8d"),
}


@pytest.mark.parametrize("char", KNOWN)
def test_code_point_and_utf8_bytes_of_known_characters(char):
    info = bits.describe_char(char)
    code_point, hex_text = KNOWN[char]
    assert info.code_point == code_point
    assert bits.hex_bytes(info.utf8) == hex_text


def test_bits_of_known_characters():
    assert bits.bit_string(bits.utf8("ñ")) == "11000011 10110001"
    assert bits.bit_string(bits.utf8("€")) == "11100010 10000010 10101100"
    assert bits.bit_string(bits.utf8("😀")) == "11110000 10011111 10011000 10000000"
    assert bits.bit_string(bits.utf8("A")) == "01000001"


def test_byte_sizes_ascii_one_spanish_two_emoji_four():
    sizes = {row["texto"]: row["cuántos bytes"] for row in bits.size_rows()}
    assert sizes["a"] == sizes["Z"] == sizes["7"] == 1
    assert sizes["ñ"] == sizes["á"] == sizes["¿"] == 2
    assert sizes["€"] == 3
    assert sizes["😀"] == 4
    assert sizes["👩‍💻"] == 11  # dos emojis de 4 bytes pegados con un ZWJ de 3


def test_same_bytes_read_with_different_conventions():
    readings = dict(bits.readings(bits.utf8("ñ")))
    assert readings["texto UTF-8"] == "ñ"
    assert readings["texto Windows-1252 (computadores antiguos)"] == "Ã±"
    assert readings["números de 0 a 255 (un byte cada uno)"] == "195 177"
    assert readings["un solo número entero de 16 bits"] == "50.097"
    page = bits.readings_html(bits.utf8("año"))
    assert "rgb(97,195,177)" in page  # tres bytes también son un color


def test_nfc_and_nfd_of_the_same_letter():
    nfc, nfd = bits.normal_forms("á")
    assert (nfc["caracteres"], nfc["bytes"]) == (1, "c3 a1")
    assert (nfd["caracteres"], nfd["bytes"]) == (2, "61 cc 81")
    assert nfd["puntos de código"] == ["U+0061", "U+0301"]


def test_the_corpus_file_is_stored_in_nfd(quijote):
    note = bits.corpus_nfd_note()
    assert "NFD" in note and "cc 81" in note


def test_nfd_note_without_corpus_is_a_spanish_message(monkeypatch, tmp_path):
    monkeypatch.setenv("TALLER_CORPUS", str(tmp_path / "no_existe.txt"))
    assert "No encontré" in bits.corpus_nfd_note()


@pytest.mark.parametrize(("n", "width", "stored", "overflow"), [
    (255, 8, 255, False), (256, 8, 0, True), (300, 8, 44, True), (300, 16, 300, False),
    (65_536, 16, 0, True), (2**32, 32, 0, True), (2**32 - 1, 32, 2**32 - 1, False), (-1, 8, 255, True),
])
def test_numbers_overflow_when_they_do_not_fit(n, width, stored, overflow):
    row = bits.fit(n, width)
    assert (row["guardado"], row["desborda"]) == (stored, overflow)
    assert len(row["binario"]) == width and int(row["binario"], 2) == stored


@pytest.mark.parametrize(("value", "expected", "note"), [
    (None, 0, "vacía"), ("", 0, "vacía"), ("abc", 0, "no es un número"), (3.7, 3, "decimales"),
    (float("nan"), 0, "finito"), (float("inf"), 0, "finito"), (-5, -5, "negativos"), (42, 42, None),
])
def test_number_box_input_never_fails(value, expected, note):
    n, notes = bits.as_integer(value)
    assert n == expected
    assert (note is None and not notes) or any(note in text for text in notes)
    assert "bits" in bits.number_html(value)


def test_color_is_three_bytes():
    rows = bits.color_rows(232, 89, 12)
    assert [r["hex"] for r in rows] == ["e8", "59", "0c"]
    assert [r["bits"] for r in rows] == ["11101000", "01011001", "00001100"]
    assert "#e8590c" in bits.color_html(232, 89, 12)
    assert [r["valor"] for r in bits.color_rows(300, -5, "x")] == [255, 0, 0]


def png_size(page: str) -> tuple[int, int]:
    data = base64.b64decode(page.split("data:image/png;base64,")[1].split("'")[0])
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


def test_the_image_is_a_16x16_grid_of_palette_numbers():
    numbers = bits.sprite_numbers()
    assert len(numbers) == 16 and all(len(row) == 16 for row in numbers)
    assert {n for row in numbers for n in row} <= {n for n, _, _ in bits.PALETTE.values()}
    page = bits.image_html()
    assert png_size(page) == (16, 16)
    assert page.count("<td") == 256


BAD_INPUTS = {
    "vacío": ("", "Escribe algo"),
    "larguísimo": ("ñ" * 100_000, "muestro solo los primeros 24"),
    "NUL": ("a\x00b", "NUL"),
    "control": ("a\x07\x1bb", "caracteres de control"),
    "derecha a izquierda": ("שלום مرحبا", "derecha a izquierda"),
    "emoji con ZWJ": ("👨‍👩‍👧", "ZWJ"),
    "sustituto suelto": ("a\ud800b", "sustituto"),
    "marcas combinables": ("a\u0301", "marcas combinables"),
}


@pytest.mark.parametrize("case", BAD_INPUTS)
def test_bad_input_gives_a_spanish_note_and_no_exception(case):
    text, note = BAD_INPUTS[case]
    page = bits.utf8_html(text)
    assert note in page
    assert len(page) < 60_000  # lo enorme se corta: la diapositiva no se llena


def test_long_text_counts_everything_but_shows_a_part():
    page = bits.utf8_html("ñ" * 100_000)
    assert "100.000 caracteres → 200.000 bytes → 1.600.000 bits" in page
    assert page.count("min-width:86px") == bits.MAX_BOXES  # una cajita por carácter mostrado


def test_none_is_treated_as_empty():
    assert "Escribe algo" in bits.utf8_html(None)


def run_module(*args: str) -> str:
    result = subprocess.run([sys.executable, "-m", "demos.bits", *args], cwd=ROOT, capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_module_runs_alone_with_a_character():
    out = run_module("ñ")
    assert "c3 b1" in out and "11000011 10110001" in out
    assert "1 carácter → 2 bytes → 16 bits" in out


def test_module_runs_alone_with_numbers_colors_and_the_image():
    out = run_module("--numero", "300", "--color", "232", "89", "12", "--imagen")
    assert "¡no cabe! queda 44" in out
    assert "#e8590c" in out
    assert "0 0 0 0 0 1 1 1 1 1 1 0 0 0 0 0" in out


def test_module_runs_alone_with_strange_text():
    out = run_module("👨‍👩‍👧 שלום")
    assert "ZWJ" in out and "derecha a izquierda" in out


# ---------------------------------------------------------------- las diapositivas, en el notebook


def deck_outputs(deck_run) -> dict[str, str]:
    """La salida de cada celda del notebook (ya ejecutado sin navegador), por nombre de celda."""
    sys.path.insert(0, str(ROOT / "deck"))
    import build_layout

    names = [n for n in build_layout.cell_names(build_layout.NOTEBOOK.read_text(encoding="utf-8")) if n != "setup"]
    outputs, _ = deck_run
    assert len(names) == len(outputs)
    return {name: getattr(out, "text", "") if out is not None else None for name, out in zip(names, outputs,
                                                                                                strict=True)}


def test_bits_slides_render_in_the_deck(deck_run):
    shown = deck_outputs(deck_run)
    assert "c3 91" in shown["bits_utf8"]  # la «Ñ» de «Ñandú»
    assert "11" in shown["bits_cuantos_bytes"]  # 👩‍💻: 11 bytes
    assert "Ã±" in shown["bits_convencion"]
    assert "61 cc 81" in shown["bits_nfc_nfd"] and "NFD" in shown["bits_nfc_nfd"]
    assert "¡no cabe! queda 44" in shown["bits_numero_binario"]
    assert "#e8590c" in shown["bits_color_bytes"]
    assert "data:image/png;base64," in shown["bits_imagen"]
    assert shown["bits_modulo"] is None and shown["bits_controles"] is None  # solo definen, no muestran
