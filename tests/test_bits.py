"""Bits: bytes y bits exactos de caracteres conocidos, números, colores, la carita, y entradas raras."""

from __future__ import annotations

import base64
import re
import struct
import subprocess
import sys
from fractions import Fraction

import pytest

from demos import bits
from demos.bits.__main__ import main
from demos.formatting import ZWJ, visible
from tests.conftest import ROOT

KNOWN = {  # carácter → (punto de código, bytes UTF-8)
    "a": (0x61, "61"),
    "ñ": (0xF1, "c3 b1"),
    "á": (0xE1, "c3 a1"),
    "¿": (0xBF, "c2 bf"),
    "€": (0x20AC, "e2 82 ac"),
    "😀": (0x1F600, "f0 9f 98 80"),
    "\x00": (0, "00"),
    ZWJ: (0x200D, "e2 80 8d"),
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
    zwj_row = next(row for row in bits.size_rows() if row["texto"] == "👩‍💻")
    assert zwj_row["bytes"] == "f0 9f 91 a9 e2 80 8d f0 9f 92 bb"
    assert zwj_row["puntos de código"] == "U+1F469 U+200D U+1F4BB"


@pytest.mark.parametrize(("text", "expected"), [
    ("año", "61 c3 b1 6f"), ("ññññññ", "c3 b1 c3 b1 c3 b1 c3 b1"), ("ab😀😀", "61 62 f0 9f 98 80"),
    ("", "61 c3 b1 6f"), (None, "61 c3 b1 6f"),
])
def test_the_convention_slide_reads_whole_characters_from_the_box(text, expected):
    assert bits.hex_bytes(bits.first_bytes(text)) == expected  # nunca medio carácter; vacío: «año»


def test_reading_utf8_with_the_wrong_convention():
    assert "«aÃ±o» en vez de «año»" in bits.mojibake_html(bits.utf8("año"))
    assert "coinciden" in bits.mojibake_html(bits.utf8("hola"))
    assert "RLO" in bits.readings_html(bits.utf8("\u202eab"))  # el que da vuelta el texto, a la vista


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
    assert "No pude leer" in bits.corpus_nfd_note()


@pytest.mark.parametrize(("n", "width", "stored", "overflow"), [
    (255, 8, 255, False), (256, 8, 0, True), (300, 8, 44, True), (300, 16, 300, False),
    (65_536, 16, 0, True), (2**32, 32, 0, True), (2**32 - 1, 32, 2**32 - 1, False),
])
def test_numbers_overflow_when_they_do_not_fit(n, width, stored, overflow):
    row = bits.fit(n, width)
    assert (row["guardado"], row["desborda"]) == (stored, overflow)
    assert len(row["binario"]) == width and int(row["binario"], 2) == stored
    assert (row["con signo"], row["mínimo"], row["máximo"]) == (False, 0, 2**width - 1)


@pytest.mark.parametrize(("n", "width", "binary", "stored", "overflow"), [
    (-5, 8, "11111011", -5, False), (-1, 8, "11111111", -1, False), (-128, 8, "10000000", -128, False),
    (-129, 8, "01111111", 127, True), (-200, 8, "00111000", 56, True), (-200, 16, "1111111100111000", -200, False),
    (-(2**31), 32, "1" + "0" * 31, -(2**31), False),
])
def test_negative_numbers_go_in_signed_boxes(n, width, binary, stored, overflow):
    row = bits.fit(n, width)
    assert (row["binario"], row["guardado"], row["desborda"]) == (binary, stored, overflow)
    assert (row["con signo"], row["mínimo"], row["máximo"]) == (True, -(2 ** (width - 1)), 2 ** (width - 1) - 1)


def visible_text(page: str) -> str:
    """Lo que se lee en la diapositiva: el HTML sin etiquetas."""
    return re.sub(r"<[^>]+>", "", page).replace("&nbsp;", " ")


def test_minus_five_is_shown_in_twos_complement_and_fits_everywhere():
    page = visible_text(bits.number_html(-5))
    assert "11111011" in page and "-101" not in page
    assert "con signo: de -128 a 127" in page and "con signo: de -32.768 a 32.767" in page
    assert "¡no cabe!" not in page and page.count("cabe") == 3
    assert "-128 + 123 = -5" in page  # la nota explica esos mismos bits


def test_a_negative_that_does_not_fit_in_eight_bits():
    page = visible_text(bits.number_html(-200))
    assert "¡no cabe! queda 56" in page and page.count("¡no cabe!") == 1
    assert "-32.768 + 32.568 = -200" in page


@pytest.mark.parametrize(("value", "expected"), [
    ("18446744073709551615", 2**64 - 1), (2**64 - 1, 2**64 - 1), (10**400, 10**400), ("-" + "9" * 30, -(10**30 - 1)),
    (" 42 ", 42), ("1e3", 1000), (Fraction(7, 2), 3),
])
def test_large_numbers_are_read_exactly(value, expected):
    assert bits.as_integer(value)[0] == expected


@pytest.mark.parametrize(("value", "note"), [
    ("9" * 5000, "más de 1.000 cifras"), (10**1000, "más de 1.000 cifras"), ("1e400", "demasiado grande"),
    (Fraction(10**400, 3), "demasiado grande"), ("x" * 100_000, "no es un número"),
])
def test_too_large_numbers_give_a_spanish_note(value, note):
    n, notes = bits.as_integer(value)
    assert n == 0 and any(note in text for text in notes)
    assert note in bits.number_html(value)


@pytest.mark.parametrize(("value", "expected", "note"), [
    (None, 0, "vacía"), ("", 0, "vacía"), ("abc", 0, "no es un número"), (3.7, 3, "decimales"),
    (float("nan"), 0, "finito"), (float("inf"), 0, "finito"), (-5, -5, "complemento a dos"), (42, 42, None),
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


def test_clamped_color_channels_say_so():
    page = bits.color_html(300, -5, "x")
    assert "Ojo: en R (rojo), el máximo es 255; uso 255." in page
    assert "Ojo: en G (verde), el mínimo es 0; uso 0." in page
    assert "Ojo: en B (azul), «x» no es un número; uso 0." in page
    assert "Ojo" not in bits.color_html(232, 89, 12)


@pytest.mark.parametrize(("text", "rgb"), [("#e8590c", (232, 89, 12)), ("E8590C", (232, 89, 12)),
                                           (" #f80 ", (255, 136, 0)), ("#000000", (0, 0, 0))])
def test_hex_color_codes_become_three_bytes(text, rgb):
    assert bits.parse_hex(text) == (rgb, None)
    assert bits.hex_code(*rgb) == "#" + "".join(f"{v:02x}" for v in rgb)


@pytest.mark.parametrize("text", ["", "#12345", "#gggggg", "rojo", "#e8590c00", "１２３４５６", None, "\ud800" * 3])
def test_a_bad_hex_code_keeps_the_color_and_says_why(text):
    rgb, note = bits.parse_hex(text)
    assert rgb is None and "no es un color" in note
    page = bits.hex_box_html(text, 1, 2, 3)
    assert "#010203" in page and "Sigo con #010203" in page


def test_each_slider_changes_only_its_channel():
    assert bits.with_channel((232, 89, 12), 1, 200) == (232, 200, 12)
    assert bits.with_channel((232, 89, 12), 2, 999) == (232, 89, 255)
    assert all(len(bits.parse_hex(bits.hex_code(*rgb))[0]) == 3 for rgb in bits.SWATCHES.values())


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
    "larguísimo": ("ñ" * 100_000, f"muestro solo los primeros {bits.MAX_BOXES}"),
    "NUL": ("a\x00b", "NUL"),
    "control": ("a\x07\x1bb", "caracteres de control"),
    "derecha a izquierda": ("שלום مرحبا", "derecha a izquierda"),
    "emoji con ZWJ": ("👨‍👩‍👧", "ZWJ"),
    "sustituto suelto": ("a\ud800b", "sustituto"),
    "marcas combinables": ("a\u0301", "marcas combinables"),
    "da vuelta el texto": ("abc \u202eolleh\u202c", "cambian la dirección del texto (PDF, RLO)"),
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
    assert "muestro solo los primeros 4.000." in bits.utf8_html("ñ" * 5000, limit=4000)


def test_the_right_to_left_override_is_drawn_as_a_label():
    page = bits.utf8_html("a\u202eb")
    assert ">RLO<" in page and "\u202e" not in page  # no da vuelta el resto de la diapositiva


@pytest.mark.parametrize(("char", "label"), [("\x00", "␀"), ("\x07", "␇"), ("\r", "⏎"), ("\x7f", "␡"),
                                            ("\u2063", "⟨U+2063⟩"), ("\u200d", "ZWJ"), ("\u0301", "◌\u0301")])
def test_invisible_characters_are_drawn_like_everywhere_else(char, label):
    """Las cajitas dibujan lo invisible con ``demos.formatting.visible_char``, como el resto del taller."""
    assert bits.describe_char(char).label == label == visible(char)
    assert f">{label}</div>" in bits.utf8_html("a" + char)


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


def test_module_prints_big_and_negative_numbers():
    out = run_module("--numero", "18446744073709551615")
    assert "18.446.744.073.709.551.615 en binario: " + "1" * 64 in out
    out = run_module("--numero", "-5")
    assert "8 bits (con signo: de -128 a 127): 11111011  → cabe" in out
    assert "-101" not in out and "¡no cabe!" not in out


def test_module_clamps_colors_with_a_note_and_reads_hex_codes():
    out = run_module("--color", "300", "89", "12", "--hex", "1c7ed6")
    assert "#ff590c" in out and "Ojo: en R (rojo), el máximo es 255; uso 255." in out
    assert "#1c7ed6" in out and "00011100" in out
    assert "no es un color" in run_module("--hex", "zz")


def test_command_line_speaks_spanish(capsys):
    with pytest.raises(SystemExit):
        main(["--numero"])
    err = capsys.readouterr().err
    assert err.startswith("uso: ") and "error: en --numero: falta un valor" in err
    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    assert "opciones:" in out and "options:" not in out and "usage" not in out


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
    # 👩‍💻: dos emojis de 4 bytes pegados con un ZWJ (e2 80 8d): 11 bytes
    assert "f0 9f 91 a9 e2 80 8d f0 9f 92 bb</code></td><td style='padding:4px 14px'><b>11</b>" \
        in shown["bits_cuantos_bytes"]
    # la misma caja de texto: «¡Hola, » leído como Windows-1252 es «Â¡Hola, »
    assert "c2 a1 48 6f 6c 61 2c 20" in shown["bits_convencion"] and "Â¡Hola," in shown["bits_convencion"]
    assert "61 cc 81" in shown["bits_nfc_nfd"] and "NFD" in shown["bits_nfc_nfd"]
    assert "¡no cabe! queda 44" in shown["bits_numero_binario"]
    assert "#e8590c" in shown["bits_color_bytes"] and "naranja" in shown["bits_color_bytes"]
    assert "no es un color" not in shown["bits_color_bytes"]
    assert "data:image/png;base64," in shown["bits_imagen"]
    assert shown["bits_modulo"] is None and shown["bits_controles"] is None  # solo definen, no muestran
