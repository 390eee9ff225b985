"""Temperatura, top-k y top-p: las cuentas, los gráficos, las muestras y la terminal."""

from __future__ import annotations

import json
import math
import subprocess
import sys

import pytest
import torch

from demos import decoding, sampling, temperature
from tests.conftest import ROOT


@pytest.fixture(scope="module", autouse=True)
def one_torch_thread():
    """Las cuentas de estas pruebas son chicas: en una máquina compartida, un hilo va más rápido."""
    with decoding.one_thread():
        yield


WEIRD_TEMPERATURES = [0, 0.0, 1e-6, 0.1, 0.5, 1, 2, 1e6, float("inf"), -3, float("nan"), "no es número", None]


@pytest.fixture(scope="module")
def logits(pretrained):
    gpt, tok = pretrained
    return decoding.next_token_logits(gpt, tok, "En un lugar de la Mancha")


@pytest.mark.parametrize("t", WEIRD_TEMPERATURES)
@pytest.mark.parametrize("k", [None, 0, 1, 5, 10_000])
@pytest.mark.parametrize("p", [None, 0.0, 0.3, 1.0])
def test_any_setting_gives_a_distribution(logits, t, k, p):
    probs = sampling.probabilities(logits, t, k, p)
    assert torch.isfinite(probs).all() and (probs >= 0).all()
    assert probs.sum().item() == pytest.approx(1.0, abs=1e-5)


def test_temperature_towards_zero_is_the_argmax(logits):
    best = int(logits.argmax())
    assert sampling.probabilities(logits, 0.0).tolist() == torch.nn.functional.one_hot(
        torch.tensor(best), logits.numel()).float().tolist()
    nearly = sampling.probabilities(logits, 1e-4)
    assert int(nearly.argmax()) == best and nearly[best] > 0.999


def test_large_temperature_is_near_uniform(logits):
    probs = sampling.probabilities(logits, 1e4)
    assert torch.allclose(probs, torch.full_like(probs, 1 / logits.numel()), atol=1e-4)
    assert temperature.entropy_bits(probs) == pytest.approx(math.log2(logits.numel()), abs=1e-3)


def test_entropy_grows_with_temperature(logits):
    values = [temperature.entropy_bits(sampling.probabilities(logits, t)) for t in (0, 0.25, 0.5, 1, 1.5, 2)]
    assert values[0] == 0.0
    assert all(a < b for a, b in zip(values, values[1:], strict=False))
    assert values[-1] <= math.log2(logits.numel())
    assert temperature.equivalent_choices(sampling.probabilities(logits, 0)) == 1.0


def test_cuts_at_the_edges(logits):
    size = logits.numel()
    assert temperature.shape(logits, 1.0, top_k=size + 50).kept == size  # k más grande que el vocabulario
    assert temperature.shape(logits, 1.0, top_p=1.0).kept == size
    greedy = temperature.shape(logits, 1.0, top_p=0.0)
    assert greedy.kept == 1 and int(greedy.after_cut.argmax()) == int(logits.argmax())
    assert temperature.shape(logits, 1.0, top_k=3).kept == 3
    assert temperature.shape(logits, 0.0, top_k=3).kept == 1


def test_top_p_keeps_the_smallest_head_that_reaches_p(logits):
    shaped = temperature.shape(logits, 1.0, top_p=0.6)
    before = shaped.before_cut[shaped.order]
    kept = shaped.kept
    assert before[: kept - 1].sum() < 0.6 <= before[:kept].sum() + 1e-6


def test_chart_rows_grey_out_exactly_what_was_cut(logits, pretrained):
    _, tok = pretrained
    shaped = temperature.shape(logits, 1.0, top_k=4)
    rows = temperature.chart_rows(shaped, tok, show=10)
    assert [r["tipo"] for r in rows[:10]] == ["candidato"] * 4 + ["cortado"] * 6
    assert rows[-1]["token"] == f"otros {logits.numel() - 10}" and rows[-1]["tipo"] == "cortado"
    assert all(r["etiqueta"] == "cortado" for r in rows[4:10])
    assert rows[0]["probabilidad"] == pytest.approx(float(shaped.before_cut[shaped.order[0]]))


def test_chart_rows_show_the_reshaped_probabilities(logits, pretrained):
    _, tok = pretrained
    cold = temperature.chart_rows(temperature.shape(logits, 0.0), tok)
    hot = temperature.chart_rows(temperature.shape(logits, 2.0), tok)
    assert cold[0]["probabilidad"] == 1.0 and cold[0]["etiqueta"] == "100 %"
    assert hot[0]["probabilidad"] < cold[0]["probabilidad"]
    assert hot[-1]["probabilidad"] > cold[-1]["probabilidad"]  # la cola («otros») crece


def test_chart_is_valid_vega_lite_with_one_row_per_bar(logits, pretrained):
    _, tok = pretrained
    chart = temperature.chart(logits, tok, 0.7, 5, 0.9)
    spec = chart.to_dict(validate=True)  # lo que marimo recibe sin validar, validado aquí
    bundle = chart._repr_mimebundle_()
    assert list(bundle) == ["application/vnd.vegalite.v6+json"]
    assert bundle["application/vnd.vegalite.v6+json"]["layer"] == spec["layer"]
    rows = json.loads(spec["datasets"][spec["data"]["name"]])  # los datos viajan como un solo texto JSON
    assert len(rows) == temperature.SHOW_TOP + 1


def test_summary_speaks_spanish_numbers(logits):
    text = temperature.summary(logits, 1.0, 5, None)
    assert "bits" in text and "quedan **5** de" in text
    assert "," in text.split("bits")[0]  # coma decimal


def test_samples_are_reproducible_with_a_seed(pretrained):
    gpt, tok = pretrained
    first = temperature.samples(gpt, tok, "En un lugar", n_chars=60, seed=3)
    assert first == temperature.samples(gpt, tok, "En un lugar", n_chars=60, seed=3)
    assert list(first) == list(temperature.TEMPERATURES) and all(len(s) == 60 for s in first.values())
    other = temperature.samples(gpt, tok, "En un lugar", temperatures=(1.5,), n_chars=60, seed=4)
    assert other[1.5] != first[1.5]  # otros dados, otro texto
    greedy = [temperature.samples(gpt, tok, "En un lugar", temperatures=(0,), n_chars=40, seed=s)[0] for s in (1, 2)]
    assert greedy[0] == greedy[1]  # sin azar, la semilla no importa


def test_samples_html_escapes_the_text():
    page = temperature.samples_html("<b>hola</b>", {0.2: "a < b & c", 1.5: "x"})
    assert "&lt;b&gt;" in page and "a &lt; b &amp; c" in page and "T = 0,2" in page and "T = 1,5" in page
    assert "<span style='color:#adb5bd'>&lt;b&gt;hola" in page  # la frase cabe entera: sin «…»


def test_samples_html_cuts_long_prompts_between_words():
    page = temperature.samples_html("En un lugar de la Mancha, de cuyo nombre", {0.8: "x"}, context_chars=20)
    assert "…de cuyo nombre</span>" in page and "…a, de" not in page


def test_sample_columns_start_at_a_whole_word():
    table = temperature.sample_columns("En un lugar de la Mancha", {0.2: " y dijo", 1.5: " Sancho"})
    lines = table.splitlines()
    assert lines[0].split() == ["T", "=", "0,2", "T", "=", "1,5"]
    assert lines[1].startswith("…lugar de la Mancha y dijo") and "…lugar de la Mancha Sancho" in lines[1]


@pytest.mark.parametrize("text", ["", None, "\x00\x01", "x" * 100_000, "مرحبا بالعالم", "👩‍💻👨‍👩‍👧", "\u202eal revés"])
def test_bad_prompts_have_defined_behaviour(pretrained, text):
    gpt, tok = pretrained
    prompt = temperature.prepare_prompt(tok, text)
    logits = decoding.next_token_logits(gpt, tok, prompt.text)
    temperature.chart(logits, tok, 1.0).to_dict()
    if text in ("", None) or (text and any(ch not in tok.stoi for ch in text)) or len(text or "") > 2000:
        assert prompt.notes, "la sala debe ver un aviso"
    assert len(prompt.text) <= 2000


def test_describe_covers_the_slider():
    assert len({temperature.describe(t) for t in (0, 0.3, 1.0, 1.9)}) == 4


def test_module_runs_alone():
    result = subprocess.run([sys.executable, "-m", "demos.temperature", "En un lugar de la Mancha"], cwd=ROOT,
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    assert "entropía" in result.stdout and "T = 0,2" in result.stdout and "T = 1,5" in result.stdout
    assert "Traceback" not in result.stderr
    samples = result.stdout.split("Muestras con la misma semilla")[1].splitlines()[3]  # la 1.ª línea de texto
    assert samples.startswith("…lugar de la Mancha")  # no «n lugar»: la palabra cortada se salta


def test_module_speaks_spanish_on_the_command_line():
    help_text = subprocess.run([sys.executable, "-m", "demos.temperature", "--help"], cwd=ROOT,
                               capture_output=True, text=True, timeout=120)
    assert help_text.returncode == 0 and "uso:" in help_text.stdout and "--semilla" in help_text.stdout
    bad = subprocess.run([sys.executable, "-m", "demos.temperature", "--semilla", "dos"], cwd=ROOT,
                         capture_output=True, text=True, timeout=120)
    assert bad.returncode == 2 and "no es un número entero" in bad.stderr and "Traceback" not in bad.stderr
