"""La hoja ``demos.formatting``: números como se escriben en Chile y lo invisible a la vista."""

from __future__ import annotations

import unicodedata

import pytest

from demos.formatting import INVISIBLE, ZWJ, clean, count, decimal, percent, thousands, visible, visible_char

# lo que no se ve en pantalla: ningún dibujo de ``visible`` puede traer uno de estos
HIDDEN_CATEGORIES = {"Cc", "Cf", "Cs", "Zl", "Zp", "Zs"}


@pytest.mark.parametrize(("n", "text"), [(0, "0"), (999, "999"), (1000, "1.000"), (100_000, "100.000"),
                                         (-1234, "-1.234"), (2_000_000, "2.000.000")])
def test_thousands_use_dots(n, text):
    assert thousands(n) == text


def test_decimals_use_a_comma():
    assert decimal(41.666) == "41,7" and decimal(0.5, 2) == "0,50" and decimal(3, 0) == "3"


def test_count_agrees_with_the_number():
    assert count(1, "carácter", "caracteres") == "1 carácter"
    assert count(0, "carácter", "caracteres") == "0 caracteres"
    assert count(1000, "byte", "bytes") == "1.000 bytes"


@pytest.mark.parametrize(("p", "text"), [(0.354, "35 %"), (0.0333, "3,3 %"), (0.004, "0,4 %"), (0.0004, "0,04 %"),
                                         (1.0, "100 %"), (0.0, "0 %"), (0.0996, "10 %"), (0.05, "5,0 %")])
def test_percent_is_written_in_spanish(p, text):
    assert percent(p) == text


@pytest.mark.parametrize(("text", "shown"), [
    (" ", "␣"), ("\n", "↵"), ("\r", "⏎"), ("\t", "⇥"), ("a b\n", "a␣b↵"), ("\r\n", "⏎↵"),
    ("\x00", "␀"), ("\x07", "␇"), ("\x1b", "␛"), ("\x7f", "␡"), ("\x85", "⟨U+0085⟩"),  # controles
    (ZWJ, "ZWJ"), ("\u202e", "RLO"), ("\ufeff", "BOM"), ("\ufe0f", "VS16"),  # con nombre propio
    ("\u2063", "⟨U+2063⟩"), ("\xa0", "⟨U+00A0⟩"), ("\u2028", "⟨U+2028⟩"),  # otros invisibles: su código
    ("\u0301", "◌\u0301"), ("\ud83d", "�"),  # tilde suelta; medio emoji suelto
    ("", "∅"), ("ñ", "ñ"), ("שלום", "שלום"), ("👩‍💻", "👩ZWJ💻"),
])
def test_visible_draws_what_cannot_be_seen(text, shown):
    assert visible(text) == shown


def test_visible_char_names_the_rare_ones_in_spanish():
    assert visible_char(" ") == ("␣", "espacio")
    assert visible_char("\x00") == ("␀", "carácter de control (invisible)")
    assert visible_char("\u2063") == ("⟨U+2063⟩", "carácter invisible")
    assert visible_char("ש")[1] == "se escribe de derecha a izquierda"
    assert visible_char("a") == ("a", "")


def _sample() -> list[str]:
    """Todo desde U+0000 hasta U+3000, de a saltos el resto de Unicode, y cada invisible con nombre."""
    return [chr(cp) for cp in range(0x3001)] + [chr(cp) for cp in range(0x3001, 0x110000, 97)] + list(INVISIBLE)


def test_every_drawing_can_be_seen():
    hidden = {(f"U+{ord(ch):04X}", drawn) for ch in _sample() for drawn in [visible(ch)]
              if not drawn or any(unicodedata.category(c) in HIDDEN_CATEGORIES for c in drawn)}
    assert not hidden, sorted(hidden)[:10]


def test_every_invisible_has_a_spanish_name():
    for ch, (symbol, name) in INVISIBLE.items():
        assert visible_char(ch) == (symbol, name) and symbol and name, repr(ch)


def test_clean_never_fails():
    assert clean(None) == ("", [])
    assert clean(123) == ("123", [])
    assert clean("hola") == ("hola", [])
    text, notes = clean("a\ud800b")
    assert text == "a\ufffdb" and "sustituto" in notes[0]
