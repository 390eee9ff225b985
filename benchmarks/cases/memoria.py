"""Recálculos del chat: al cambiar de cerebro (QuijoteGPT) y tras cada turno (detrás de la cortina)."""

from demos import chat, memory
from demos.chat import payload

_TURNS = [[payload.Call("respuesta", "QuijoteGPT", payload.build_payload(
    [{"role": "user", "content": f"Pregunta {i}"}] * (i + 1), "historial completo"),
    settings={"estrategia": "historial completo"})] for i in range(10)]

CASES = {
    "modelos de QuijoteGPT (perilla de cerebro)": lambda: chat.list_models("quijote"),
    "detrás de la cortina con 10 turnos": lambda: memory.curtain_html(_TURNS),
}
