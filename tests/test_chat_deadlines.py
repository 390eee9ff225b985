"""Los plazos del chat, con los valores de verdad y un reloj de mentira: nada espera de verdad.

``Watch`` decide cuándo cortar sin mirar el reloj (se le dice qué hora es). Aquí se le hace
vivir una respuesta completa, evento por evento, como lo haría ``GuardedStream``: esperar lo que
diga ``wait``, revisar con ``silence`` si no llegó nada, avisar con ``got`` si llegó algo.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from demos.chat import knobs
from demos.chat.guarded import Deadline, Watch

REAL = {name: getattr(knobs, name) for name in ("FIRST_DELTA_SECONDS", "STALL_SECONDS", "SLOW_CHECK_SECONDS",
                                               "TURN_SECONDS", "MIN_CHARS_PER_SECOND")}


@pytest.fixture(autouse=True)
def real_knobs(monkeypatch):
    """Los plazos de verdad, aunque otra prueba los haya cambiado."""
    for name, value in REAL.items():
        monkeypatch.setattr(knobs, name, value)


@dataclass
class Server:
    name: str = "Ollama"
    where: str = "127.0.0.1:11434"
    local: bool = False


def live(arrivals: list[tuple[float, int]], *, deadline_left: float | None = None, whole: bool = False,
         local: bool = False, until: float = 60.0) -> tuple[float | None, str | None, int]:
    """Corre una respuesta en tiempo de mentira. ``arrivals``: (segundo, caracteres) de cada pedazo.

    Devuelve (cuándo se cortó, por qué, caracteres que alcanzaron a llegar); (None, None, n) si terminó bien.
    """
    now = 0.0
    deadline = None if deadline_left is None else Deadline(seconds=deadline_left, clock=lambda: 0.0)
    watch = Watch(Server(local=local), now, deadline, whole)
    pending, received = sorted(arrivals), 0
    while now < until:
        check_at = now + max(watch.wait(now), 0.001)
        if pending and pending[0][0] <= check_at:  # llegó algo antes de la revisión
            now, chars = pending.pop(0)
            received += chars
            if problem := watch.got(now, chars):
                return now, problem, received
            if not pending:
                return None, None, received  # el servidor terminó su respuesta
            continue
        now = check_at
        if problem := watch.silence(now):
            return now, problem, received
    return None, None, received


def test_a_server_that_never_answers_is_cut_at_the_first_delta_deadline():
    when, why, _ = live([])
    assert when == pytest.approx(knobs.FIRST_DELTA_SECONDS) and when < 10
    assert why == "Ollama (127.0.0.1:11434) no contestó en 8 segundos. ¿Está encendido y con el modelo cargado?"


def test_a_slow_start_then_a_fast_stream_is_not_slowness():
    """Cargar el modelo tarda: 6,5 s callado y después 50 caracteres por segundo llega entero."""
    arrivals = [(6.5 + 0.1 * i, 5) for i in range(60)]
    when, why, received = live(arrivals)
    assert (when, why, received) == (None, None, 300)


def test_a_trickle_is_cut_as_too_slow_soon_after_it_starts():
    arrivals = [(0.5 + 2.5 * i, 2) for i in range(20)]  # un pedazo de 2 caracteres cada 2,5 s: < 1 carácter/s
    when, why, received = live(arrivals)
    assert why.startswith("La respuesta llega demasiado lenta") and "la corté" in why
    assert knobs.SLOW_CHECK_SECONDS <= when - 0.5 < 10 and received < 40


def test_a_server_that_goes_quiet_is_cut_after_the_stall_deadline():
    arrivals = [(0.2, 20), (0.4, 20), (0.6, 20), (30.0, 20)]
    when, why, received = live(arrivals)
    assert when == pytest.approx(0.6 + knobs.STALL_SECONDS) and received == 60
    assert why.startswith("Ollama dejó de enviar texto por 5 segundos")


def test_the_turn_deadline_counts_what_the_summary_already_used():
    """El resumen ya gastó 6 de los 9 s del turno: la respuesta tiene 3 s para empezar, no 8."""
    when, why, _ = live([(5.0, 10)], deadline_left=knobs.TURN_SECONDS - 6)
    assert when == pytest.approx(3.0)
    assert "no contestó dentro del plazo del turno (3 segundos)" in why


def test_a_whole_call_must_end_within_the_turn():
    """Un resumen no se ve: tiene que terminar entero dentro del plazo, aunque llegue texto a tiempo."""
    arrivals = [(0.5 + 0.5 * i, 10) for i in range(30)]  # sigue escribiendo hasta los 15 s
    when, why, received = live(arrivals, deadline_left=knobs.TURN_SECONDS, whole=True)
    assert when <= knobs.TURN_SECONDS + 0.5 and 0 < received < 300
    assert "no alcanzó a terminar dentro del plazo del turno (9 segundos)" in why


def test_every_way_of_failing_shows_something_before_ten_seconds_and_ends_in_a_notice():
    """Lo que promete el chat: antes de 10 s se ve la respuesta o un aviso en castellano; y toda falla
    termina en un aviso. (Un servidor que parte a los 7,9 s y después gotea se ve a tiempo, pero su
    lentitud recién se puede juzgar unos segundos después de partir.)"""
    scenarios = {
        "callado": [],
        "callado tras partir": [(1.0, 5), (100.0, 5)],
        "muy lento": [(0.1 + 3.0 * i, 1) for i in range(10)],
        "parte tarde y lento": [(7.9 + 4.0 * i, 1) for i in range(10)],
    }
    for name, arrivals in scenarios.items():
        when, why, _ = live(arrivals, deadline_left=knobs.TURN_SECONDS)
        first_seen = min([when] + [at for at, _ in arrivals])
        assert why and first_seen < 10, (name, when, why)


def test_the_bundled_model_has_no_deadlines():
    """QuijoteGPT corre aquí mismo: aunque el computador esté lento, termina (no hay servidor que se duerma)."""
    when, why, received = live([(20.0, 10), (45.0, 10)], local=True)
    assert (when, why, received) == (None, None, 20)
