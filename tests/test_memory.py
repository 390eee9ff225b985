"""Memoria: el paquete exacto que se envía con cada estrategia, y la prueba de la vaca."""

from __future__ import annotations

import asyncio
import re

import pytest

from demos import chat, memory
from demos.chat import backends, knobs, payload
from tests.fakes import Behaviour
from tests.fakes.openai_server import FakeOpenAI

Q1, Q2 = memory.COW_QUESTIONS
A1 = "La vaca."
SUMMARY = "El usuario preguntó qué animal da leche y dice mu; es la vaca."
HISTORY = [{"role": "user", "content": Q1}, {"role": "assistant", "content": A1},
           {"role": "user", "content": Q2}]


def knows_only_what_it_receives(messages: list[dict]) -> str:
    """Un «modelo» honesto para las pruebas: contesta solo con lo que viene en el paquete."""
    if messages[0]["content"] == payload.SUMMARY_INSTRUCTION:
        return SUMMARY if "mu" in messages[-1]["content"] else "No hay nada que resumir."
    question = messages[-1]["content"]
    everything = " ".join(m["content"] for m in messages)
    if "castrado" in question:
        return "Se llama buey." if re.search(r"\b(vaca|mu)\b", everything) else "¿De qué especie?"
    return A1


@pytest.fixture(autouse=True)
def patient_deadlines(monkeypatch):
    """Aquí no se prueban plazos: con el computador ocupado, esperamos con paciencia."""
    for name in ("FIRST_DELTA_SECONDS", "STALL_SECONDS", "SLOW_CHECK_SECONDS", "TURN_SECONDS"):
        monkeypatch.setattr(knobs, name, 120.0)


@pytest.fixture(autouse=True)
def forget_rejected_fields():
    backends._REJECTED.clear()
    yield
    backends._REJECTED.clear()


@pytest.fixture(params=["gpt-de-prueba"])
def honest_api(request, monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    with FakeOpenAI(api_key="sk-prueba") as server:
        server.behaviour = Behaviour(reply=knows_only_what_it_receives)
        monkeypatch.setenv("OPENAI_API_KEY", "sk-prueba")
        monkeypatch.setenv("OPENAI_BASE_URL", server.base_url)
        yield server, chat.make_backend("openai", request.param)


# el mismo servidor, con un modelo que solo acepta su temperatura de fábrica (1)
only_default_temperature = pytest.mark.parametrize("honest_api", ["gpt-de-prueba", "razonador-t1"],
                                                   indirect=True)


# ---------------------------------------------------------------- paquetes exactos
def test_no_memory_sends_only_the_last_question():
    assert payload.build_payload(HISTORY, "sin memoria") == [{"role": "user", "content": Q2}]
    assert payload.build_payload(HISTORY, "sin memoria", "Sé breve.") == [
        {"role": "system", "content": "Sé breve."}, {"role": "user", "content": Q2}]


def test_full_history_sends_everything():
    assert payload.build_payload(HISTORY, "historial completo") == HISTORY
    assert payload.build_payload(HISTORY, "historial completo", "Sé breve.") == [
        {"role": "system", "content": "Sé breve."}, *HISTORY]


def test_summary_replaces_old_turns_and_keeps_the_last_ones():
    long = HISTORY + [{"role": "assistant", "content": "Buey."}, {"role": "user", "content": "¿Y el macho?"}]
    assert payload.build_payload(long, "resumen", summary=SUMMARY, keep_last_turns=1) == [
        {"role": "system", "content": payload.SUMMARY_PREFIX + SUMMARY},
        {"role": "user", "content": Q2}, {"role": "assistant", "content": "Buey."},
        {"role": "user", "content": "¿Y el macho?"}]
    assert payload.build_payload(long, "resumen", summary=SUMMARY, keep_last_turns=0) == [
        {"role": "system", "content": payload.SUMMARY_PREFIX + SUMMARY}, {"role": "user", "content": "¿Y el macho?"}]
    # con pocos turnos no hay nada viejo que resumir: va todo
    assert payload.build_payload(HISTORY, "resumen", summary=SUMMARY, keep_last_turns=1) == HISTORY


def test_summary_request_is_a_transcript():
    assert payload.summary_request(HISTORY[:2]) == [
        {"role": "system", "content": payload.SUMMARY_INSTRUCTION},
        {"role": "user", "content": f"Usuario: {Q1}\nAsistente: {A1}"}]


def test_program_notices_never_go_back_to_the_model():
    noisy = [{"role": "user", "content": Q1},
             {"role": "assistant", "content": f"{A1}\n\n{chat.NOTICE} La conexión se cortó."},
             {"role": "assistant", "content": f"{chat.NOTICE} No pude conectarme."},
             {"role": "user", "content": Q2}]
    assert payload.build_payload(noisy, "historial completo") == HISTORY


def test_unknown_strategy_is_explained():
    with pytest.raises(ValueError, match="estrategia desconocida"):
        payload.build_payload(HISTORY, "telepatía")


def test_sizes_grow_turn_by_turn_only_with_memory():
    history, sizes = [], {s: [] for s in ("sin memoria", "historial completo")}
    for turn in range(4):
        history += [{"role": "user", "content": f"Pregunta número {turn}"}]
        for strategy in sizes:
            sizes[strategy].append(payload.payload_chars(payload.build_payload(history, strategy)))
        history += [{"role": "assistant", "content": "Una respuesta de largo fijo."}]
    assert len(set(sizes["sin memoria"])) == 1
    assert sizes["historial completo"] == sorted(set(sizes["historial completo"]))
    assert payload.estimate_tokens([{"role": "user", "content": "x" * 40}]) == 10


# ---------------------------------------------------------------- la prueba de la vaca
@only_default_temperature
def test_cow_test_needs_memory(honest_api):
    server, backend = honest_api
    results = {strategy: memory.cow_test(backend, strategy) for strategy in payload.STRATEGIES}

    no_memory = results["sin memoria"]
    assert no_memory[1][-1].messages == [{"role": "user", "content": Q2}]
    assert no_memory[1][-1].reply == "¿De qué especie?"

    full = results["historial completo"]
    assert full[1][-1].messages == HISTORY and full[1][-1].reply == "Se llama buey."

    summary = results["resumen"]
    summary_call, answer = summary[1]
    assert summary_call.purpose == "resumen" and summary_call.messages == payload.summary_request(HISTORY[:2])
    assert answer.messages == [{"role": "system", "content": payload.SUMMARY_PREFIX + SUMMARY},
                               {"role": "user", "content": Q2}]
    assert answer.reply == "Se llama buey."
    # lo que se registró es exactamente lo que llegó al servidor
    assert server.last_body()["messages"] == answer.messages
    calls = [c for turns in results.values() for turn in turns for c in turn]
    assert all(c.error is None for c in calls), [c.error for c in calls if c.error]


def test_cow_test_with_quijote_gpt(pretrained):
    backend = chat.EmbeddedBackend(model="quijote-gpt", seed=0)  # escribe hasta el límite: 30 caracteres
    for strategy in payload.STRATEGIES:
        turns = memory.cow_test(backend, strategy, max_tokens=30)
        assert len(turns) == 2 and all(len(turn[-1].reply) == 30 for turn in turns)
        assert turns[1][-1].messages[-1] == {"role": "user", "content": Q2}
    # QuijoteGPT también escribe el «resumen»: a su manera, como Cervantes
    assert memory.cow_test(backend, "resumen", max_tokens=30)[1][0].purpose == "resumen"


def test_summaries_are_not_requested_twice(honest_api):
    server, backend = honest_api
    summaries = payload.Summaries()
    first = payload.prepare_turn(backend, HISTORY, "resumen", summaries=summaries, keep_last_turns=0)
    second = payload.prepare_turn(backend, HISTORY, "resumen", summaries=summaries, keep_last_turns=0)
    assert len(first[0]) == 1 and second[0] == [] and first[1] == second[1]
    assert len(server.requests) == 1


def test_failed_summary_is_reported(honest_api):
    server, backend = honest_api
    server.behaviour = Behaviour(status=500)
    before, sent = payload.prepare_turn(backend, HISTORY, "resumen", keep_last_turns=0)
    assert "error interno" in before[0].error and sent == [{"role": "user", "content": Q2}]


@only_default_temperature
def test_chat_session_with_summary_shows_both_calls(honest_api):
    server, backend = honest_api
    session = chat.ChatSession().use(backend="openai", model="gpt-de-prueba", strategy="resumen")
    history = HISTORY + [{"role": "assistant", "content": "Se llama buey."},
                         {"role": "user", "content": "¿Y cómo se llama la cría?"}]

    async def collect():
        return "".join([c async for c in session.reply(history)])

    session.use(temperature=1.0)  # con la perilla en 1, también el resumen (temperatura 0,3) tiene que salir
    text = asyncio.run(collect())
    purposes = [c.purpose for c in session.last_turn]
    assert purposes == ["resumen", "respuesta"] and chat.NOTICE not in text
    assert session.last_turn[0].reply == SUMMARY and text == session.last_turn[-1].reply == A1
    assert session.last_turn[-1].messages[0]["content"].startswith(payload.SUMMARY_PREFIX)


# ---------------------------------------------------------------- roles, few-shot, llamadas encadenadas
@only_default_temperature
def test_roles_and_few_shot_are_sent_as_written(honest_api):
    server, backend = honest_api
    for example in (memory.ROLES_EXAMPLE, memory.FEW_SHOT_EXAMPLE):
        made = payload.call(backend, example)
        assert made.error is None and server.last_body()["messages"] == example


@only_default_temperature
def test_chained_calls_feed_each_answer_into_the_next(honest_api):
    server, backend = honest_api
    calls = memory.chained_calls(backend)
    assert all(c.error is None for c in calls), [c.error for c in calls]
    assert [c.purpose for c in calls] == ["paso 1", "paso 2", "paso 3"]
    assert [len(c.messages) for c in calls] == [1, 3, 5]
    assert calls[2].messages[1] == {"role": "assistant", "content": calls[0].reply}
    assert memory.CHAIN_PROBLEM in calls[0].messages[0]["content"]


def test_chained_calls_stop_at_the_first_error(honest_api):
    server, backend = honest_api
    server.behaviour = Behaviour(status=401)
    calls = memory.chained_calls(backend)
    assert len(calls) == 1 and "rechazó la clave" in calls[0].error


# ---------------------------------------------------------------- para mirar
def test_calls_html_escapes_cuts_and_hides_keys():
    made = payload.Call("respuesta", "Prueba", [
        {"role": "user", "content": "<script>alert(1)</script> sk-proj-abcdef123456"},
        {"role": "user", "content": "a" * 5000}], reply="ok")
    page = memory.calls_html([made])
    assert "<script>" not in page and "&lt;script&gt;" in page
    assert "abcdef123456" not in page and "4.400 caracteres más" in page and 'dir="auto"' in page
    assert memory.size_text(made).startswith("5.046 caracteres · ≈ 1.262 tokens")


def test_numbers_and_plurals_are_written_the_chilean_way(honest_api):
    server, backend = honest_api
    one = payload.Call("respuesta", "Prueba", [{"role": "user", "content": "x"}], reply="ok")
    assert memory.size_text(one) == "1 carácter · ≈ 1 token (estimado: 1 cada 4 caracteres)"
    table = memory.cow_table_html({"sin memoria": [[one]]})
    assert "1 mensaje<br>" in table and "1 mensajes" not in table
    big = payload.Call("respuesta", "Prueba", [{"role": "user", "content": "y" * 12_345}])
    assert "12.345" in memory.curtain_html([[big]]) and "12,345" not in memory.curtain_html([[big]])


def test_command_line_cow_test_counts_in_spanish(honest_api, capsys, monkeypatch):
    monkeypatch.setenv("OPENAI_MODEL", "gpt-de-prueba")
    memory.main(["openai"])
    out = capsys.readouterr().out
    assert "se enviaron 1 mensaje, " in out and "se enviaron 3 mensajes, " in out and "1 mensajes" not in out
