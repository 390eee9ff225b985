"""Sin red: el taller completo corre en un espacio de red vacío (``unshare -n``), como en una sala sin Wi-Fi.

``unshare -n`` crea un espacio de red nuevo, sin interfaces salvo la de loopback, que parte apagada:
el kernel de marimo habla con su servidor por 127.0.0.1, así que primero la encendemos
(``ip link set lo up``). Donde el sistema no deja crear espacios de red (contenedores sin
privilegios), estas pruebas se saltan diciendo por qué.
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
import sys
import textwrap

import pytest

from demos.chat import INFO
from tests.conftest import ROOT

NO_NETWORK_TIMEOUT_S = 1200  # ¿cuánto puede tardar el taller completo en un computador lento?
NETWORK_ENV_VARS = ("OPENAI_API_KEY", "OPENAI_BASE_URL", "OLLAMA_HOST", "HTTP_PROXY", "HTTPS_PROXY",
                    "http_proxy", "https_proxy")


# Como administrador basta «unshare -n»; sin serlo, «unshare -rn» crea además un espacio de usuarios
# (donde sí somos administradores) si el sistema lo permite.
UNSHARE_COMMANDS = (["unshare", "-n"], ["unshare", "-rn"])


def find_unshare() -> tuple[list[str] | None, str | None]:
    """El comando que crea un espacio de red vacío, o ``None`` y la razón en castellano."""
    for tool in ("unshare", "ip"):
        if shutil.which(tool) is None:
            return None, f"falta el programa «{tool}» (paquetes util-linux / iproute2)"
    problems = []
    for command in UNSHARE_COMMANDS:
        try:
            probe = subprocess.run([*command, "sh", "-c", "ip link set lo up && echo listo"],
                                   capture_output=True, text=True, timeout=60)
        except (OSError, subprocess.TimeoutExpired) as error:
            problems.append(str(error))
            continue
        if probe.returncode == 0 and "listo" in probe.stdout:
            return command, None
        problems.append(probe.stderr.strip()[:120])
    return None, "este sistema no deja crear un espacio de red sin conexión: " + " / ".join(problems)


UNSHARE, NO_NAMESPACE = find_unshare()
needs_namespace = pytest.mark.skipif(NO_NAMESPACE is not None, reason=NO_NAMESPACE or "")


def offline_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    """El entorno de quien presenta, sin claves ni servidores configurados (salvo los de ``extra``)."""
    env = {k: v for k, v in os.environ.items() if k not in NETWORK_ENV_VARS}
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    return {**env, **(extra or {})}


def run_without_network(python_code: str, timeout: float = NO_NETWORK_TIMEOUT_S,
                        env: dict[str, str] | None = None, cwd=ROOT) -> subprocess.CompletedProcess:
    """Corre ``python_code`` en un espacio de red sin conexión (solo 127.0.0.1)."""
    script = f"ip link set lo up && exec {shlex.join([sys.executable, '-c', python_code])}"
    return subprocess.run([*UNSHARE, "sh", "-c", script], cwd=cwd, env=env or offline_env(),
                          capture_output=True, text=True, timeout=timeout)


# Primero demuestra que de verdad no hay red; después corre el notebook entero.
PROVE_NO_NETWORK = textwrap.dedent("""
    import socket
    for host, port in (("1.1.1.1", 53), ("8.8.8.8", 443)):
        try:
            socket.create_connection((host, port), timeout=3).close()
            raise SystemExit(f"HAY RED: me conecté a {host}")
        except OSError:
            pass
    try:
        socket.getaddrinfo("pypi.org", 443)
        raise SystemExit("HAY RED: resolví pypi.org")
    except OSError:
        pass
    print("SIN RED: confirmado")
""")


@needs_namespace
@pytest.mark.slow
def test_the_whole_deck_runs_with_no_network():
    code = PROVE_NO_NETWORK + textwrap.dedent("""
        from tests.conftest import load_deck
        outputs, defs = load_deck().app.run()  # lanza una excepción si una sola celda falla
        print("CELDAS CON SALIDA", sum(o is not None for o in outputs))
        print("MODELO", "quijote_gpt" in defs)
    """)
    result = run_without_network(code)
    assert "SIN RED: confirmado" in result.stdout, result.stdout + result.stderr[-2000:]
    assert result.returncode == 0, "una celda falló sin red:\n" + result.stderr[-3000:]
    assert "MODELO True" in result.stdout
    assert int(result.stdout.split("CELDAS CON SALIDA")[1].split()[0]) > 0


@needs_namespace
@pytest.mark.slow
def test_marimo_exports_the_deck_with_no_network(tmp_path):
    """Lo mismo, pero con la maquinaria de marimo (kernel y servidor hablando por 127.0.0.1)."""
    out = tmp_path / "taller.html"
    code = PROVE_NO_NETWORK + textwrap.dedent(f"""
        import subprocess, sys
        done = subprocess.run([sys.executable, "-m", "marimo", "export", "html", "deck/taller.py",
                               "-o", {str(out)!r}, "-f"], capture_output=True, text=True)
        sys.stderr.write(done.stderr[-3000:])
        raise SystemExit(done.returncode)
    """)
    result = run_without_network(code)
    assert "SIN RED: confirmado" in result.stdout, result.stdout + result.stderr[-2000:]
    assert result.returncode == 0, "marimo export html falló sin red (¿alguna celda falló?):\n" + result.stderr
    assert out.stat().st_size > 50_000


@needs_namespace
def test_the_chat_falls_back_to_the_embedded_model_with_a_spanish_notice():
    code = PROVE_NO_NETWORK + textwrap.dedent("""
        import itertools, json
        from demos import chat
        backend, notice = chat.pick_backend("auto")
        reply = "".join(itertools.islice(backend.stream([{"role": "user", "content": "Hola"}], max_tokens=20), 40))
        print("RESULTADO " + json.dumps({"kind": backend.kind, "aviso": notice, "respuesta": reply}))
    """)
    result = run_without_network(code, timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    found = json.loads(result.stdout.split("RESULTADO ", 1)[1])
    assert found["kind"] == "quijote", f"sin red no eligió QuijoteGPT: {found}"
    assert "QuijoteChat" in found["aviso"], f"el aviso no dice qué modelo quedó: {found['aviso']}"
    assert found["respuesta"].strip(), "QuijoteGPT no respondió sin red"


CANARY_KEY = "sk-canario-sin-wifi-0123456789abcdefNOMOSTRAR"


@needs_namespace
@pytest.mark.parametrize("where", ["entorno", ".env"])
def test_a_key_but_no_wifi_still_chats_with_quijote(tmp_path, where):
    """Quien presenta tiene una clave (en el entorno o en .env) pero la sala no tiene internet."""
    extra = {"OPENAI_API_KEY": CANARY_KEY} if where == "entorno" else {}
    if where == ".env":
        (tmp_path / ".env").write_text(f"OPENAI_API_KEY={CANARY_KEY}\n", encoding="utf-8")
    code = PROVE_NO_NETWORK + textwrap.dedent("""
        import asyncio, json
        from demos import chat, memory

        async def ask(session):
            return "".join([c async for c in session.reply([{"role": "user", "content": "Hola"}])])

        session = chat.ChatSession(max_tokens=20).use(backend="auto", strategy="historial completo")
        text = asyncio.run(ask(session))
        backend, said = chat.pick_backend("auto")
        cow = memory.cow_test(backend, "historial completo", max_tokens=10)  # la diapositiva de la vaca
        print("RESULTADO " + json.dumps({"texto": text, "quien": session.speaker_kind("auto"),
                                         "respuesta": session.last_turn[-1].reply, "vaca": backend.kind,
                                         "errores": [c.error for t in cow for c in t if c.error]}))
    """)
    result = run_without_network(code, timeout=600, env=offline_env(extra), cwd=tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]
    assert CANARY_KEY not in result.stdout + result.stderr
    found = json.loads(result.stdout.split("RESULTADO ", 1)[1])
    assert found["texto"].startswith(INFO) and "la API configurada falló" in found["texto"], found
    assert "¿Hay internet?" in found["texto"]
    assert "QuijoteChat" in found["texto"] and found["quien"] == "quijote"
    # QuijoteChat escribe hasta 20 caracteres (puede cerrar su turno antes)
    assert 0 < len(found["respuesta"]) <= 20 and found["texto"].endswith(found["respuesta"])
    assert found["vaca"] == "quijote" and found["errores"] == []
