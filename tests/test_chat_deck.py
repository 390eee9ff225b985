"""Las diapositivas de memoria y chat dentro del notebook: el cableado funciona y la clave no se filtra."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys

import pytest

from demos import memory
from tests.conftest import ROOT
from tests.test_deck import page_contains

CANARY = "sk-canary-7f3a9c1e5b2d4086"
DOTENV_CANARY = "sk-canary-desde-archivo-0042"


def test_deck_chat_session_reads_the_slide_controls(deck_run, pretrained):
    _, defs = deck_run
    session, chat_ui = defs["chat_sesion"], defs["chat_ui"]
    assert session.setting("backend") == "quijote" and session.setting("strategy") == "historial completo"
    assert session.setting("model") == "quijote-gpt" and chat_ui is not None

    async def ask(history):
        return "".join([chunk async for chunk in session.reply(history)])

    first = [{"role": "user", "content": "¿Qué animal da leche y dice mu?"}]
    answer = asyncio.run(ask(first))
    second = first + [{"role": "assistant", "content": answer}, {"role": "user", "content": "¿Y castrado?"}]
    asyncio.run(ask(second))
    sent = session.last_turn[-1].messages
    assert sent == memory.build_payload(second, "historial completo")
    page = memory.curtain_html(session.turns)
    assert "¿Y castrado?" in page and "uno por carácter" in page


@pytest.mark.slow
def test_canary_key_never_appears_in_the_exported_deck(tmp_path):
    (tmp_path / ".env").write_text(f"OPENAI_API_KEY={DOTENV_CANARY}\n", encoding="utf-8")
    out = tmp_path / "taller.html"
    env = {**os.environ, "OPENAI_API_KEY": CANARY, "OPENAI_BASE_URL": "http://127.0.0.1:9/v1"}
    result = subprocess.run([sys.executable, "-m", "marimo", "export", "html", str(ROOT / "deck" / "taller.py"),
                             "-o", str(out)], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-2000:]
    page = out.read_text(encoding="utf-8")
    assert page_contains(page, "Detrás de la cortina: lo que recibe el modelo")
    assert page_contains(page, "La prueba de la vaca")
    for secret in (CANARY, DOTENV_CANARY, "sk-canary"):
        assert secret not in page and secret not in result.stdout + result.stderr
