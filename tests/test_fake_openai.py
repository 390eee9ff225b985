"""El servidor falso de OpenAI habla el protocolo que entiende el cliente oficial ``openai``."""

from __future__ import annotations

import openai
import pytest

from tests.fakes import Behaviour
from tests.fakes.openai_server import FakeOpenAI

KEY = "sk-prueba"
QUESTION = [{"role": "user", "content": "¿Qué animal da leche y dice mu?"}]


@pytest.fixture
def fake_openai():
    with FakeOpenAI(api_key=KEY) as server:
        yield server


@pytest.fixture
def client(fake_openai):
    return openai.OpenAI(base_url=fake_openai.base_url, api_key=KEY, max_retries=0, timeout=5)


def test_models_and_stream_agree_with_whole_answer(fake_openai, client):
    assert [m.id for m in client.models.list()] == fake_openai.models
    chunks = list(client.chat.completions.create(model="gpt-de-prueba", messages=QUESTION, stream=True,
                                                 temperature=0.4))
    streamed = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    whole = client.chat.completions.create(model="gpt-de-prueba", messages=QUESTION)
    assert streamed == whole.choices[0].message.content and "dice mu" in streamed
    assert chunks[-1].choices[0].finish_reason == "stop"
    assert fake_openai.requests[-2].body["temperature"] == 0.4


def test_max_tokens_and_logprobs(client):
    answer = client.chat.completions.create(model="gpt-de-prueba", messages=QUESTION, max_tokens=3,
                                            logprobs=True, top_logprobs=4)
    choice = answer.choices[0]
    assert choice.finish_reason == "length" and len(choice.logprobs.content) == 3
    assert "".join(t.token for t in choice.logprobs.content) == choice.message.content
    assert all(len(t.top_logprobs) == 4 for t in choice.logprobs.content)


def test_wrong_key_is_401(fake_openai):
    bad = openai.OpenAI(base_url=fake_openai.base_url, api_key="sk-equivocada", max_retries=0)
    with pytest.raises(openai.AuthenticationError):
        bad.models.list()


def test_only_default_temperature_model(client):
    with pytest.raises(openai.BadRequestError, match="temperature"):
        client.chat.completions.create(model="razonador-t1", messages=QUESTION, temperature=0.2)
    with pytest.raises(openai.BadRequestError, match="max_completion_tokens"):
        client.chat.completions.create(model="razonador-t1", messages=QUESTION, max_tokens=5)
    ok = client.chat.completions.create(model="razonador-t1", messages=QUESTION, temperature=1,
                                        max_completion_tokens=5)
    assert ok.choices[0].message.content


def test_failures(fake_openai, client):
    fake_openai.behaviour = Behaviour(status=500)
    with pytest.raises(openai.InternalServerError):
        client.chat.completions.create(model="gpt-de-prueba", messages=QUESTION)
    fake_openai.behaviour = Behaviour(cut_after=3)
    with pytest.raises(openai.APIConnectionError):
        list(client.chat.completions.create(model="gpt-de-prueba", messages=QUESTION, stream=True))
    fake_openai.behaviour = Behaviour(error_after=3)
    with pytest.raises(openai.APIError, match="falló"):
        list(client.chat.completions.create(model="gpt-de-prueba", messages=QUESTION, stream=True))
    fake_openai.behaviour = Behaviour(delay_first_byte=3)
    impatient = openai.OpenAI(base_url=fake_openai.base_url, api_key=KEY, max_retries=0, timeout=0.5)
    with pytest.raises(openai.APITimeoutError):
        impatient.models.list()


def test_usage_arrives_at_the_end_of_the_stream_only_when_asked(client):
    asked = list(client.chat.completions.create(model="gpt-de-prueba", messages=QUESTION, stream=True,
                                                stream_options={"include_usage": True}))
    assert asked[-1].choices == [] and asked[-1].usage.completion_tokens == len(asked) - 3
    assert asked[-1].usage.prompt_tokens == len(QUESTION[0]["content"]) // 4
    plain = list(client.chat.completions.create(model="gpt-de-prueba", messages=QUESTION, stream=True))
    assert all(c.usage is None for c in plain)


def test_servers_that_reject_unknown_fields_and_echo_the_key():
    with FakeOpenAI(api_key=KEY, unsupported=("stream_options",), echo_chars=100) as server:
        good = openai.OpenAI(base_url=server.base_url, api_key=KEY, max_retries=0, timeout=5)
        with pytest.raises(openai.BadRequestError, match="stream_options") as info:
            list(good.chat.completions.create(model="gpt-de-prueba", messages=QUESTION, stream=True,
                                              stream_options={"include_usage": True}))
        assert info.value.param == "stream_options"
        bad = openai.OpenAI(base_url=server.base_url, api_key="sk-equivocada-entera", max_retries=0, timeout=5)
        with pytest.raises(openai.AuthenticationError, match="sk-equivocada-entera"):
            bad.models.list()


def test_delay_can_apply_to_some_routes_only(fake_openai, client):
    fake_openai.behaviour = Behaviour(delay_first_byte=3, delay_paths=("/v1/chat/completions",))
    impatient = openai.OpenAI(base_url=fake_openai.base_url, api_key=KEY, max_retries=0, timeout=1)
    assert [m.id for m in impatient.models.list()] == fake_openai.models
    with pytest.raises(openai.APITimeoutError):
        impatient.chat.completions.create(model="gpt-de-prueba", messages=QUESTION)
