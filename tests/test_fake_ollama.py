"""El servidor falso de Ollama habla el protocolo que entiende el cliente oficial ``ollama``."""

from __future__ import annotations

import math
import time

import httpx
import ollama
import pytest

from tests.fakes import Behaviour
from tests.fakes.ollama_server import FakeOllama

MODEL = "llama3.2:1b"
QUESTION = [{"role": "user", "content": "¿Qué animal da leche y dice mu?"}]


@pytest.fixture
def fake_ollama():
    with FakeOllama() as server:
        yield server


@pytest.fixture
def client(fake_ollama):
    return ollama.Client(host=fake_ollama.url, timeout=5)


def test_lists_models_and_version(fake_ollama, client):
    names = [m.model for m in client.list().models]
    assert names == list(fake_ollama.models)
    assert httpx.get(f"{fake_ollama.url}/api/version").json()["version"]


def test_chat_stream_and_whole_answer_agree(fake_ollama, client):
    parts = list(client.chat(model=MODEL, messages=QUESTION, stream=True, options={"temperature": 0.3}))
    assert len(parts) > 3 and parts[-1].done and not any(p.done for p in parts[:-1])
    streamed = "".join(p.message.content for p in parts)
    whole = client.chat(model=MODEL, messages=QUESTION)
    assert whole.done and whole.message.role == "assistant"
    assert streamed == whole.message.content
    assert "dice mu" in streamed  # la respuesta determinista cita al usuario
    assert fake_ollama.requests[-2].body["options"]["temperature"] == 0.3


def test_num_predict_cuts_the_answer(client):
    full = client.chat(model=MODEL, messages=QUESTION)
    short = client.chat(model=MODEL, messages=QUESTION, options={"num_predict": 2})
    assert short.done_reason == "length" and full.done_reason == "stop"
    assert short.eval_count == 2 and full.message.content.startswith(short.message.content)


def test_generate_stream(client):
    parts = list(client.generate(model=MODEL, prompt="En un lugar de la Mancha", stream=True))
    text = "".join(p.response for p in parts)
    assert "En un lugar de la Mancha" in text and parts[-1].done and parts[-1].context


@pytest.mark.parametrize("stream", [False, True])
def test_logprobs_follow_temperature(client, stream):
    def first_logprobs(temperature):
        answer = client.chat(model=MODEL, messages=QUESTION, logprobs=True, top_logprobs=5, stream=stream,
                             options={"temperature": temperature})
        parts = list(answer) if stream else [answer]
        logprobs = [lp for p in parts for lp in (p.logprobs or [])]
        text = "".join(p.message.content for p in parts)
        assert "".join(lp.token for lp in logprobs) == text
        return logprobs[0]

    cold, hot = first_logprobs(0.2), first_logprobs(2.0)
    for lp in (cold, hot):
        assert len(lp.top_logprobs) == 5 and lp.top_logprobs[0].token == lp.token
        assert sum(math.exp(t.logprob) for t in lp.top_logprobs) <= 1.0 + 1e-9
    assert cold.logprob > hot.logprob  # más temperatura, distribución más plana


def test_unknown_model_is_404(client):
    with pytest.raises(ollama.ResponseError) as info:
        client.chat(model="no-existe", messages=QUESTION)
    assert info.value.status_code == 404


@pytest.mark.parametrize("status", [401, 500])
def test_http_errors(fake_ollama, client, status):
    fake_ollama.behaviour = Behaviour(status=status)
    with pytest.raises(ollama.ResponseError) as info:
        list(client.chat(model=MODEL, messages=QUESTION, stream=True))
    assert info.value.status_code == status


def test_api_key_required(fake_ollama):
    fake_ollama.api_key = "clave-correcta"
    with pytest.raises(ollama.ResponseError) as info:
        ollama.Client(host=fake_ollama.url).list()
    assert info.value.status_code == 401
    good = ollama.Client(host=fake_ollama.url, headers={"Authorization": "Bearer clave-correcta"})
    assert good.list().models


def test_stream_cut_mid_answer(fake_ollama, client):
    fake_ollama.behaviour = Behaviour(cut_after=2)
    received = []
    with pytest.raises(httpx.RemoteProtocolError):
        for part in client.chat(model=MODEL, messages=QUESTION, stream=True):
            received.append(part.message.content)
    assert len(received) == 2


def test_error_inside_stream(fake_ollama, client):
    fake_ollama.behaviour = Behaviour(error_after=3)
    with pytest.raises(ollama.ResponseError, match="falló"):
        list(client.chat(model=MODEL, messages=QUESTION, stream=True))


def test_slow_stream_and_delay_before_first_byte(fake_ollama):
    fake_ollama.behaviour = Behaviour(chunk_delay=0.05)
    start = time.monotonic()
    parts = list(ollama.Client(host=fake_ollama.url).chat(model=MODEL, messages=QUESTION, stream=True))
    assert time.monotonic() - start >= 0.05 * (len(parts) - 1)

    fake_ollama.behaviour = Behaviour(delay_first_byte=3)
    impatient = ollama.Client(host=fake_ollama.url, timeout=0.5)
    start = time.monotonic()
    with pytest.raises(httpx.TimeoutException):
        impatient.list()
    assert time.monotonic() - start < 2


def test_server_down_is_connection_error():
    with FakeOllama() as server:
        url = server.url
    with pytest.raises(ConnectionError):
        ollama.Client(host=url, timeout=2).list()


def test_delay_can_apply_to_some_routes_only(fake_ollama):
    fake_ollama.behaviour = Behaviour(delay_first_byte=3, delay_paths=("/api/chat",))
    impatient = ollama.Client(host=fake_ollama.url, timeout=1)
    assert [m.model for m in impatient.list().models] == list(fake_ollama.models)
    with pytest.raises(httpx.TimeoutException):
        impatient.chat(model=MODEL, messages=QUESTION)
