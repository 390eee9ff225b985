"""Predicción del siguiente token: candidatos, pasos, memoria, atención, paralelismo y la terminal."""

from __future__ import annotations

import dataclasses
import html
import json
import os
import re
import socket
import subprocess
import sys
import threading
import time

import altair as alt
import marimo
import ollama
import pytest
import torch
from starlette.applications import Starlette
from starlette.responses import JSONResponse, PlainTextResponse
from starlette.routing import Route

from demos import decoding, formatting, prediction
from demos.prediction import ollama as real_llm
from tests.conftest import ROOT
from tests.fakes import BackgroundServer
from tests.fakes.ollama_server import FakeOllama


@pytest.fixture(scope="module", autouse=True)
def one_torch_thread():
    """Las cuentas de estas pruebas son chicas: en una máquina compartida, un hilo va más rápido."""
    with decoding.one_thread():
        yield


@pytest.fixture(autouse=True)
def fresh_ollama_status():
    """Cada prueba parte sin recordar servidores: un puerto cerrado puede volver a usarse después."""
    real_llm._ollama_seen.clear()
    yield
    real_llm._ollama_seen.clear()


def test_tokens_are_drawn_with_the_one_visible_of_the_workshop():
    """Lo invisible de un token se dibuja igual que en todo el taller (``demos.formatting.visible``)."""
    assert prediction.visible is formatting.visible
    assert prediction.visible("a b\n") == "a␣b↵" and prediction.visible("\r\t") == "⏎⇥"
    assert prediction.visible("\x00") == "␀" and prediction.visible("\x07") == "␇"
    assert prediction.visible("\u200d") == "ZWJ" and prediction.visible("\u202e") == "RLO"
    assert prediction.visible("") == "∅" and prediction.visible("ñ") == "ñ"
    assert prediction.visible("\ud83d") == "�"  # medio emoji suelto: se ve, no se rompe
    rows = prediction.candidate_rows([prediction.Candidate(0, "\u202e", 0.5), prediction.Candidate(1, " ", 0.2)])
    assert [row["token"] for row in rows] == ["RLO", "␣"]  # el RLO no da vuelta el gráfico


@pytest.mark.parametrize(("text", "n", "shown"), [
    ("En un lugar de la Mancha", 20, "…lugar de la Mancha"),  # «n lugar» no: se salta la palabra cortada
    ("En un lugar de la Mancha", 19, "…lugar de la Mancha"),  # el corte cae justo después de un espacio
    ("En un lugar", 30, "En un lugar"),  # cabe entero: sin «…»
    ("x" * 50, 10, "…" + "x" * 10),  # una sola palabra enorme: se corta donde caiga
    ("hola mundo ", 6, "…mundo "),
    ("", 5, ""),
])
def test_tail_cuts_between_words(text, n, shown):
    assert prediction.tail(text, n) == shown


def test_distribution_rows_cover_everything(pretrained):
    gpt, tok = pretrained
    probs = decoding.next_token_distribution(gpt, tok, "En un lugar")
    rows = prediction.distribution_rows(probs, tok, k=5)
    assert len(rows) == 6 and rows[-1]["token"] == f"otros {tok.vocab_size - 5}"
    assert sum(r["probabilidad"] for r in rows) == pytest.approx(1.0, abs=1e-5)
    assert [r["probabilidad"] for r in rows[:5]] == sorted((r["probabilidad"] for r in rows[:5]), reverse=True)
    assert rows[0]["token"] == prediction.visible(tok.decode([int(probs.argmax())]))


@pytest.mark.parametrize("tokens", [["a", "b"], ['"', "\\", "__etiquetas__", "</script>", "a"], []])
def test_prebuilt_chart_is_valid_vega_lite_with_its_own_labels(tokens):
    rows = [{"token": t, "probabilidad": 0.1, "tipo": "candidato", "etiqueta": "10 %"} for t in tokens]
    chart = prediction.probability_chart(rows, "título", x_max=1.0)
    assert isinstance(chart, alt.TopLevelMixin)  # marimo lo trata como un gráfico de altair
    spec = chart.to_dict(validate=True)
    assert spec == chart._repr_mimebundle_()["application/vnd.vegalite.v6+json"] and spec["title"] == "título"
    for layer in spec["layer"]:
        label_expr = layer["encoding"]["y"]["axis"]["labelExpr"]
        assert json.loads(label_expr.removesuffix("[datum.value]")) == tokens  # repetidos y comillas, intactos
    assert json.loads(spec["datasets"][spec["data"]["name"]]) == [{**r, "orden": i} for i, r in enumerate(rows)]
    other = prediction.probability_chart(rows[:1], "otro").to_dict()  # la plantilla no guarda nada del anterior
    assert other["title"] == "otro" and other["layer"][0]["encoding"]["y"]["axis"]["labelExpr"] == (
        json.dumps(tokens[:1]) + "[datum.value]")


def test_chosen_token_is_marked_even_outside_the_top(pretrained):
    gpt, tok = pretrained
    probs = decoding.next_token_distribution(gpt, tok, "En un lugar")
    top = prediction.top_candidates(probs, tok, 3)
    last = int(probs.argmin())
    chosen = prediction.Candidate(last, tok.decode([last]), float(probs[last]))
    rows = prediction.candidate_rows(top, chosen, 1 - sum(c.probability for c in top), tok.vocab_size - 3)
    assert [r["tipo"] for r in rows] == ["candidato"] * 3 + ["elegido", "otros"]
    assert rows[-1]["token"] == f"otros {tok.vocab_size - 4}"
    assert sum(r["probabilidad"] for r in rows) == pytest.approx(1.0, abs=1e-5)
    assert "← elegido" in rows[3]["etiqueta"]


def test_growth_is_deterministic_with_a_seed(pretrained):
    gpt, tok = pretrained
    a = prediction.Growth(gpt, tok, "En un lugar", seed=7)
    b = prediction.Growth(gpt, tok, "En un lugar", seed=7)
    assert [s.chosen.token_id for s in a.upto(25)] == [s.chosen.token_id for s in b.upto(25)]
    assert a.text == b.text and a.text.startswith("En un lugar") and len(a.text) == len("En un lugar") + 25
    c = prediction.Growth(gpt, tok, "En un lugar", seed=8)
    assert c.upto(25) and c.text != a.text


def test_each_step_knows_whether_it_was_the_favourite(pretrained):
    gpt, tok = pretrained
    grow = prediction.Growth(gpt, tok, "En un lugar", seed=0)
    steps = grow.upto(40)
    assert any(s.surprising for s in steps), "con temperatura 1 alguna vez sale otro que el favorito"
    for step in steps:
        probs = decoding.next_token_distribution(gpt, tok, step.context)  # recalculado sin caché
        assert torch.allclose(torch.tensor([c.probability for c in step.candidates]),
                              probs.topk(len(step.candidates)).values, atol=1e-4)
        if step.rank <= len(step.candidates):
            assert step.candidates[step.rank - 1].token_id == step.chosen.token_id
        else:
            assert step.chosen.token_id not in {c.token_id for c in step.candidates}
        assert step.surprising == (step.chosen.token_id != step.candidates[0].token_id)
        assert ("No era el más probable" in prediction.step_caption(step)) == step.surprising


def test_growth_cache_steps_once_per_click(pretrained):
    gpt, tok = pretrained
    grow = prediction.growth(gpt, tok, "Don Quijote")
    assert prediction.growth(gpt, tok, "Don Quijote") is grow
    assert prediction.growth(gpt, tok, "Don Quijote", seed=1) is not grow
    grow.upto(3)
    before = list(grow.steps)
    grow.upto(4)
    assert grow.steps[:3] == before and len(grow.steps) == 4
    assert grow.upto(2) == before[:2] and grow.upto(0) == []


def test_growth_is_safe_when_two_sessions_click_at_once(pretrained):
    gpt, tok = pretrained
    shared = prediction.Growth(gpt, tok, "En un lugar", seed=5)
    alone = prediction.Growth(gpt, tok, "En un lugar", seed=5)
    threads = [threading.Thread(target=shared.upto, args=(n,)) for n in (30, 45, 60, 60)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    alone.upto(60)
    assert len(shared.steps) == 60 and shared.text == alone.text


def test_growth_views_render(pretrained):
    gpt, tok = pretrained
    grow = prediction.Growth(gpt, tok, "<i>hola</i>", seed=0)
    grow.upto(5)
    page = prediction.growth_html(grow.prompt.text, grow.steps)
    assert "&lt;i&gt;hola&lt;/i&gt;" in page and page.count("<span title='paso") == 5
    assert prediction.step_view(grow.prompt.text, []).text
    assert "Paso 5" in prediction.step_view(grow.prompt.text, grow.steps).text
    prediction.step_chart(grow.steps[-1]).to_dict(validate=True)


def test_step_chart_title_marks_only_real_cuts(pretrained):
    gpt, tok = pretrained
    short = prediction.Growth(gpt, tok, "Sancho", seed=0).upto(1)[0]
    title = prediction.step_chart(short).to_dict()["title"]
    assert title == "Paso 1: ¿qué viene después de «Sancho»?"
    long = prediction.Growth(gpt, tok, "En un lugar de la Mancha", seed=0).upto(1)[0]
    assert "«…lugar␣de␣la␣Mancha»" in prediction.step_chart(long).to_dict()["title"]


def test_autoplay_shows_every_step_as_it_is_computed(pretrained):
    gpt, tok = pretrained
    views = []
    final = prediction.autoplay(gpt, tok, "En un lugar", n_steps=5, delay=0.0, seed=4, show=views.append)
    same = prediction.Growth(gpt, tok, "En un lugar", seed=4)
    same.upto(5)
    assert len(views) == 5
    for number, view in enumerate(views, start=1):  # cada vista tiene un carácter más que la anterior
        assert view.text.count("<span title='paso") == number and f"Paso {number}:" in view.text
    assert final.text == views[-1].text == prediction.step_view(same.prompt.text, same.steps).text


def test_autoplay_runs_inside_a_real_marimo_cell(pretrained):
    app = marimo.App()

    @app.cell
    def _():
        from demos import model as _model
        from demos import prediction as _prediction

        _gpt, _tok = _model.load_pretrained()
        _prediction.autoplay(_gpt, _tok, "Don Quijote", n_steps=3, delay=0.0, seed=2)
        return

    outputs, _ = app.run()
    gpt, tok = pretrained
    same = prediction.Growth(gpt, tok, "Don Quijote", seed=2)
    same.upto(3)
    shown = outputs[0].text  # la vista final quedó como salida de la celda
    assert prediction.growth_html(same.prompt.text, same.steps) in shown
    assert "Paso 3:" in shown and shown.count("<span title='paso") == 3
    (bars,) = charts_in(shown)  # el gráfico del paso, tal como lo entrega marimo
    last = same.steps[-1]
    expected = prediction.candidate_rows(last.candidates, last.chosen, last.rest,
                                         last.vocab_size - len(last.candidates))
    assert labels(bars) == labels(expected)


def test_long_prompt_steps_match_a_fresh_prediction_and_their_attention(pretrained):
    gpt, tok = pretrained
    text = prediction.QUIJOTE_OPENING
    assert len(text) > gpt.context_length  # cada paso debe recalcular la ventana que se desliza
    steps = prediction.Growth(gpt, tok, text, seed=0).upto(40)
    assert any(s.surprising for s in steps)
    for step in steps:
        fresh = decoding.next_token_distribution(gpt, tok, step.context)  # desde cero, sin caché
        ids = [c.token_id for c in step.candidates]
        assert ids == fresh.topk(len(ids)).indices.tolist()
        assert torch.allclose(torch.tensor([c.probability for c in step.candidates]), fresh[ids], atol=1e-6)
        assert step.chosen.probability == pytest.approx(float(fresh[step.chosen.token_id]), abs=1e-6)
        assert step.rank == int((fresh > fresh[step.chosen.token_id]).sum()) + 1
        assert step.rest == pytest.approx(1 - float(fresh[ids].sum()), abs=1e-5)
        assert list(step.window) == tok.encode(step.context)[-gpt.context_length:]
        chars, weights = prediction.step_attention(gpt, tok, step)  # el mapa que muestra la diapositiva
        assert "".join(chars) == tok.decode(step.window) and len(chars) == gpt.context_length
        assert torch.equal(weights, prediction.attention_at(gpt, tok, step.context)[1])
        again = decoding.next_token_distribution(gpt, tok, "".join(chars))  # esa ventana, y nada más, da el paso
        assert torch.allclose(again[ids], fresh[ids], atol=1e-6)
    assert steps[1].window == steps[0].window[1:] + (steps[0].chosen.token_id,)  # la ventana avanza de a uno
    by_hand = dataclasses.replace(steps[5], window=())  # un paso sin su ventana: la de su texto
    _, from_text = prediction.step_attention(gpt, tok, by_hand)
    assert torch.equal(from_text, prediction.step_attention(gpt, tok, steps[5])[1])


def test_long_growth_shows_only_the_end():
    steps = []
    page = prediction.growth_html("ñ" * 1000, steps, max_chars=50)
    assert page.count("ñ") == 50 and "…" in page


def test_same_input_gives_the_same_distribution(pretrained):
    gpt, tok = pretrained
    first, second, same = prediction.same_input_twice(gpt, tok, "En un lugar de la Mancha")
    assert same and torch.equal(first, second)
    other = decoding.next_token_distribution(gpt, tok, "Sancho")
    assert not torch.equal(first, other)


def test_same_input_after_other_work_gives_the_same_distribution(pretrained):
    gpt, tok = pretrained
    first = decoding.next_token_distribution(gpt, tok, "En un lugar de la Mancha")
    other = prediction.Growth(gpt, tok, "¿Qué animal da leche y dice mu?", seed=1)
    other.upto(20)  # entre medio, otro texto que usa la caché del generador
    assert not torch.equal(other.generator.distribution(), first)
    assert torch.equal(decoding.next_token_distribution(gpt, tok, "En un lugar de la Mancha"), first)


def _replace_at(text: str, position: int) -> str:
    return text[:position] + ("x" if text[position] != "x" else "z") + text[position + 1:]


def test_only_the_window_reaches_the_prediction(pretrained):
    gpt, tok = pretrained
    text = prediction.QUIJOTE_OPENING
    cut = len(text) - gpt.context_length  # las posiciones 0 … cut-1 quedan fuera de la ventana
    base = decoding.next_token_distribution(gpt, tok, text)
    assert torch.equal(decoding.next_token_distribution(gpt, tok, _replace_at(text, cut - 1)), base)
    assert not torch.equal(decoding.next_token_distribution(gpt, tok, _replace_at(text, cut)), base)
    assert torch.equal(decoding.next_token_distribution(gpt, tok, "¡" * cut + text[cut:]), base)
    first = prediction.Growth(gpt, tok, "Sancho " * 20 + text[cut:], seed=0).upto(1)[0]  # por el generador
    assert first.candidates == prediction.Growth(gpt, tok, text, seed=0).upto(1)[0].candidates


def test_window_check_tells_outside_from_inside(pretrained):
    gpt, tok = pretrained
    check = prediction.window_check(gpt, tok, prediction.QUIJOTE_OPENING)
    assert check.outside + check.inside == prediction.QUIJOTE_OPENING and len(check.inside) == gpt.context_length
    assert check.outside_shift == 0.0 and check.inside_shift > 1e-5  # medido: 0,05 % con el modelo incluido
    changed = check.outside + check.replacement + check.inside[1:]
    expected = (decoding.next_token_distribution(gpt, tok, changed)
                - decoding.next_token_distribution(gpt, tok, prediction.QUIJOTE_OPENING)).abs().max()
    assert check.inside_shift == pytest.approx(float(expected))
    summary = prediction.window_summary(check)
    assert "no cambia ni en un decimal" in summary and formatting.percent(check.inside_shift) in summary
    short = prediction.window_check(gpt, tok, "la Mancha")
    assert short.outside_shift is None and short.inside == "la Mancha" and short.inside_shift > 0
    assert prediction.window_summary(short).startswith("El texto cabe entero")
    assert prediction.window_check(gpt, tok, "").inside == "\n"
    assert prediction.context_window(tok, "corto", gpt.context_length) == ("", "corto")


@pytest.mark.parametrize("text", ["En un lugar de la Mancha", "", "x" * 500, "👩‍💻 ¿qué?"])
def test_attention_rows_sum_to_one_and_never_look_ahead(pretrained, text):
    gpt, tok = pretrained
    chars, weights = prediction.attention_at(gpt, tok, text)
    T = len(chars)
    assert weights.shape == (len(gpt.blocks), gpt.config.n_head, T, T)
    assert T == min(len(tok.encode(text or "\n")), gpt.context_length)
    assert torch.allclose(weights.sum(-1), torch.ones(weights.shape[:-1]), atol=1e-5)
    future = torch.triu(torch.ones(T, T, dtype=torch.bool), diagonal=1)
    assert (weights[..., future] == 0).all()


def test_heads_chart_rows_add_up_per_head(pretrained):
    gpt, tok = pretrained
    chars, weights = prediction.attention_at(gpt, tok, prediction.QUIJOTE_OPENING)
    rows = prediction.heads_rows(chars, weights, layer=0, last=10)
    for h in range(gpt.config.n_head):
        mine = [r for r in rows if r["cabeza"] == f"cabeza {h + 1}"]
        assert len(mine) == 11  # «…» más los últimos 10 caracteres
        assert sum(r["peso"] for r in mine) == pytest.approx(1.0, abs=1e-3)
    prediction.heads_chart(chars, weights, 0).to_dict(validate=True)
    short_chars, short = prediction.attention_at(gpt, tok, "la Mancha")
    prediction.triangle_chart(short_chars, short, 0, 0).to_dict(validate=True)
    grid = prediction.triangle_rows(short_chars, short, 0, 0)
    assert len(grid) == len("la Mancha") ** 2 and all(r["peso"] == 0 for r in grid if r["a"] > r["mira"])


def test_triangle_uses_the_last_rows_of_the_real_map(pretrained):
    gpt, tok = pretrained
    chars, weights = prediction.attention_at(gpt, tok, prediction.QUIJOTE_OPENING)
    last, T = 14, len(chars)
    rows = prediction.triangle_rows(chars, weights, layer=2, head=3, last=last)
    assert len(rows) == last * (last + 1)  # 14 filas, cada una con «…» y 14 columnas
    grid = weights[2, 3]
    for r in rows:
        i = T - last + r["mira"] - 1
        expected = grid[i, : T - last].sum() if r["a"] == 0 else grid[i, T - last + r["a"] - 1]
        assert r["peso"] == pytest.approx(float(expected), abs=1e-4)
        if r["a"] > r["mira"]:
            assert r["peso"] == 0  # el futuro
    for mira in range(1, last + 1):
        assert sum(r["peso"] for r in rows if r["mira"] == mira) == pytest.approx(1.0, abs=1e-3)
    spec = prediction.triangle_chart(chars, weights, 2, 3).to_dict(validate=True)
    axis = spec["layer"][0]["encoding"]["x"]["axis"]["labelExpr"]
    drawn = json.loads(axis.removesuffix("[datum.value]"))
    assert drawn == ["…"] + [prediction.visible(c) for c in chars[-last:]]  # «…» y las 14 letras


def test_attention_maps_do_not_disturb_other_sessions(pretrained):
    gpt, tok = pretrained
    ids = torch.tensor([tok.encode(prediction.QUIJOTE_OPENING)[-gpt.context_length:]])
    expected = prediction.attention_maps(gpt, ids)
    reference = decoding.continue_text(gpt, tok, "En un lugar", 80, temperature=1.0, seed=11)
    errors, texts = [], []

    def maps():
        try:
            for _ in range(15):
                assert torch.allclose(prediction.attention_maps(gpt, ids), expected, atol=1e-5)
        except Exception as error:  # la prueba quiere ver cualquier falla del otro hilo
            errors.append(error)

    def write():
        texts.append(decoding.continue_text(gpt, tok, "En un lugar", 80, temperature=1.0, seed=11))

    threads = [threading.Thread(target=maps), threading.Thread(target=write), threading.Thread(target=maps)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors and texts == [reference]


def test_training_predicts_every_position_in_one_call(pretrained):
    gpt, tok = pretrained
    text = "En un lugar de la Mancha"
    calls, rows = prediction.one_pass(gpt, tok, text)
    assert calls == 1 and len(rows) == len(text)
    assert [r["venía"] for r in rows] == list(text[1:]) + [None]
    assert [r["ve"] for r in rows] == [text[: i + 1] for i in range(len(text))]
    logits = gpt(torch.tensor([tok.encode(text)]))[0][0]
    assert [r["predice"] for r in rows] == [tok.decode([i]) for i in logits.argmax(-1).tolist()]
    page = prediction.one_pass_html(rows)
    assert page.count("<td") == 3 * len(text)


def test_writing_needs_one_call_per_character(pretrained):
    gpt, tok = pretrained
    calls, text = prediction.generation_calls(gpt, tok, "En un lugar", 12)
    assert len(text) == 12 and calls == 12  # una por carácter nuevo: la primera lee el texto y ya da el primero


@pytest.mark.parametrize("text", ["", None, "\x00", "x" * 100_000, "مرحبا", "👩‍💻", "ç y Ω", "\u202eal revés",
                                  "a\ud800b"])
def test_bad_prompts_have_defined_behaviour(pretrained, text):
    gpt, tok = pretrained
    prompt = prediction.prepare_prompt(tok, text)
    assert len(prompt.text) <= prediction.MAX_PROMPT_CHARS
    assert prompt.notes, "cada uno de estos textos merece un aviso"
    prediction.next_token_chart(gpt, tok, prompt.text).to_dict()
    grow = prediction.Growth(gpt, tok, text)
    step = grow.upto(3)[-1]
    prediction.growth_html(grow.prompt.text, grow.steps).encode("utf-8")
    shown = [prediction.step_chart(step).to_dict()["title"], prediction.step_caption(step),
             prediction.window_summary(prediction.window_check(gpt, tok, prompt.text)),
             json.dumps(prediction.triangle_chart(*prediction.step_attention(gpt, tok, step), 0, 0).to_dict())]
    for page in shown:
        page.encode("utf-8")  # nada de medios emojis sueltos: el navegador no podría recibirlo
    assert prediction.notes_markdown(prompt).startswith("*")


def test_plain_prompt_has_no_notes(pretrained):
    _, tok = pretrained
    assert prediction.prepare_prompt(tok, "En un lugar de la Mancha").notes == []


def test_module_runs_alone():
    result = subprocess.run([sys.executable, "-m", "demos.prediction", "En un lugar"], cwd=ROOT,
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    assert "paso 20" in result.stdout and "Texto final: En un lugar" in result.stdout


def test_module_speaks_spanish_on_the_command_line():
    help_text = subprocess.run([sys.executable, "-m", "demos.prediction", "--help"], cwd=ROOT,
                               capture_output=True, text=True, timeout=120)
    assert help_text.returncode == 0 and "uso:" in help_text.stdout and "--pasos" in help_text.stdout
    bad = subprocess.run([sys.executable, "-m", "demos.prediction", "--pasos", "muchos"], cwd=ROOT,
                         capture_output=True, text=True, timeout=120)
    assert bad.returncode == 2 and "no es un número entero" in bad.stderr and "Traceback" not in bad.stderr
    few = subprocess.run([sys.executable, "-m", "demos.prediction", "--pasos", "3", "--semilla", "5", "Sancho"],
                         cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert few.returncode == 0, few.stderr
    assert "paso  3" in few.stdout and "paso  4" not in few.stdout and "semilla 5" in few.stdout


# ---------------------------------------------------------------- las diapositivas, ya ejecutadas


def deck_outputs(deck_run) -> dict[str, str]:
    """El HTML que dejó cada celda del notebook, por nombre de celda."""
    sys.path.insert(0, str(ROOT / "deck"))
    import build_layout

    names = [n for n in build_layout.cell_names(build_layout.NOTEBOOK.read_text(encoding="utf-8")) if n != "setup"]
    outputs, _ = deck_run
    assert len(names) == len(outputs)
    return {name: getattr(out, "text", "") if out is not None else "" for name, out in zip(names, outputs, strict=True)}


VEGA_LITE = "application/vnd.vegalite.v6+json"


def charts_in(page: str) -> list[list[dict]]:
    """Las filas de datos de cada gráfico Vega-Lite que hay en el HTML de una celda.

    marimo lo entrega de dos maneras: dentro de un «mimebundle» o como especificación suelta.
    """
    specs = []
    for mime, data in re.findall(r"data-mime='([^']*)' data-data='([^']*)'", page):
        mime, data = json.loads(html.unescape(mime)), json.loads(html.unescape(data))
        data = json.loads(data) if isinstance(data, str) else data
        spec = data.get(VEGA_LITE) if mime == "application/vnd.marimo+mimebundle" else data
        if mime in (VEGA_LITE, "application/vnd.marimo+mimebundle") and spec:
            specs.append(spec)
    return [json.loads(spec["datasets"][spec["data"]["name"]]) for spec in specs]


def labels(rows: list[dict]) -> list[tuple]:
    return [(r["token"], r["etiqueta"]) for r in rows]


def test_deck_prediction_slides_show_what_the_model_computes(deck_run, pretrained):
    gpt, tok = pretrained
    shown, (_, defs) = deck_outputs(deck_run), deck_run
    text = defs["prediccion_texto"].value
    (bars,) = charts_in(shown["prediccion_distribucion"])
    expected = prediction.distribution_rows(decoding.next_token_distribution(gpt, tok, text), tok)
    assert labels(bars) == labels(expected)
    assert "Siguiente token" in shown["prediccion_paso_a_paso"] and not charts_in(shown["prediccion_paso_a_paso"])
    first, second = charts_in(shown["prediccion_sin_memoria"])
    assert first == second and "número por número? <strong>Sí.</strong>" in shown["prediccion_sin_memoria"]
    check = prediction.window_check(gpt, tok, prediction.QUIJOTE_OPENING)
    assert "no cambia ni en un decimal" in shown["prediccion_ventana"]
    assert formatting.percent(check.inside_shift) in shown["prediccion_ventana"]
    step = defs["prediccion_crece"].upto(10)[-1]  # el control de atención parte en el paso 10
    chars, weights = prediction.step_attention(gpt, tok, step)
    layer = len(gpt.blocks) - 1
    (heads,) = charts_in(shown["prediccion_atencion"])
    assert heads == prediction.heads_rows(chars, weights, layer)
    (triangle,) = charts_in(shown["prediccion_triangulo"])
    assert triangle == prediction.triangle_rows(chars, weights, layer, 0)
    assert "1 sola llamada" in shown["prediccion_paralelo"] and "24 llamadas" in shown["prediccion_paralelo"]
    ours = charts_in(shown["prediccion_ollama"])[-1]  # el nuestro va siempre, con o sin Ollama
    probs = decoding.next_token_distribution(gpt, tok, text)
    assert labels(ours) == labels(prediction.distribution_rows(probs, tok, 8))


def test_deck_temperature_slides_show_what_the_model_computes(deck_run, pretrained):
    from demos import temperature

    gpt, tok = pretrained
    shown, (_, defs) = deck_outputs(deck_run), deck_run
    logits = decoding.next_token_logits(gpt, tok, defs["temp_texto"].value)
    t, p = defs["temp_slider"].value, defs["temp_top_p"].value
    (bars,) = charts_in(shown["temperatura_control"])
    assert labels(bars) == labels(temperature.chart_rows(temperature.shape(logits, t), tok))
    entropy = temperature.decimal(temperature.shape(logits, t).entropy, 2)
    assert f"Entropía: <strong>{entropy} bits</strong>" in shown["temperatura_control"]
    (cut,) = charts_in(shown["temperatura_recortes"])
    assert labels(cut) == labels(temperature.chart_rows(temperature.shape(logits, t, None, p), tok))
    assert "cortado" in [r["tipo"] for r in cut]  # con top-p 0,9 algo queda fuera
    samples = temperature.samples(gpt, tok, defs["temp_texto"].value)
    for sample in samples.values():
        assert html.escape(sample) in shown["temperatura_muestras"]


# ---------------------------------------------------------------- Ollama, con el cliente oficial


def _closed_port() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return f"127.0.0.1:{sock.getsockname()[1]}"  # nadie escucha ahí una vez cerrado


@pytest.mark.parametrize("mode", ["generate", "chat"])
def test_ollama_next_tokens_through_the_real_client(mode):
    with FakeOllama() as server:
        answer = prediction.ollama_next_tokens("En un lugar de la Mancha", mode, host=server.url)
        body = server.last_body(f"/api/{mode}")
    assert answer.ok and answer.model == "llama3.2:1b" and len(answer.candidates) == prediction.OLLAMA_TOP
    probs = [c.probability for c in answer.candidates]
    assert probs == sorted(probs, reverse=True) and 0.99 < sum(probs) <= 1.0 + 1e-9
    assert answer.chosen == answer.candidates[0].text  # este servidor siempre genera el favorito
    kinds = [r["tipo"] for r in answer.rows()]
    assert kinds[0] == "elegido" and kinds.count("elegido") == 1 and kinds[-1] == "otros"
    assert answer.rank == 1 and answer.caption().endswith("el más probable.")
    assert body["logprobs"] is True and body["top_logprobs"] == prediction.OLLAMA_TOP
    assert body["options"]["num_predict"] == 1 and body["stream"] is False
    if mode == "chat":
        assert body["messages"] == [{"role": "user", "content": "En un lugar de la Mancha"}]
    else:
        assert body["prompt"] == "En un lugar de la Mancha" and body["raw"] is True
    prediction.ollama_chart(answer).to_dict(validate=True)


@pytest.mark.parametrize("mode", ["generate", "chat"])
def test_ollama_chosen_token_that_was_not_the_favourite_is_marked(mode):
    with FakeOllama(pick_second=True) as server:
        answer = prediction.ollama_next_tokens("En un lugar de la Mancha", mode, host=server.url)
    assert answer.ok and answer.rank == 2 and answer.chosen == answer.candidates[1].text
    rows = answer.rows()
    assert [r["tipo"] for r in rows[:3]] == ["candidato", "elegido", "candidato"]
    assert rows[1]["etiqueta"].endswith("← elegido") and len(rows) == prediction.OLLAMA_TOP + 1
    caption = answer.caption()
    best = answer.candidates[0]
    assert "**no era el más probable** (puesto 2" in caption and f"«{prediction.visible(answer.chosen)}»" in caption
    assert f"el favorito era «{prediction.visible(best.text)}» con {formatting.percent(best.probability)}" in caption
    spec = prediction.ollama_chart(answer).to_dict(validate=True)
    drawn = json.loads(spec["datasets"][spec["data"]["name"]])
    assert [r["tipo"] for r in drawn].index("elegido") == 1


def test_ollama_panel_says_when_the_chosen_token_was_not_the_favourite(pretrained, monkeypatch):
    with FakeOllama(pick_second=True) as server:
        monkeypatch.setenv("OLLAMA_HOST", server.url)
        note, charts = prediction.ollama_panel(*pretrained, "En un lugar", ask=True)
    assert "**no era el más probable** (puesto 2" in note and len(charts) == 2


def test_ollama_chosen_token_outside_the_list_still_gets_its_bar():
    with FakeOllama(pick_second=True) as server:
        answer = prediction.ollama_next_tokens("En un lugar", host=server.url, top=1)  # solo llega el favorito
    assert answer.ok and len(answer.candidates) == 1 and answer.rank is None
    rows = answer.rows()
    assert [r["tipo"] for r in rows] == ["candidato", "elegido", "otros"]
    assert rows[1]["probabilidad"] == pytest.approx(answer.chosen_probability) and answer.chosen_probability < 0.5
    assert sum(r["probabilidad"] for r in rows) == pytest.approx(1.0)
    assert "más abajo que todos los que entregó" in answer.caption()


def test_ollama_picks_the_requested_model_and_clamps_top():
    with FakeOllama(models=("llama3.2:1b", "qwen2.5:0.5b")) as server:
        answer = prediction.ollama_next_tokens("", host=server.url, model="qwen2.5:0.5b", top=50)
        body = server.last_body("/api/generate")
        fallback = prediction.ollama_next_tokens("Hola", host=server.url, model="no-existe:7b")
    assert answer.ok and answer.model == "qwen2.5:0.5b" and body["model"] == "qwen2.5:0.5b"
    assert body["top_logprobs"] == 20 and body["prompt"] == "\n"  # sin texto: un salto de línea
    assert fallback.ok and fallback.model == "llama3.2:1b"


def test_ollama_unreachable_is_a_quick_spanish_note():
    host = _closed_port()
    start = time.monotonic()
    answer = prediction.ollama_next_tokens("Hola", host=host)
    assert not answer.ok and answer.message.startswith("No encontré Ollama") and host in answer.message
    assert time.monotonic() - start < 5


def test_ollama_failures_become_notes():
    with FakeOllama(models=()) as server:
        assert "no tiene modelos" in prediction.ollama_next_tokens("Hola", host=server.url).message
    with FakeOllama() as server:
        server.behaviour.status = 500
        assert "error (500)" in prediction.ollama_next_tokens("Hola", host=server.url).message
        server.behaviour.status = None
        server.behaviour.delay_first_byte = 2.0
        assert "no contestó a tiempo" in prediction.ollama_next_tokens("Hola", host=server.url).message
    with FakeOllama(api_key="secreta") as server:
        answer = prediction.ollama_next_tokens("Hola", host=server.url)
        assert not answer.ok and "OLLAMA_API_KEY" in answer.message and "secreta" not in answer.message
    missing = real_llm._ollama_problem(ollama.ResponseError("model not found", 404), "h", "gemma3:1b")
    assert "ollama pull gemma3:1b" in missing


def test_something_that_is_not_ollama_gets_a_spanish_note():
    async def tags(request):
        return PlainTextResponse("<html>un router</html>")  # otro programa en ese puerto, sin JSON

    with BackgroundServer(Starlette(routes=[Route("/api/tags", tags, methods=["GET"])])) as server:
        answer = prediction.ollama_next_tokens("Hola", host=server.url)
    assert not answer.ok and answer.message.startswith("No pude usar Ollama en") and server.url in answer.message
    assert not re.search(r"[A-Z][a-z]+(Error|Exception)", answer.message)  # ni «JSONDecodeError» ni parecidos


def _old_ollama() -> BackgroundServer:
    """Un Ollama anterior a las log-probabilidades: ignora ``logprobs`` y responde igual."""

    async def tags(request):
        return JSONResponse({"models": [{"name": "viejo:1b", "model": "viejo:1b"}]})

    async def generate(request):
        body = await request.json()
        return JSONResponse({"model": body["model"], "created_at": "2025-01-01T00:00:00Z", "response": "la",
                             "done": True, "done_reason": "length"})

    return BackgroundServer(Starlette(routes=[Route("/api/tags", tags, methods=["GET"]),
                                              Route("/api/generate", generate, methods=["POST"])]))


def test_ollama_without_logprobs_says_to_update():
    with _old_ollama() as server:
        answer = prediction.ollama_next_tokens("Hola", host=server.url)
    assert not answer.ok and answer.model == "viejo:1b" and "actualiza Ollama" in answer.message


def test_ollama_panel_remembers_the_server_for_a_few_seconds(pretrained, monkeypatch):
    gpt, tok = pretrained
    with FakeOllama() as server:
        monkeypatch.setenv("OLLAMA_HOST", server.url)
        for text in ("E", "En", "En u", "En un"):  # la sala escribe: una consulta, no cuatro
            note, _ = prediction.ollama_panel(gpt, tok, text)
        tags = lambda: sum(r.path == "/api/tags" for r in server.requests)  # noqa: E731
        assert tags() == 1 and "Aprieta el botón" in note
        prediction.ollama_panel(gpt, tok, "En un", ask=True)  # al apretar el botón se pregunta de nuevo
        assert tags() == 2
        monkeypatch.setattr(real_llm, "OLLAMA_STATUS_SECONDS", 0.0)
        prediction.ollama_panel(gpt, tok, "En un l")
        assert tags() == 3  # pasado el plazo, otra vez
    host = _closed_port()
    monkeypatch.setenv("OLLAMA_HOST", host)
    start = time.monotonic()
    monkeypatch.setattr(real_llm, "OLLAMA_STATUS_SECONDS", 60.0)
    first, _ = prediction.ollama_panel(gpt, tok, "Hola")
    again = [prediction.ollama_panel(gpt, tok, "Hola" + "!" * i)[0] for i in range(5)]
    assert "No encontré Ollama" in first and all(note == first for note in again)
    assert host in real_llm._ollama_seen
    assert time.monotonic() - start < 5


def test_ollama_panel_shows_ours_always(pretrained, monkeypatch):
    gpt, tok = pretrained
    monkeypatch.setenv("OLLAMA_HOST", _closed_port())
    note, charts = prediction.ollama_panel(gpt, tok, "En un lugar", ask=True)
    assert "No encontré Ollama" in note and len(charts) == 1
    with FakeOllama() as server:
        monkeypatch.setenv("OLLAMA_HOST", server.url)
        note, charts = prediction.ollama_panel(gpt, tok, "En un lugar", "chat", ask=False)
        assert "Aprieta el botón" in note and "`llama3.2:1b`" in note and len(charts) == 1
        assert server.last_body("/api/chat") is None  # sin apretar, no se le pregunta nada
        note, charts = prediction.ollama_panel(gpt, tok, "En un lugar", "chat", ask=True)
        assert "llama3.2:1b" in note and len(charts) == 2 and "el más probable" in note
        assert server.last_body("/api/chat")["messages"][0]["content"] == "En un lugar"
    for chart in charts:
        chart.to_dict(validate=True)


def test_module_shows_ollama_when_it_is_there():
    with FakeOllama() as server:
        env = {**os.environ, "OLLAMA_HOST": server.url}
        result = subprocess.run([sys.executable, "-m", "demos.prediction", "En un lugar"], cwd=ROOT, env=env,
                                capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    assert "llama3.2:1b en Ollama" in result.stdout and "Recibí" in result.stdout


def test_attention_maps_are_causal_distributions(pretrained):
    gpt, tok = pretrained
    maps = prediction.attention_maps(gpt, torch.tensor([tok.encode("En un lugar de")]))
    layers, heads = gpt.config.n_layer, gpt.config.n_head
    assert maps.shape == (layers, 1, heads, 14, 14)
    assert torch.allclose(maps.sum(-1), torch.ones(layers, 1, heads, 14), atol=1e-5)
    assert maps.triu(1).abs().max() == 0
