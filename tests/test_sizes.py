"""La medición de la letra (``demos.browser.Sizes``) sin abrir Chromium: lo que se juzga con lo medido."""

from __future__ import annotations

import re

import pytest

from demos.aula import sizes


def measured(*texts, misaligned=(), clipped=()):
    """Lo que devolvería ``SIZES_JS`` para una diapositiva con estos textos (clase, px, texto)."""
    return sizes.Sizes.from_page({"scale": 0.96, "misaligned": list(misaligned), "clipped": list(clipped),
                                    "texts": [{"kind": k, "size": px, "text": t} for k, px, t in texts]})


@pytest.mark.parametrize(("label", "english"), [
    ("1,000", True), ("10,000,000", True), ("0.5", True), ("0.25", True),
    ("1.000", False), ("0,5", False), ("20 %", False), ("12,5", False), ("0,125", False), ("9,8 mil", False),
])
def test_english_numbers_are_told_apart_from_spanish_ones(label, english):
    assert bool(re.search(sizes.ENGLISH_NUMBER, label)) is english


def test_small_text_is_reported_in_spanish_with_the_culprit():
    sizes = measured(("control", 12.1, "Type your message"), ("prose", 25.0, "Hola"),
                     ("text", 15.4, "sin signo: de 0 a 255"), ("chart", 13.4, "1"), ("chart", 15.4, "0,5"))
    problems = sizes.problems()
    assert "letra chica en un control: 12,1 px (mínimo 18) en «Type your message»" in problems
    assert "letra chica en un texto: 15,4 px (mínimo 18) en «sin signo: de 0 a 255»" in problems
    assert "letra chica en un gráfico: 13,4 px (mínimo 14) en «1»" in problems
    assert len(problems) == 3


def test_english_numbers_misaligned_tables_and_clipped_boxes_are_problems():
    sizes = measured(("chart", 15.4, "1,000"), misaligned=["Enfocado en seguridad"], clipped=["300"])
    assert sizes.english_numbers() == ["1,000"]
    assert sizes.problems() == ["cifra a la inglesa en un gráfico: «1,000»",
                                "control recortado por su caja (no se lee entero): «300»",
                                "tabla de texto no alineada a la izquierda: «Enfocado en seguridad»"]


def test_a_slide_without_text_has_no_problems_and_no_sizes():
    empty = sizes.Sizes.from_page(None)
    assert empty.problems() == [] and empty.smallest("prose") is None


def test_the_median_counts_characters_not_pieces():
    # muchas piezas cortas de 20 px y un párrafo largo de 26: se lee sobre todo el párrafo largo
    slides = [measured(*[("prose", 20.0, "sí")] * 5), measured(("prose", 26.0, "un párrafo largo de verdad"))]
    assert sizes.median_prose(slides) == 26.0
    assert sizes.median_prose([measured()]) is None
    summary = sizes.size_summary(slides)
    assert summary.startswith("Letra en pantalla (px): controles ≥ — · párrafos ≥ 20 (mediana 26)")
