"""Predicción del siguiente token: candidatos, pasos, memoria, atención, paralelismo y la terminal."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time

import ollama
import pytest
import torch
from starlette.applications import Starlette
from starlette.responses import JSONResponse
from starlette.routing import Route

from demos import model, prediction
from tests.conftest import ROOT
from tests.fakes import BackgroundServer
from tests.fakes.ollama_server import FakeOllama


def test_whitespace_and_invisible_characters_are_visible():
    assert prediction.visible(" ") == "␣" and prediction.visible("\n") == "↵"
    assert prediction.visible("a b\n") == "a␣b↵"
    assert prediction.visible("\x00") == "␀" and prediction.visible("\t") == "⇥"
    assert prediction.visible("\u200d") == "⟨U+200D⟩" and prediction.visible("\u202e") == "⟨U+202E⟩"
    assert prediction.visible("") == "∅" and prediction.visible("ñ") == "ñ"


@pytest.mark.parametrize(("p", "text"), [(0.354, "35 %"), (0.0333, "3,3 %"), (0.004, "0,4 %"),
                                         (0.0004, "0,04 %"), (1.0, "100 %"), (0.0, "0 %")])
def test_percent_is_written_in_spanish(p, text):
    assert prediction.percent(p) == text


def test_distribution_rows_cover_everything(pretrained):
    gpt, tok = pretrained
    probs = model.next_token_distribution(gpt, tok, "En un lugar")
    rows = prediction.distribution_rows(probs, tok, k=5)
    assert len(rows) == 6 and rows[-1]["token"] == f"otros {tok.vocab_size - 5}"
    assert sum(r["probabilidad"] for r in rows) == pytest.approx(1.0, abs=1e-5)
    assert [r["probabilidad"] for r in rows[:5]] == sorted((r["probabilidad"] for r in rows[:5]), reverse=True)
    assert rows[0]["token"] == prediction.visible(tok.decode([int(probs.argmax())]))


def test_chosen_token_is_marked_even_outside_the_top(pretrained):
    gpt, tok = pretrained
    probs = model.next_token_distribution(gpt, tok, "En un lugar")
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
        probs = model.next_token_distribution(gpt, tok, step.context)  # recalculado sin caché
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


def test_long_growth_shows_only_the_end():
    steps = []
    page = prediction.growth_html("ñ" * 1000, steps, max_chars=50)
    assert page.count("ñ") == 50 and "…" in page


def test_same_input_gives_the_same_distribution(pretrained):
    gpt, tok = pretrained
    first, second, same = prediction.same_input_twice(gpt, tok, "En un lugar de la Mancha")
    assert same and torch.equal(first, second)
    other = model.next_token_distribution(gpt, tok, "Sancho")
    assert not torch.equal(first, other)


def test_the_model_only_sees_its_window(pretrained):
    gpt, tok = pretrained
    text = prediction.QUIJOTE_OPENING
    outside, inside = prediction.context_window(tok, text, gpt.context_length)
    assert outside + inside == text and len(inside) == gpt.context_length
    assert prediction.window_is_all_it_sees(gpt, tok, text)
    changed = "Sancho Panza dijo" + text[len("Sancho Panza dijo"):]  # cambiar lo de afuera no cambia nada
    assert torch.equal(model.next_token_distribution(gpt, tok, changed),
                       model.next_token_distribution(gpt, tok, text))
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
    assert all(r["peso"] == 0 for r in grid if r["a"] > r["mira"])


def test_attention_maps_do_not_disturb_other_sessions(pretrained):
    gpt, tok = pretrained
    ids = torch.tensor([tok.encode(prediction.QUIJOTE_OPENING)[-gpt.context_length:]])
    expected = gpt.attention_maps(ids)
    reference = model.generate(gpt, tok, "En un lugar", 80, temperature=1.0, seed=11)
    errors, texts = [], []

    def maps():
        try:
            for _ in range(15):
                assert torch.allclose(gpt.attention_maps(ids), expected, atol=1e-5)
        except Exception as error:  # la prueba quiere ver cualquier falla del otro hilo
            errors.append(error)

    def write():
        texts.append(model.generate(gpt, tok, "En un lugar", 80, temperature=1.0, seed=11))

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
    assert len(text) == 12 and calls == 12 + 1  # una para leer el texto y una por carácter nuevo


@pytest.mark.parametrize("text", ["", None, "\x00", "x" * 100_000, "مرحبا", "👩‍💻", "ç y Ω"])
def test_bad_prompts_have_defined_behaviour(pretrained, text):
    gpt, tok = pretrained
    prompt = prediction.prepare_prompt(tok, text)
    assert len(prompt.text) <= prediction.MAX_PROMPT_CHARS
    assert prompt.notes, "cada uno de estos textos merece un aviso"
    prediction.next_token_chart(gpt, tok, prompt.text).to_dict()
    prediction.Growth(gpt, tok, text).upto(3)
    assert prediction.notes_markdown(prompt).startswith("*")


def test_plain_prompt_has_no_notes(pretrained):
    _, tok = pretrained
    assert prediction.prepare_prompt(tok, "En un lugar de la Mancha").notes == []


def test_module_runs_alone():
    result = subprocess.run([sys.executable, "-m", "demos.prediction", "En un lugar"], cwd=ROOT,
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    assert "paso 20" in result.stdout and "Texto final: En un lugar" in result.stdout


def test_deck_sections_ran_headless(deck_run):
    _, defs = deck_run
    assert isinstance(defs["prediccion_crece"], prediction.Growth)
    assert defs["prediccion_entrada"].text == defs["prediccion_texto"].value
    assert defs["temp_logits"].shape == (defs["temp_vocab"].vocab_size,)
    assert defs["temp_slider"].value == 1.0


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
    assert body["logprobs"] is True and body["top_logprobs"] == prediction.OLLAMA_TOP
    assert body["options"]["num_predict"] == 1 and body["stream"] is False
    if mode == "chat":
        assert body["messages"] == [{"role": "user", "content": "En un lugar de la Mancha"}]
    else:
        assert body["prompt"] == "En un lugar de la Mancha" and body["raw"] is True
    prediction.ollama_chart(answer).to_dict(validate=True)


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
    missing = prediction._ollama_problem(ollama.ResponseError("model not found", 404), "h", "gemma3:1b")
    assert "ollama pull gemma3:1b" in missing


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
        assert "llama3.2:1b" in note and len(charts) == 2
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
