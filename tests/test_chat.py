"""Los tres cerebros del chat, con sus clientes oficiales, contra servidores HTTP reales en 127.0.0.1."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import re
import socket
import subprocess
import sys
import time

import httpx
import openai
import pytest

from demos import chat, memory
from demos.chat import backends, knobs, payload
from tests.conftest import ROOT
from tests.fakes import BackgroundServer, Behaviour, default_reply, split_tokens
from tests.fakes.ollama_server import FakeOllama
from tests.fakes.openai_server import FakeOpenAI

CANARY = "sk-canary-0123456789abcdef"
QUESTION = [{"role": "user", "content": "¿Qué animal da leche y dice mu?"}]
EXPECTED = default_reply(QUESTION)


REAL_DEADLINES = {name: getattr(knobs, name) for name in ("FIRST_DELTA_SECONDS", "STALL_SECONDS",
                                                         "SLOW_CHECK_SECONDS", "TURN_SECONDS")}
# Las pruebas con servidores de verdad corren con el tiempo a escala: todos los plazos × 0,2 (y la
# velocidad mínima × 5), así un plazo de 8 s se prueba en 1,6 s. Los plazos de verdad se prueban
# aparte, con un reloj de mentira (``Watch``), sin esperar nada.
SCALE = 0.2
QUICK = 10 * SCALE + 1.0  # «antes de 10 s», a escala, con un segundo de margen para un computador ocupado


def scaled_deadlines(monkeypatch) -> None:
    for name, seconds in REAL_DEADLINES.items():
        monkeypatch.setattr(knobs, name, seconds * SCALE)
    monkeypatch.setattr(knobs, "MIN_CHARS_PER_SECOND", knobs.MIN_CHARS_PER_SECOND / SCALE)


@pytest.fixture(autouse=True)
def patient_deadlines(monkeypatch):
    """Con el computador muy ocupado, un servidor local puede tardar segundos en contestar: salvo en
    las pruebas de plazos, esperamos con paciencia para que la prueba mida lo que dice medir."""
    for name in REAL_DEADLINES:
        monkeypatch.setattr(knobs, name, 120.0)


@pytest.fixture(autouse=True)
def forget_rejected_fields():
    """Lo que un servidor rechazó se recuerda por dirección: cada prueba parte sin recuerdos."""
    backends._REJECTED.clear()
    yield
    backends._REJECTED.clear()


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
    assert chat.make_backend("quijote").models() == ["quijote-chat", "quijote-gpt"]
    backend = chat.make_backend("quijote", "quijote-gpt")  # QuijoteGPT no cierra turnos: escribe hasta el límite
    assert backend.available() and backend.name == "QuijoteGPT"
    raw = list(backend.stream(QUESTION, max_tokens=40, temperature=0.8))
    assert len(raw) == 40 and all(len(p) == 1 for p in raw)
    text = "".join(deltas(backend, max_tokens=40, temperature=0.8))
    assert len(text) == 40 and chat.NOTICE not in text


def test_embedded_generation_uses_one_torch_thread_and_restores_it(pretrained):
    import torch

    before = torch.get_num_threads()
    during = []
    for _ in chat.EmbeddedBackend(model="quijote-gpt").stream(QUESTION, max_tokens=3):
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


def test_embedded_reply_for_the_chat_box_survives_odd_input(pretrained):
    for text in ["", "\x00\x01", "مرحبا بالعالم", "👩‍👩‍👧‍👦", "ñandú " * 20_000]:
        out = "".join(chat.embedded_reply([{"role": "user", "content": text}], {"max_tokens": 15}))
        assert len(out) <= 15 and chat.NOTICE not in out  # QuijoteChat puede cerrar su turno antes


def test_quijote_chat_is_the_default_and_stops_at_end_of_turn(pretrained):
    backend = chat.make_backend("quijote")
    assert backend.name == "QuijoteChat" and backend.model == "quijote-chat"
    brains = [chat.EmbeddedBackend(seed=s) for s in range(5)]
    long = ["".join(brain.stream(QUESTION, max_tokens=400)) for brain in brains]
    # cierra su turno el 96 % de las veces: con cinco semillas, al menos cuatro (el sorteo depende de la CPU)
    ended = [len(text) for brain, text in zip(brains, long, strict=True) if brain.finished]
    assert len(ended) >= 4 and all(n < 400 for n in ended), long
    seed = next(s for s, brain in enumerate(brains) if brain.finished and len(long[s]) > 2)
    short = chat.EmbeddedBackend(seed=seed)
    assert "".join(short.stream(QUESTION, max_tokens=2)) == long[seed][:2] and short.finished is False


def test_quijote_chat_says_it_ignores_the_system_message(pretrained):
    backend = chat.EmbeddedBackend()
    with_system = [{"role": "system", "content": "Responde solo «sí»."}, *QUESTION]
    assert "sistema" in backend.cut_note(with_system) and backend.cut_note(QUESTION) is None
    assert backend.template(with_system) == "<|usuario|>¿Qué animal da leche y dice mu?<|fin|><|asistente|>"
    made = payload.new_call(backend, with_system, "respuesta")
    assert "&lt;|usuario|&gt;" in memory.calls_html([made]) and "se omite" in memory.calls_html([made])


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


def test_reasoning_models_answer_without_temperature_and_say_so(fake_openai):
    backend = chat.make_backend("openai", "razonador-t1")
    text = "".join(deltas(backend, temperature=0.5, max_tokens=50))
    answer, _, note = text.partition(chat.INFO)
    assert answer.strip() == EXPECTED and chat.NOTICE not in text
    assert "solo acepta su temperatura de fábrica (1)" in note and "perilla" in note
    bodies = [r.body for r in fake_openai.requests]
    assert bodies[0]["temperature"] == 0.5 and bodies[0]["max_tokens"] == 50  # rechazada: temperatura
    assert "temperature" not in bodies[-1] and bodies[-1]["max_completion_tokens"] == 50
    assert chat.strip_notice(text) == EXPECTED  # la nota no vuelve al modelo
    # lo que rechazó se recuerda: la siguiente llamada sale bien a la primera, y con temperatura 1 no hay nota
    sent = len(fake_openai.requests)
    again = "".join(deltas(backend, temperature=1.0, max_tokens=5))
    assert again == "".join(split_tokens(EXPECTED)[:5]) and len(fake_openai.requests) == sent + 1


def test_openai_asks_for_real_token_counts_and_copes_without_them(clean_env):
    for unsupported in ((), ("stream_options",)):
        backends._REJECTED.clear()
        with FakeOpenAI(api_key=CANARY, unsupported=unsupported) as server:
            clean_env.setenv("OPENAI_API_KEY", CANARY)
            clean_env.setenv("OPENAI_BASE_URL", server.base_url)
            session = chat.ChatSession().use(backend="openai", model="gpt-de-prueba", strategy="sin memoria")
            assert run_reply(session, QUESTION) == EXPECTED
            answer = session.last_turn[-1]
            assert server.last_body().get("stream_options") == (None if unsupported else {"include_usage": True})
        if unsupported:  # el servidor no la conoce: se pide otra vez sin ella y el panel estima
            assert server.requests[-2].body["stream_options"] == {"include_usage": True}
            assert answer.reported_tokens is None and "estimado" in memory.size_text(answer)
        else:  # la cuenta del servidor (el falso cuenta 1 token cada 4 caracteres)
            assert answer.reported_tokens == len(QUESTION[0]["content"]) // 4
            assert "según el servidor" in memory.size_text(answer)


def test_dotenv_file_is_read_but_never_overrides_the_environment(clean_env, tmp_path):
    with FakeOpenAI(api_key="sk-desde-archivo") as server:
        (tmp_path / ".env").write_text(f"OPENAI_API_KEY=sk-desde-archivo\nOPENAI_BASE_URL={server.base_url}\n"
                                       "OPENAI_MODEL=gpt-de-prueba\n", encoding="utf-8")
        assert "".join(deltas(chat.make_backend("openai"))) == EXPECTED
        os.environ["OPENAI_API_KEY"] = "sk-del-entorno"
        assert chat.make_backend("openai").api_key == "sk-del-entorno"


# ---------------------------------------------------------------- automático
def test_auto_prefers_ollama_then_an_api_that_answers_then_quijote(clean_env):
    clean_env.setenv("OLLAMA_HOST", dead_url())
    backend, said = chat.pick_backend("auto")
    assert isinstance(backend, chat.EmbeddedBackend) and "ni una clave" in said
    with FakeOpenAI(api_key=CANARY) as api:
        clean_env.setenv("OPENAI_API_KEY", CANARY)
        clean_env.setenv("OPENAI_BASE_URL", api.base_url)
        backend, said = chat.pick_backend("auto")
        assert isinstance(backend, chat.OpenAIBackend) and "API" in said and CANARY not in said
        assert api.requests[-1].path == "/v1/models"  # se le preguntó, con la clave
        assert api.requests[-1].headers["authorization"] == f"Bearer {CANARY}"
        with FakeOllama() as server:
            clean_env.setenv("OLLAMA_HOST", server.url)
            backend, said = chat.pick_backend("auto")
        assert isinstance(backend, chat.OllamaBackend) and "Ollama" in said and backend.model == "llama3.2:1b"


@pytest.mark.parametrize("trouble", ["sin conexión", "clave rechazada"])
def test_auto_with_a_key_but_no_answering_api_uses_quijote_and_says_why(clean_env, trouble):
    clean_env.setenv("OLLAMA_HOST", dead_url())
    clean_env.setenv("OPENAI_API_KEY", CANARY)
    with FakeOpenAI(api_key="sk-otra-clave-0123456789", echo_chars=100) as api:
        clean_env.setenv("OPENAI_BASE_URL", dead_url() + "/v1" if trouble == "sin conexión" else api.base_url)
        backend, said = chat.pick_backend("auto")
    assert isinstance(backend, chat.EmbeddedBackend) and "Uso QuijoteChat" in said
    assert ("No pude conectarme" if trouble == "sin conexión" else "rechazó la clave (error 401)") in said
    assert CANARY not in said and "Incorrect" not in said


# ---------------------------------------------------------------- fallas: siempre un mensaje en castellano
FAILURES = {
    "servidor apagado": (None, "No pude conectarme"),
    "clave equivocada (401)": (Behaviour(status=401), "rechazó la clave"),
    "error interno (500)": (Behaviour(status=500), "error interno (HTTP 500)"),
    "tarda en contestar": (Behaviour(delay_first_byte=30 * SCALE), "no contestó en {FIRST_DELTA_SECONDS:.0f} segundos"),
    "corte a mitad": (Behaviour(cut_after=3), "se cortó a mitad"),
    "error a mitad": (Behaviour(error_after=3), "a mitad de la respuesta"),
    "flujo muy lento": (Behaviour(chunk_delay=2.5 * SCALE), "demasiado lenta"),
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
    assert expected.format(**vars(knobs)) in message, text
    if failure in ("corte a mitad", "error a mitad", "flujo muy lento", "se queda callado"):
        assert answer.strip() and EXPECTED.startswith(answer.strip())  # lo que llegó se conserva
    assert CANARY not in text and CANARY not in caplog.text
    return elapsed


@pytest.mark.parametrize("failure", list(FAILURES))
@pytest.mark.parametrize("kind", ["ollama", "openai"])
def test_every_failure_becomes_a_spanish_message_before_the_turn_ends(request, clean_env, kind, failure, caplog,
                                                                      monkeypatch):
    scaled_deadlines(monkeypatch)
    assert check_failure(request, kind, failure, caplog) < QUICK


def test_stall_after_some_text_is_cut(fake_openai, monkeypatch):
    monkeypatch.setattr(knobs, "STALL_SECONDS", REAL_DEADLINES["STALL_SECONDS"] * SCALE)  # solo el silencio cuenta
    fake_openai.behaviour = Behaviour(stall_after=5)
    start = time.monotonic()
    text = "".join(deltas(chat.make_backend("openai")))
    assert time.monotonic() - start < QUICK and "dejó de enviar texto" in text


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
    assert chat.INFO in text and "QuijoteChat" in text
    answered_by = [c.backend for c in session.last_turn]
    assert answered_by[0].startswith("Ollama") and answered_by[-1].startswith("QuijoteChat")
    assert 0 < len(session.last_turn[-1].reply) <= 20  # QuijoteChat puede cerrar su turno antes
    # el aviso no vuelve al modelo (strip_notice quita también los espacios de los bordes, y el sorteo
    # sin semilla a veces termina la respuesta en un espacio)
    assert chat.strip_notice(text) == session.last_turn[-1].reply.strip()


def test_list_models_never_raises(clean_env, fake_ollama):
    assert chat.list_models("ollama")[0] == fake_ollama.models
    assert chat.list_models("quijote")[0] == ["quijote-chat", "quijote-gpt"]
    names, said = chat.list_models("openai")
    assert names == [] and "OPENAI_API_KEY" in said
    clean_env.setenv("OLLAMA_HOST", dead_url())
    names, said = chat.list_models("ollama")
    assert names == [] and "no responde" in said


def test_redact_hides_keys_but_not_ordinary_words(clean_env):
    assert "abc123" not in chat.redact("Incorrect API key provided: sk-proj-abc123****wxyz.")
    assert "AIzaSyD" not in chat.redact("key=AIzaSyD-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx")
    assert "gsk_" not in chat.redact("gsk_0123456789abcdefABCDEF") and "xai-" not in chat.redact("xai-0123456789abcdef")
    words = "Una task-force en el kiosk-abcdefghijklmnopq junto al desk-top; sk-learn no es una clave."
    assert chat.redact(words) == words
    clean_env.setenv("OPENAI_API_KEY", "clave-sin-forma-conocida")  # la clave de verdad, tenga la forma que tenga
    assert chat.redact("me llegó clave-sin-forma-conocida") == "me llegó «clave oculta»"
    assert chat.redact("y esta: otra-clave-123", "otra-clave-123") == "y esta: «clave oculta»"


def test_only_our_notices_are_stripped_before_resending():
    written = "Antes de mezclar productos:\n\n⚠️ Nunca mezcles cloro con amoníaco.\nℹ️ Dato: ventila."
    assert chat.strip_notice(written) == written  # lo que escribió el modelo se conserva entero
    ours = chat.info_line("Uso QuijoteGPT.") + written + chat.notice("La conexión se cortó.")
    assert chat.strip_notice(ours) == written
    assert chat.strip_notice(written + chat.info_line("Solo acepta temperatura 1.", at_end=True)) == written


def test_message_text_reads_openai_parts_and_cleans_lone_surrogates():
    parts = {"role": "user", "content": [{"type": "text", "text": "En un lugar"},
                                         {"type": "image_url", "image_url": {"url": "data:..."}},
                                         {"type": "text", "text": " de la Mancha"}]}
    assert chat.message_text(parts) == "En un lugar de la Mancha"
    assert chat.message_text({"role": "user", "content": "mitad \ud83d"}) == "mitad \ufffd"
    assert chat.plain_messages([{"role": "assistant", "content": None}, parts]) == [
        {"role": "user", "content": "En un lugar de la Mancha"}]


@pytest.mark.parametrize("status, english", [(404, "does not exist"), (401, "Incorrect API key"),
                                             (500, "HTTP 500 de prueba"), (429, "HTTP 429 de prueba")])
def test_known_http_errors_are_spanish_only(fake_openai, status, english):
    model = "no-existe" if status == 404 else "gpt-de-prueba"
    if status == 401:
        fake_openai.api_key = "sk-otra-clave-0123456789"
    elif status != 404:
        fake_openai.behaviour = Behaviour(status=status)
    text = "".join(deltas(chat.make_backend("openai", model)))
    assert f"{status}" in text and english not in text and "Detalle" not in text, text


def test_unexpected_failures_are_spanish_only(clean_env):
    class Broken(chat.Backend):
        def stream(self, messages, **kw):
            "€".encode("ascii")  # UnicodeEncodeError: 'ascii' codec can't encode…
            yield ""

    text = "".join(deltas(Broken(name="Prueba")))
    assert "Algo inesperado falló al hablar con Prueba" in text
    assert "Unicode" not in text and "codec" not in text and "Detalle" not in text


def test_openai_without_a_key_says_which_variable_is_missing(clean_env):
    session = chat.ChatSession().use(backend="openai", model="gpt-de-prueba", strategy="sin memoria")
    text = run_reply(session, QUESTION)
    assert "OPENAI_API_KEY" in text and ".env" in text and "No pude conectarme" not in text
    assert session.last_turn[-1].error


def test_list_models_puts_the_configured_model_first(clean_env):
    with FakeOpenAI(models=["aaa-primero", "gpt-de-prueba", "zzz-configurado"], api_key=CANARY) as server:
        clean_env.setenv("OPENAI_API_KEY", CANARY)
        clean_env.setenv("OPENAI_BASE_URL", server.base_url)
        assert chat.list_models("openai")[0] == ["aaa-primero", "gpt-de-prueba", "zzz-configurado"]
        clean_env.setenv("OPENAI_MODEL", "zzz-configurado")
        assert chat.list_models("openai")[0][0] == "zzz-configurado"
        clean_env.setenv("OPENAI_MODEL", "gemini-2.0-flash")  # Gemini lista sus modelos como «models/…»
        assert chat.list_models("openai")[0] == ["gemini-2.0-flash", "aaa-primero", "gpt-de-prueba",
                                                 "zzz-configurado"]
    with FakeOllama() as server:
        clean_env.setenv("OLLAMA_HOST", server.url)
        clean_env.setenv("OLLAMA_MODEL", "qwen2.5:0.5b")
        assert chat.list_models("ollama")[0] == ["qwen2.5:0.5b", "llama3.2:1b"]
        clean_env.setenv("OLLAMA_MODEL", "no-descargado:7b")
        names, said = chat.list_models("ollama")
    assert names == ["llama3.2:1b", "qwen2.5:0.5b"] and "ollama pull no-descargado:7b" in said


# ---------------------------------------------------------------- plazos: el inicio lento no es lentitud
@pytest.mark.parametrize("kind", ["ollama", "openai"])
def test_a_slow_start_then_fast_stream_is_not_cut(request, monkeypatch, kind):
    """Un modelo que tarda en partir (cargándose) y después escribe rápido: llega entera."""
    server = request.getfixturevalue(f"fake_{kind}")
    scaled_deadlines(monkeypatch)
    monkeypatch.setattr(knobs, "FIRST_DELTA_SECONDS", 120.0)  # aquí solo cuenta la revisión de velocidad
    monkeypatch.setattr(knobs, "TURN_SECONDS", 120.0)
    server.behaviour = Behaviour(delay_first_byte=6.5 * SCALE)
    backend = chat.make_backend(kind, "llama3.2:1b" if kind == "ollama" else "gpt-de-prueba")
    text = "".join(deltas(backend))
    assert text == EXPECTED, text


def timed_reply(session, history) -> tuple[str, float]:
    """La respuesta completa y cuántos segundos pasaron hasta el primer pedazo visible."""
    async def collect():
        start, first, chunks = time.monotonic(), None, []
        async for chunk in session.reply(history, None):
            first = first or time.monotonic() - start
            chunks.append(chunk)
        return "".join(chunks), first

    return asyncio.run(collect())


COW_HISTORY = [{"role": "user", "content": "¿Qué animal da leche y dice mu?"},
               {"role": "assistant", "content": "La vaca."},
               {"role": "user", "content": "¿Cómo se llama un animal castrado de esa especie?"}]


def test_summary_and_answer_share_one_turn_deadline(fake_openai, monkeypatch):
    """Resumen (6 s) + respuesta (otros 6 s) = 12 s: el turno corta antes de 10 s y lo dice (a escala)."""
    scaled_deadlines(monkeypatch)
    fake_openai.behaviour = Behaviour(delay_first_byte=6 * SCALE, delay_paths=("/v1/chat/completions",))
    session = chat.ChatSession().use(backend="openai", model="gpt-de-prueba", strategy="resumen")
    session.summaries = payload.Summaries()
    start = time.monotonic()
    text, _ = timed_reply(session, COW_HISTORY + [{"role": "assistant", "content": "Buey."},
                                                  {"role": "user", "content": "¿Y la cría?"}])
    assert time.monotonic() - start < QUICK
    assert chat.NOTICE in text and "plazo del turno" in text, text
    summary, answer = session.last_turn
    assert summary.purpose == "resumen" and not summary.error and answer.error


def test_auto_fallback_arrives_within_the_turn_deadline(fake_ollama, monkeypatch, pretrained):
    scaled_deadlines(monkeypatch)
    fake_ollama.behaviour = Behaviour(delay_first_byte=6 * SCALE, delay_paths=("/api/chat",))  # la lista sí responde
    session = chat.ChatSession(max_tokens=20).use(backend="auto", strategy="resumen")
    text, first = timed_reply(session, COW_HISTORY + [{"role": "assistant", "content": "Buey."},
                                                      {"role": "user", "content": "¿Y la cría?"}])
    assert first < QUICK and text.startswith(chat.INFO) and "Contesta QuijoteChat" in text, (first, text)
    assert session.last_turn[-1].kind == "quijote" and 0 < len(session.last_turn[-1].reply) <= 20
    assert session.speaker_kind("auto") == "quijote"


# ---------------------------------------------------------------- la conversación que marimo borra
def test_clearing_the_chat_starts_the_record_over(fake_openai):
    session = chat.ChatSession().use(backend="openai", model="gpt-de-prueba", strategy="resumen")
    history = [{"role": "user", "content": "Hola"}]
    for question in ("¿Y?", "¿Y entonces?"):
        history += [{"role": "assistant", "content": run_reply(session, history)},
                    {"role": "user", "content": question}]
    run_reply(session, history)
    assert len(session.turns) == 3 and session.summaries._known  # el tercer turno ya pidió un resumen
    run_reply(session, history)  # el mismo pedido otra vez (reintento): se rehace el último turno
    assert len(session.turns) == 3
    run_reply(session, [{"role": "user", "content": "Empecemos de nuevo"}])  # «Clear chat» en marimo
    assert len(session.turns) == 1 and not session.summaries._known
    assert session.last_turn[-1].messages == [{"role": "user", "content": "Empecemos de nuevo"}]


def test_the_curtain_empties_as_soon_as_the_chat_is_cleared(fake_openai):
    session = chat.ChatSession().use(backend="openai", model="gpt-de-prueba", strategy="historial completo")
    answer = run_reply(session, QUESTION)
    session.sync(QUESTION + [{"role": "assistant", "content": answer}])  # lo que marimo muestra al terminar
    assert len(session.turns) == 1
    session.sync([])  # la papelera de marimo
    assert session.turns == [] and "Todavía no hay mensajes" in memory.curtain_html(session.turns)
    run_reply(session, QUESTION)
    assert len(session.turns) == 1


# ---------------------------------------------------------------- nuestra propia API
def test_own_api_with_the_openai_client(pretrained):
    with BackgroundServer(chat.create_app()) as server:
        client = openai.OpenAI(base_url=f"{server.url}/v1", api_key="no-hace-falta", max_retries=0, timeout=30)
        assert [m.id for m in client.models.list()] == ["quijote-chat", "quijote-gpt"]
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


def test_own_api_says_stop_when_quijote_chat_ends_its_turn(pretrained):
    """quijote-chat (el modelo por defecto) cierra su turno: «stop»; cortado por max_tokens: «length»."""
    with BackgroundServer(chat.create_app()) as server:
        client = openai.OpenAI(base_url=f"{server.url}/v1", api_key="no-hace-falta", max_retries=0, timeout=60)
        # la primera semilla con la que cierra su turno (lo hace el 96 % de las veces)
        for seed in range(1, 6):
            whole = client.chat.completions.create(model="quijote-chat", messages=QUESTION, max_tokens=400, seed=seed)
            if whole.choices[0].finish_reason == "stop" and len(whole.choices[0].message.content) > 2:
                break
        streamed = list(client.chat.completions.create(model="quijote-chat", messages=QUESTION, max_tokens=400,
                                                       seed=seed, stream=True))
        cut = client.chat.completions.create(model="quijote-chat", messages=QUESTION, max_tokens=2, seed=seed)
        copied = client.chat.completions.create(model="gpt-4o-mini", messages=QUESTION, max_tokens=400, seed=seed)
    text = whole.choices[0].message.content
    assert whole.choices[0].finish_reason == "stop" and 2 < len(text) < 400, text
    assert "".join(c.choices[0].delta.content or "" for c in streamed) == text
    assert streamed[-1].choices[0].finish_reason == "stop"
    assert cut.choices[0].finish_reason == "length" and cut.choices[0].message.content == text[:2]
    # un nombre de otro servidor, copiado de un ejemplo: contesta el modelo por defecto y lo dice
    assert copied.model == "quijote-chat" and copied.choices[0].message.content == text


def post(url: str, body) -> httpx.Response:
    content = body if isinstance(body, str) else json.dumps(body)
    return httpx.post(url, content=content, headers={"content-type": "application/json"}, timeout=60)


BAD_REQUESTS = {
    "semilla que no es número": ('{"messages": [{"role": "user", "content": "Hola"}], "seed": "abc"}', "seed"),
    "max_tokens infinito": ('{"messages": [{"role": "user", "content": "Hola"}], "max_tokens": 1e400}', "max_tokens"),
    "max_tokens cero": ('{"messages": [{"role": "user", "content": "Hola"}], "max_tokens": 0}', "max_tokens"),
    "temperatura de texto": ('{"messages": [{"role": "user", "content": "Hola"}], "temperature": "x"}',
                             "temperature"),
    "temperatura NaN": ('{"messages": [{"role": "user", "content": "Hola"}], "temperature": NaN}', "temperature"),
    "temperatura 5": ('{"messages": [{"role": "user", "content": "Hola"}], "temperature": 5}', "temperature"),
    "contenido número": ('{"messages": [{"role": "user", "content": 7}]}', "messages"),
    "mensajes que no son objetos": ('{"messages": ["Hola"]}', "messages"),
    "cuerpo que no es objeto": ("[1, 2]", None),
    "no es JSON": ("{esto no", None),
}


@pytest.mark.parametrize("stream", [False, True])
def test_own_api_answers_bad_requests_with_a_spanish_400(pretrained, stream):
    with BackgroundServer(chat.create_app()) as server:
        for name, (raw, param) in BAD_REQUESTS.items():
            raw = raw if not stream or not raw.startswith('{"') else raw[:-1] + ', "stream": true}'
            answer = post(f"{server.url}/v1/chat/completions", raw)
            assert answer.status_code == 400, (name, answer.text)
            error = answer.json()["error"]
            assert error["type"] == "invalid_request_error" and error["param"] == param, name
            assert re.search(r"debe|Falta|JSON válido", error["message"]) and "Traceback" not in answer.text, name


def test_own_api_unknown_routes_and_methods_answer_in_spanish(pretrained):
    with BackgroundServer(chat.create_app()) as server:
        missing = httpx.get(f"{server.url}/v1/no-existe", timeout=30)
        wrong = httpx.get(f"{server.url}/v1/chat/completions", timeout=30)
    assert missing.status_code == 404 and "No existe la ruta «/v1/no-existe»" in missing.json()["error"]["message"]
    assert wrong.status_code == 405 and "no acepta GET" in wrong.json()["error"]["message"]
    assert "Not Found" not in missing.text and "Method Not Allowed" not in wrong.text


def test_own_api_reads_openai_content_parts_and_odd_numbers(pretrained):
    parts = [{"type": "text", "text": "En un lugar"}, {"type": "text", "text": " de la Mancha"}]
    with BackgroundServer(chat.create_app()) as server:
        client = openai.OpenAI(base_url=f"{server.url}/v1", api_key="no-hace-falta", max_retries=0, timeout=60)
        answer = client.chat.completions.create(model="quijote-gpt", max_tokens=5, seed=2**70,
                                                messages=[{"role": "user", "content": parts}])
        whole = post(f"{server.url}/v1/chat/completions", {"messages": [{"role": "user", "content": "Hola"}],
                                                           "max_tokens": 4.0, "seed": -3,
                                                           "model": "quijote-gpt"})
    # lo que QuijoteGPT leyó es el texto de las partes y un salto de línea, no la lista de Python
    assert answer.usage.prompt_tokens == len("En un lugar de la Mancha\n")
    assert whole.status_code == 200 and whole.json()["usage"]["completion_tokens"] == 4


@pytest.mark.slow
def test_serve_on_a_taken_port_says_so_in_spanish():
    """Con la forma en inglés de antes (serve --port), que sigue sirviendo."""
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run([sys.executable, "-m", "demos.chat", "serve", "--port", str(port)], cwd=ROOT,
                                capture_output=True, text=True, timeout=300)
    output = result.stdout + result.stderr
    assert result.returncode != 0 and f"El puerto {port} ya está en uso" in output
    assert "Tu propio ChatGPT escucha" not in output and "Errno" not in output and "address" not in output
    bad = subprocess.run([sys.executable, "-m", "demos.chat", "serve", "--port", "99999"], cwd=ROOT,
                         capture_output=True, text=True, timeout=300)
    assert bad.returncode != 0 and "el puerto debe estar entre 1 y 65.535" in bad.stderr


@pytest.mark.slow
def test_serve_command_line(tmp_path):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    process = subprocess.Popen([sys.executable, "-m", "demos.chat", "servir", "--puerto", str(port)], cwd=ROOT,
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
        assert [m.id for m in models] == ["quijote-chat", "quijote-gpt"]
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
    first = run_reply(session, QUESTION)
    second = run_reply(session, QUESTION + [{"role": "assistant", "content": first},
                                            {"role": "user", "content": "Cuéntame más"}])
    assert first.startswith(chat.INFO) and "QuijoteChat" in first and chat.INFO not in second
    assert 0 < len(first.partition("\n\n")[2]) <= 10 and 0 < len(second) <= 10
    assert len(session.turns) == 2


def test_chosen_ollama_down_is_explained_quickly(clean_env, monkeypatch):
    for name, seconds in REAL_DEADLINES.items():
        monkeypatch.setattr(knobs, name, seconds)
    clean_env.setenv("OLLAMA_HOST", dead_url())
    session = chat.ChatSession().use(backend="ollama", model="", strategy="historial completo")
    start = time.monotonic()
    text = run_reply(session, QUESTION)
    assert time.monotonic() - start < 10
    assert "No pude conectarme con Ollama" in text and session.last_turn[-1].error
