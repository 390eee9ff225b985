"""Fotogramas: la animación muestra exactamente n fotogramas, el error baja con las muestras y la
imagen tiene los píxeles y colores pedidos."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest
import torch

from demos import frames
from tests.conftest import ROOT
from tests.test_bits import png_size


@pytest.mark.parametrize("fps", [1, 4, 24, 60])
def test_animation_has_exactly_fps_times_loop_frames(fps):
    svg = frames.animation_svg(fps)
    n = fps * frames.LOOP_SECONDS
    assert f"steps({n}, end)" in svg
    assert svg.count("fill='#adb5bd'") == n  # un punto gris por fotograma


@pytest.mark.parametrize(("value", "expected"), [(0, 1), (-3, 1), (1000, 60), ("abc", 24), (None, 24),
                                                 (float("nan"), 24), (12.4, 12)])
def test_fps_out_of_range_is_clamped(value, expected):
    assert frames.frame_facts(value)["fps"] == expected
    assert f"steps({expected * frames.LOOP_SECONDS}, end)" in frames.frames_html(value)


@pytest.mark.parametrize(("value", "note"), [
    (0, "Ojo: el mínimo es 1 fotograma por segundo; uso 1."),
    (1000, "Ojo: el máximo es 60 fotogramas por segundo; uso 60."),
    ("abc", "Ojo: «abc» no es un número; uso 24."), (12.4, "Ojo: redondeo 12,4 a 12."),
])
def test_a_clamped_fps_is_said_on_the_slide(value, note):
    assert frames.frame_facts(value)["avisos"] == [note]
    assert note in frames.frames_html(value)


def test_values_in_range_give_no_note():
    assert "Ojo" not in frames.frames_html(24) + frames.sampling_html(10) + frames.image_html(32, 2)


def test_clamped_samples_and_image_are_said_on_the_slide():
    assert "Ojo: el máximo es 100 muestras por segundo; uso 100." in frames.sampling_html(1000)
    assert "Ojo: el mínimo es 2 muestras por segundo; uso 2." in frames.sampling_html(1)
    page = frames.image_html(1, 99)
    assert "Ojo: el mínimo es 2 píxeles por lado; uso 2." in page
    assert "Ojo: el máximo es 8 bits por canal; uso 8." in page


def test_one_bit_is_singular():
    page = frames.image_html(16, 1)
    assert "1 bit por canal" in page and "1 bits" not in page
    assert "8 bits por canal" in frames.image_html(16, 8)


def test_frame_duration():
    assert frames.frame_facts(24)["ms_por_fotograma"] == pytest.approx(41.667, abs=1e-3)
    assert "41,7 ms" in frames.frames_html(24)


def test_filmstrip_shows_the_first_frames():
    svg = frames.filmstrip_svg(60)
    assert svg.count("<rect") == frames.FILMSTRIP
    assert frames.filmstrip_svg(1).count("<rect") == 2  # a 1 fps, una vuelta de 2 s tiene 2 fotogramas


def test_held_samples_repeat_the_measured_value():
    samples = frames.sample(8)
    assert len(samples) == 8
    for t, value in samples:
        assert frames.hold(samples, t) == value
        assert frames.hold(samples, t + 0.1 / 8) == value  # se mantiene hasta la siguiente


def test_error_shrinks_with_more_samples():
    errors = [frames.sampling_error(n) for n in (5, 10, 20, 50, 100, 400)]
    assert errors == sorted(errors, reverse=True)
    assert errors[-1] < 1.0 < errors[0]
    rows = frames.error_rows()
    assert [r["muestras"] for r in rows] == list(range(frames.SAMPLES_RANGE[0], frames.SAMPLES_RANGE[1] + 1))


@pytest.mark.parametrize("n", [2, 7, 100])
def test_wave_chart_draws_one_dot_per_sample(n):
    svg = frames.wave_chart(n)
    assert svg.count("<circle") == n
    assert f"{n} muestras por segundo" in svg
    assert "error:" in frames.sampling_html(n)


def test_wave_chart_clamps_bad_values():
    assert frames.wave_chart("muchas").count("<circle") == 10
    assert frames.wave_chart(10**9).count("<circle") == frames.SAMPLES_RANGE[1]


def test_scene_is_a_formula_at_any_resolution():
    for n in (1, 7, 64):
        image = frames.scene(n)
        assert image.shape == (n, n, 3)
        assert 0.0 <= float(image.min()) and float(image.max()) <= 1.0


@pytest.mark.parametrize("k", [1, 2, 3, 8])
def test_quantize_keeps_two_to_the_k_levels_per_channel(k):
    levels = frames.quantize(frames.scene(64), k).unique()
    assert len(levels) <= 2**k
    assert int(levels.min()) >= 0 and int(levels.max()) <= 255
    if k == 1:
        assert set(levels.tolist()) <= {0, 255}


def test_image_size_and_colors():
    facts = frames.image_facts(32, 2)
    assert (facts["píxeles"], facts["colores"], facts["bits_total"]) == (1024, 64, 32 * 32 * 3 * 2)
    assert png_size(frames.image_html(32, 2)) == (32, 32)
    assert png_size(frames.image_html(10**6, 99)) == (frames.SIDE_RANGE[1], frames.SIDE_RANGE[1])
    assert png_size(frames.image_html(None, "x")) == (32, 32)


def test_photograph_restores_the_number_of_threads():
    before = torch.get_num_threads()
    frames.photograph(16, 4)
    assert torch.get_num_threads() == before


def run_module(*args: str) -> str:
    result = subprocess.run([sys.executable, "-m", "demos.frames", *args], cwd=ROOT, capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_module_runs_alone():
    out = run_module()
    assert "24 fotogramas por segundo" in out and "41,7 ms" in out
    assert re.search(r"Con 10 muestras por segundo, .* \d+,\d %", out)
    assert "64 colores posibles" in out


def test_module_says_when_it_clamps(capsys):
    assert frames.main(["--fps", "0", "--muestras", "1000", "--imagen", "1", "1"]) == 0
    out = capsys.readouterr().out
    assert "Ojo: el mínimo es 1 fotograma por segundo; uso 1." in out
    assert "Ojo: el máximo es 100 muestras por segundo; uso 100." in out
    assert "Ojo: el mínimo es 2 píxeles por lado; uso 2." in out
    assert "2×2 píxeles con 1 bit por canal" in out


def test_command_line_speaks_spanish(capsys):
    with pytest.raises(SystemExit):
        frames.main(["--fps", "abc"])
    err = capsys.readouterr().err
    assert err.startswith("uso: ") and "error: en --fps: 'abc' no es un número" in err
    assert "invalid" not in err and "usage" not in err


def test_module_runs_alone_with_options():
    out = run_module("--fps", "1", "--muestras", "50", "--imagen", "16", "1")
    assert "1 fotograma por segundo" in out and "1000,0 ms" in out
    assert "Con 50 muestras" in out
    assert "8 colores posibles" in out
    assert len(out.strip().splitlines()) > 8  # la imagen en letras


def test_frames_slides_render_in_the_deck(deck_run):
    from tests.test_bits import deck_outputs

    shown = deck_outputs(deck_run)
    assert "steps(8, end)" in shown["fotogramas_animacion"]  # 4 fps de partida: 8 fotogramas por vuelta
    assert "6 muestras por segundo" in shown["fotogramas_sonido"]
    assert "data:image/png;base64," in shown["fotogramas_imagen"] and "64 colores" in shown["fotogramas_imagen"]
