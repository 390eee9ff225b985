"""Los tres cerebros del chat, con sus clientes oficiales, contra servidores HTTP reales en 127.0.0.1."""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import subprocess
import sys
import time

import openai
import pytest

from demos import chat
from tests.conftest import ROOT
from tests.fakes import BackgroundServer, Behaviour, default_reply, split_tokens
from tests.fakes.ollama_server import FakeOllama
from tests.fakes.openai_server import FakeOpenAI

CANARY = "sk-canary-0123456789abcdef"
QUESTION = [{"role": "user", "content": "¿Qué animal da leche y dice mu?"}]
EXPECTED = default_reply(QUESTION)


REAL_DEADLINES = {name: getattr(chat, name) for name in ("FIRST_DELTA_SECONDS", "STALL_SECONDS",
                                                         "SLOW_CHECK_SECONDS", "TURN_SECONDS")}


@pytest.fixture(autouse=True)
def patient_deadlines(monkeypatch):
    """Con el computador muy ocupado, un servidor local puede tardar segundos en contestar: salvo en
    las pruebas de plazos, esperamos con paciencia para que la prueba mida lo que dice medir."""
    for name in REAL_DEADLINES:
        monkeypatch.setattr(chat, name, 120.0)


@pytest.fixture
def clean_env(monkeypatch, tmp_path):
    """Sin variables del chat y en una carpeta sin .env: cada prueba decide qué hay configurado."""
    for name in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "OPENAI_MODEL", "OLLAMA_HOST", "OLLAMA_MODEL",
                 "OLLAMA_API_KEY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    return monkeypatch


@pytest.fixture
def fake_ollama(clean_env):
    with FakeOllama() as server:
        clean_env.setenv("OLLAMA_HOST", server.url)
        yield server


@pytest.fixture
def fake_openai(clean_env):
    with FakeOpenAI(api_key=CANARY) as server:
        clean_env.setenv("OPENAI_API_KEY", CANARY)
        clean_env.setenv("OPENAI_BASE_URL", server.base_url)
        clean_env.setenv("OPENAI_MODEL", "gpt-de-prueba")
        yield server


def dead_url() -> str:
    """Una dirección de 127.0.0.1 donde no escucha nadie."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"


def deltas(backend, messages=QUESTION, **kw) -> list[str]:
    return list(chat.reply_stream(backend, messages, **kw))


# ---------------------------------------------------------------- QuijoteGPT
def test_embedded_backend_streams_one_character_at_a_time(pretrained):
    backend = chat.make_backend("quijote")
    assert backend.available() and backend.models() == ["quijote-gpt"]
    raw = list(backend.stream(QUESTION, max_tokens=40, temperature=0.8))
    assert len(raw) == 40 and all(len(p) == 1 for p in raw)
    text = "".join(deltas(backend, max_tokens=40, temperature=0.8))
    assert len(text) == 40 and chat.NOTICE not in text


def test_embedded_generation_uses_one_torch_thread_and_restores_it(pretrained):
    import torch

    before = torch.get_num_threads()
    during = []
    for _ in chat.EmbeddedBackend().stream(QUESTION, max_tokens=3):
        during.append(torch.get_num_threads())
    assert during == [1, 1, 1] and torch.get_num_threads() == before


def test_embedded_prompt_is_the_conversation_text_and_only_its_tail(pretrained):
    model, _ = pretrained
    history = [{"role": "system", "content": "Sé breve."}, {"role": "user", "content": "Hola"},
               {"role": "assistant", "content": f"Buenas\n\n{chat.NOTICE} aviso del programa"},
               {"role": "user", "content": "x" * 500}]
    assert chat.embedded_prompt(history[:3]) == "Sé breve.\nHola\nBuenas\n"
    tail = chat.embedded_prompt(history, model.context_length)
    assert len(tail) == model.context_length and tail.endswith("x\n")


def test_embedded_reply_for_mo_ui_chat_survives_odd_input(pretrained):
    for text in ["", "\x00\x01", "مرحبا بالعالم", "👩‍👩‍👧‍👦", "ñandú " * 20_000]:
        out = "".join(chat.embedded_reply([{"role": "user", "content": text}], {"max_tokens": 15}))
        assert len(out) == 15


# ---------------------------------------------------------------- Ollama
def test_ollama_backend_through_the_ollama_client(fake_ollama):
    backend = chat.make_backend("ollama")
    assert backend.host == fake_ollama.url and backend.available()
    assert backend.model == "llama3.2:1b" and backend.models() == fake_ollama.models
    raw = list(backend.stream(QUESTION, temperature=0.2, max_tokens=50))
    assert len(raw) > 3 and "".join(raw) == EXPECTED == "".join(deltas(backend, temperature=0.2, max_tokens=50))
    body = fake_ollama.last_body()
    assert body["messages"] == QUESTION and body["stream"] is True
    assert body["options"] == {"temperature": 0.2, "num_predict": 50}
    assert backend.usage["completion_tokens"] == len(raw)


def test_ollama_default_host(clean_env):
    assert chat.OllamaBackend().host == "127.0.0.1:11434"


# ---------------------------------------------------------------- compatible con OpenAI
def test_openai_backend_through_the_openai_client(fake_openai):
    backend = chat.make_backend("openai")
    assert backend.model == "gpt-de-prueba" and CANARY not in repr(backend)
    raw = list(backend.stream(QUESTION, temperature=0.4, max_tokens=64))
    assert len(raw) > 3 and "".join(raw) == EXPECTED == "".join(deltas(backend, temperature=0.4, max_tokens=64))
    request = fake_openai.requests[-1]
    assert request.headers["authorization"] == f"Bearer {CANARY}"
    assert request.body["messages"] == QUESTION and request.body["stream"] is True
    assert request.body["temperature"] == 0.4 and request.body["max_tokens"] == 64


def test_openai_lists_only_chat_models(clean_env):
    models = ["gpt-x", "text-embedding-3-small", "tts-1", "whisper-1", "llama-3.1-8b-instant"]
    with FakeOpenAI(models=models, api_key=None) as server:
        clean_env.setenv("OPENAI_BASE_URL", server.base_url)  # un servidor local, sin clave
        names, said = chat.list_models("openai")
    assert names == ["gpt-x", "llama-3.1-8b-instant"] and "2 modelos" in said


def test_reasoning_models_get_max_completion_tokens_and_a_clear_temperature_message(fake_openai):
    backend = chat.make_backend("openai", "razonador-t1")
    text = "".join(deltas(backend, temperature=0.5))
    assert "solo acepta temperatura 1" in text and text.strip().startswith(chat.NOTICE)
    assert "".join(deltas(backend, temperature=1.0, max_tokens=5)) == "".join(split_tokens(EXPECTED)[:5])
    rejected, accepted = (r.body for r in fake_openai.requests[-2:])
    assert rejected["max_tokens"] == 5 and accepted["max_completion_tokens"] == 5 and "max_tokens" not in accepted


def test_dotenv_file_is_read_but_never_overrides_the_environment(clean_env, tmp_path):
    with FakeOpenAI(api_key="sk-desde-archivo") as server:
        (tmp_path / ".env").write_text(f"OPENAI_API_KEY=sk-desde-archivo\nOPENAI_BASE_URL={server.base_url}\n"
                                       "OPENAI_MODEL=gpt-de-prueba\n", encoding="utf-8")
        assert "".join(deltas(chat.make_backend("openai"))) == EXPECTED
        os.environ["OPENAI_API_KEY"] = "sk-del-entorno"
        assert chat.make_backend("openai").api_key == "sk-del-entorno"


# ---------------------------------------------------------------- automático
def test_auto_prefers_ollama_then_an_api_key_then_quijote(clean_env):
    clean_env.setenv("OLLAMA_HOST", dead_url())
    backend, said = chat.pick_backend("auto")
    assert isinstance(backend, chat.EmbeddedBackend) and "QuijoteGPT" in said
    clean_env.setenv("OPENAI_API_KEY", CANARY)
    backend, said = chat.pick_backend("auto")
    assert isinstance(backend, chat.OpenAIBackend) and "API" in said and CANARY not in said
    with FakeOllama() as server:
        clean_env.setenv("OLLAMA_HOST", server.url)
        backend, said = chat.pick_backend("auto")
    assert isinstance(backend, chat.OllamaBackend) and "Ollama" in said and backend.model == "llama3.2:1b"


# ---------------------------------------------------------------- fallas: siempre un mensaje en castellano
FAILURES = {
    "servidor apagado": (None, "No pude conectarme"),
    "clave equivocada (401)": (Behaviour(status=401), "rechazó la clave"),
    "error interno (500)": (Behaviour(status=500), "error interno (HTTP 500)"),
    "tarda en contestar": (Behaviour(delay_first_byte=30), "no contestó en {FIRST_DELTA_SECONDS:.0f} segundos"),
    "corte a mitad": (Behaviour(cut_after=3), "se cortó a mitad"),
    "error a mitad": (Behaviour(error_after=3), "a mitad de la respuesta"),
    "flujo muy lento": (Behaviour(chunk_delay=2.5), "demasiado lenta"),
    "se queda callado": (Behaviour(stall_after=4), "dejó de enviar texto por {STALL_SECONDS:.0f} segundos"),
}


def check_failure(request, kind: str, failure: str, caplog) -> float:
    """Provoca la falla, pide una respuesta y revisa el mensaje. Devuelve los segundos que tardó."""
    behaviour, expected = FAILURES[failure]
    server = request.getfixturevalue(f"fake_{kind}")
    if behaviour is None:
        server.stop()
    else:
        server.behaviour = behaviour
    backend = chat.make_backend(kind, "llama3.2:1b" if kind == "ollama" else "gpt-de-prueba")
    caplog.set_level(logging.DEBUG)
    start = time.monotonic()
    text = "".join(deltas(backend))
    elapsed = time.monotonic() - start
    answer, _, message = text.partition(chat.NOTICE)
    assert expected.format(**vars(chat)) in message, text
    if failure in ("corte a mitad", "error a mitad", "flujo muy lento", "se queda callado"):
        assert answer.strip() and EXPECTED.startswith(answer.strip())  # lo que llegó se conserva
    assert CANARY not in text and CANARY not in caplog.text
    return elapsed


@pytest.mark.parametrize("failure", list(FAILURES))
@pytest.mark.parametrize("kind", ["ollama", "openai"])
def test_every_failure_becomes_a_spanish_message_within_10_seconds(request, clean_env, kind, failure, caplog,
                                                                   monkeypatch):
    for name, seconds in REAL_DEADLINES.items():  # aquí, los plazos de verdad
        monkeypatch.setattr(chat, name, seconds)
    assert check_failure(request, kind, failure, caplog) < 10


def test_stall_after_some_text_is_cut(fake_openai, monkeypatch):
    monkeypatch.setattr(chat, "STALL_SECONDS", REAL_DEADLINES["STALL_SECONDS"])  # solo el silencio cuenta
    fake_openai.behaviour = Behaviour(stall_after=5)
    start = time.monotonic()
    text = "".join(deltas(chat.make_backend("openai")))
    assert time.monotonic() - start < 10 and "dejó de enviar texto" in text


# ---------------------------------------------------------------- la sesión del notebook
def run_reply(session, history) -> str:
    async def collect():
        return "".join([chunk async for chunk in session.reply(history, None)])

    return asyncio.run(collect())


def test_session_keeps_the_conversation_after_a_failure(fake_openai):
    session = chat.ChatSession().use(backend="openai", model="gpt-de-prueba", temperature=0.3,
                                     strategy="historial completo", system="Responde en una línea.")
    history = [{"role": "user", "content": "Hola"}]
    first = run_reply(session, history)
    assert first == default_reply([{"role": "system", "content": "x"}] + history)
    history += [{"role": "assistant", "content": first}, {"role": "user", "content": "¿Sigues ahí?"}]
    fake_openai.behaviour = Behaviour(status=500)
    failed = run_reply(session, history)
    assert chat.NOTICE in failed and session.last_turn[-1].error
    fake_openai.behaviour = Behaviour()
    history += [{"role": "assistant", "content": failed}, {"role": "user", "content": "¿Y ahora?"}]
    run_reply(session, history)
    sent = fake_openai.last_body()["messages"]
    assert sent == [{"role": "system", "content": "Responde en una línea."}, {"role": "user", "content": "Hola"},
                    {"role": "assistant", "content": first}, {"role": "user", "content": "¿Sigues ahí?"},
                    {"role": "user", "content": "¿Y ahora?"}]
    assert session.last_turn[-1].messages == sent and len(session.turns) == 3


def test_session_reads_controls_at_call_time(fake_ollama):
    class Control:  # como un elemento de marimo: lo que importa es su .value al momento de llamar
        value = 0.1

    temperature = Control()
    session = chat.ChatSession().use(backend="ollama", model="qwen2.5:0.5b", temperature=temperature,
                                     strategy="sin memoria")
    run_reply(session, QUESTION)
    temperature.value = 1.3
    run_reply(session, QUESTION)
    bodies = [r.body for r in fake_ollama.requests if r.path == "/api/chat"]
    assert [b["options"]["temperature"] for b in bodies] == [0.1, 1.3]
    assert {b["model"] for b in bodies} == {"qwen2.5:0.5b"}


def test_auto_session_falls_back_to_quijote_with_a_notice(fake_ollama, pretrained):
    fake_ollama.behaviour = Behaviour(cut_after=0)  # /api/tags responde, pero el chat se corta
    session = chat.ChatSession(max_tokens=20).use(backend="auto", strategy="sin memoria")
    text = run_reply(session, QUESTION)
    assert chat.INFO in text and "QuijoteGPT" in text
    answered_by = [c.backend for c in session.last_turn]
    assert answered_by[0].startswith("Ollama") and answered_by[-1].startswith("QuijoteGPT")
    assert len(session.last_turn[-1].reply) == 20
    assert chat.strip_notice(text) == session.last_turn[-1].reply  # el aviso no vuelve al modelo


def test_list_models_never_raises(clean_env, fake_ollama):
    assert chat.list_models("ollama")[0] == fake_ollama.models
    assert chat.list_models("quijote")[0] == ["quijote-gpt"]
    names, said = chat.list_models("openai")
    assert names == [] and "OPENAI_API_KEY" in said
    clean_env.setenv("OLLAMA_HOST", dead_url())
    names, said = chat.list_models("ollama")
    assert names == [] and "no responde" in said


def test_redact_hides_keys():
    os.environ.setdefault("OPENAI_API_KEY", "")
    assert "abc123" not in chat.redact("Incorrect API key provided: sk-proj-abc123****wxyz.")
    assert "AIzaSyD" not in chat.redact("key=AIzaSyD-xxxxxxxx")


# ---------------------------------------------------------------- nuestra propia API
def test_own_api_with_the_openai_client(pretrained):
    with BackgroundServer(chat.create_app()) as server:
        client = openai.OpenAI(base_url=f"{server.url}/v1", api_key="no-hace-falta", max_retries=0, timeout=30)
        assert [m.id for m in client.models.list()] == ["quijote-gpt"]
        whole = client.chat.completions.create(model="quijote-gpt", messages=QUESTION, max_tokens=25)
        assert len(whole.choices[0].message.content) == 25 and whole.usage.completion_tokens == 25
        chunks = list(client.chat.completions.create(model="quijote-gpt", messages=QUESTION, max_tokens=30,
                                                     stream=True, temperature=0.5))
        assert len("".join(c.choices[0].delta.content or "" for c in chunks)) == 30
        assert chunks[-1].choices[0].finish_reason == "length"
        same = [client.chat.completions.create(model="quijote-gpt", messages=QUESTION, max_tokens=20, seed=7)
                .choices[0].message.content for _ in range(2)]
        assert same[0] == same[1]  # con semilla, la misma respuesta
        with pytest.raises(openai.BadRequestError, match="messages"):
            client.chat.completions.create(model="quijote-gpt", messages=[])


@pytest.mark.slow
def test_serve_command_line(tmp_path):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    process = subprocess.Popen([sys.executable, "-m", "demos.chat", "serve", "--port", str(port)], cwd=ROOT,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        client = openai.OpenAI(base_url=f"http://127.0.0.1:{port}/v1", api_key="x", max_retries=0, timeout=30)
        deadline = time.monotonic() + 240  # arrancar torch en un computador ocupado puede tardar
        while True:
            try:
                models = client.models.list()
                break
            except openai.APIConnectionError:
                assert time.monotonic() < deadline and process.poll() is None, "el servidor no arrancó"
                time.sleep(0.3)
        assert [m.id for m in models] == ["quijote-gpt"]
        answer = client.chat.completions.create(model="quijote-gpt", messages=QUESTION, max_tokens=10)
        assert len(answer.choices[0].message.content) == 10
    finally:
        process.terminate()
        output = process.communicate(timeout=10)[0]
    assert "Tu propio ChatGPT escucha" in output


@pytest.mark.slow
def test_command_line_question(fake_ollama):
    env = {**os.environ, "OLLAMA_HOST": fake_ollama.url}
    result = subprocess.run([sys.executable, "-m", "demos.chat", "--cerebro", "ollama", "Hola"], cwd=ROOT,
                            env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert "Usando Ollama" in result.stdout and "«Hola»" in result.stdout


def test_auto_session_with_nothing_reachable_says_so_once(clean_env, pretrained):
    clean_env.setenv("OLLAMA_HOST", dead_url())
    session = chat.ChatSession(max_tokens=10).use(backend="auto", strategy="sin memoria")
    first, second = run_reply(session, QUESTION), run_reply(session, QUESTION)
    assert first.startswith(chat.INFO) and "QuijoteGPT" in first and chat.INFO not in second
    assert len(chat.strip_notice(first)) == 10 and len(second) == 10


def test_chosen_ollama_down_is_explained_quickly(clean_env, monkeypatch):
    for name, seconds in REAL_DEADLINES.items():
        monkeypatch.setattr(chat, name, seconds)
    clean_env.setenv("OLLAMA_HOST", dead_url())
    session = chat.ChatSession().use(backend="ollama", model="", strategy="historial completo")
    start = time.monotonic()
    text = run_reply(session, QUESTION)
    assert time.monotonic() - start < 10
    assert "No pude conectarme con Ollama" in text and session.last_turn[-1].error
