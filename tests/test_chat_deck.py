"""Las diapositivas de memoria y chat dentro del notebook: el cableado funciona y la clave no se filtra."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys

import pytest

from demos import chat, memory
from demos.chat import payload, widget
from tests.conftest import ROOT
from tests.fakes.openai_server import FakeOpenAI
from tests.test_chat import dead_url
from tests.test_deck import page_contains

CANARY = "sk-canary-7f3a9c1e5b2d4086"
DOTENV_CANARY = "sk-canary-desde-archivo-0042"


def test_deck_chat_session_reads_the_slide_controls(deck_run, pretrained):
    _, defs = deck_run
    session, box = defs["chat_sesion"], defs["chat_caja"]
    assert session.setting("backend") == "quijote" and session.setting("strategy") == "historial completo"
    assert session.setting("model") == "quijote-chat" and box.widget.reply == session.reply

    async def ask(history):
        return "".join([chunk async for chunk in session.reply(history)])

    first = [{"role": "user", "content": "¿Qué animal da leche y dice mu?"}]
    answer = asyncio.run(ask(first))
    second = first + [{"role": "assistant", "content": answer}, {"role": "user", "content": "¿Y castrado?"}]
    asyncio.run(ask(second))
    sent = session.last_turn[-1].messages
    assert sent == payload.build_payload(second, "historial completo")
    page = memory.curtain_html(session.turns)
    assert "¿Y castrado?" in page and "uno por carácter" in page


def test_deck_says_who_answers(deck_run):
    _, defs = deck_run
    survey, session = defs["chat_disponibles"], defs["chat_sesion"]
    assert set(survey.states) == {"quijote", "ollama", "openai"} and survey.states["quijote"][0]
    assert "Automático" in survey.markdown() and survey.auto in chat.CHOICES
    assert session.speaker_kind("quijote") == "quijote"
    assert session.speaker_kind("auto", survey.auto) == survey.auto
    # sin letra de emojis (un Linux recién instalado), ✅ y ❌ se verían como el mismo cuadrito
    assert f"✔ **{chat.CHOICES['quijote']}**" in survey.markdown()
    assert not any(ord(char) >= 0x1F000 or char in "✅❌" for char in survey.markdown())


@pytest.mark.slow
def test_canary_key_never_appears_in_the_exported_deck(tmp_path):
    """La exportación lee la clave (de .env), la manda a un servidor que la rechaza y la repite entera
    en su error; la página muestra que la clave fue rechazada, pero nunca la clave."""
    with FakeOpenAI(api_key="sk-la-clave-correcta-0123456789", echo_chars=100) as api:
        (tmp_path / ".env").write_text(f"OPENAI_API_KEY={DOTENV_CANARY}\n", encoding="utf-8")
        out = tmp_path / "taller.html"
        env = {k: v for k, v in os.environ.items() if k not in ("OPENAI_API_KEY", "OPENAI_MODEL")}
        env.update({"OPENAI_BASE_URL": api.base_url, "OLLAMA_HOST": dead_url()})
        result = subprocess.run([sys.executable, "-m", "marimo", "export", "html",
                                 str(ROOT / "deck" / "taller.py"), "-o", str(out)],
                                cwd=tmp_path, env=env, capture_output=True, text=True, timeout=900)
        sent = [r.headers.get("authorization", "") for r in api.requests]
    assert result.returncode == 0, result.stderr[-2000:]
    assert f"Bearer {DOTENV_CANARY}" in sent, "la exportación no llegó a usar la clave"
    page = out.read_text(encoding="utf-8")
    assert page_contains(page, "Detrás de la cortina: lo que recibe el modelo")
    assert page_contains(page, "La prueba de la vaca")
    assert page_contains(page, "rechazó la clave (error 401)")  # el estado de la API, en la diapositiva
    assert page_contains(page, widget.PLACEHOLDER) and "Type your message" not in page
    for secret in (CANARY, DOTENV_CANARY, "sk-canary", "Incorrect API key"):
        assert secret not in page and secret not in result.stdout + result.stderr, secret
