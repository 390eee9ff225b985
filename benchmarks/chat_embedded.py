"""Velocidad del chat con QuijoteChat (el cerebro por defecto): cuánto tarda el primer pedazo y
cuántos caracteres por segundo.

Metas (CPU de 2 núcleos): primer carácter ≤ 300 ms; ≥ 1.000 caracteres por segundo transmitidos.
Mide cuatro caminos con el modelo ya cargado (la carga se informa aparte: ocurre una vez al abrir
el notebook), para separar lo que cuesta generar de lo que agrega el chat:

1. el modelo solo (``chat_template.stream_reply``): el techo;
2. ``GuardedStream`` (hilo aparte + cola, pedazos de ~10 ms), como la línea de comandos;
3. ``ChatSession.reply``: pedazos de ~30 ms (``knobs.GATHER_SECONDS``);
4. la caja de chat de la diapositiva (``demos.chat.widget``): lo mismo, escrito desde un hilo a la página.

QuijoteChat se calla solo (sus respuestas suelen tener 50–200 caracteres): la velocidad se mide
desde el primer pedazo hasta el último (lo que la sala ve fluir), y el primer pedazo aparte.
Muestra tiempo de reloj y de CPU del proceso: con el computador ocupado por otros, el de CPU
estima mejor. El chat genera con un solo hilo de torch (ver ``decoding.one_thread``).

Uso: python benchmarks/chat_embedded.py [--repeticiones 5] [--caracteres 400]
"""

from __future__ import annotations

import asyncio
import queue
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from demos import chat  # noqa: E402
from demos.aula.cli import ArgumentParser  # noqa: E402
from demos.chat import knobs, widget  # noqa: E402
from demos.chat_template import load_chat, stream_reply  # noqa: E402
from demos.decoding import one_thread  # noqa: E402
from demos.formatting import decimal, thousands  # noqa: E402

FIRST_TARGET_MS = 300.0
RATE_TARGET = 1000.0
QUESTION = [{"role": "user", "content": "¿Qué animal da leche y dice mu?"}]


def measure(pieces) -> dict:
    """Recorre los pedazos: reloj y CPU hasta el primero y hasta el final, y cuántos pedazos hubo."""
    wall0, cpu0 = time.perf_counter(), time.process_time()
    first_wall = first_cpu = None
    total = chunks = first_chars = 0
    for piece in pieces:
        if first_wall is None:
            first_wall, first_cpu = time.perf_counter() - wall0, time.process_time() - cpu0
            first_chars = len(piece)
        total, chunks = total + len(piece), chunks + 1
    wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
    flowing, flowing_cpu = max(wall - first_wall, 1e-9), max(cpu - first_cpu, 1e-9)
    return {"first_wall_ms": first_wall * 1000, "first_cpu_ms": first_cpu * 1000,
            "rate_wall": (total - first_chars) / flowing, "rate_cpu": (total - first_chars) / flowing_cpu,
            "chars": total, "chunks_per_s": chunks / wall}


def model_alone(chars: int):
    model, tokenizer = load_chat()
    with one_thread():
        yield from stream_reply(model, tokenizer, QUESTION, max_chars=chars, temperature=0.8, seed=0)


def guarded(chars: int):
    yield from chat.GuardedStream(chat.EmbeddedBackend(seed=0), QUESTION, temperature=0.8, max_tokens=chars)


def session(chars: int):
    """``ChatSession.reply`` como lo llama marimo (un generador asíncrono), recorrido paso a paso."""
    chat_session = chat.ChatSession(max_tokens=chars).use(backend="quijote", strategy="sin memoria")
    loop = asyncio.new_event_loop()
    replies = chat_session.reply(QUESTION)
    try:
        while True:
            try:
                yield loop.run_until_complete(replies.__anext__())
            except StopAsyncIteration:
                return
    finally:
        loop.close()


def chat_box(chars: int):
    """La caja de chat de la diapositiva: lo que la página va recibiendo (``streaming``) hasta terminar."""
    chat_session = chat.ChatSession(max_tokens=chars).use(backend="quijote", strategy="sin memoria")
    box = widget.ChatWidget(chat_session.reply)
    updates = queue.Queue()
    box.observe(lambda change: updates.put(change["new"]), "streaming")
    box.observe(lambda change: None if change["new"] else updates.put(None), "busy")
    box.ask(QUESTION[0]["content"])
    shown = ""
    while (text := updates.get()) is not None:
        if len(text) > len(shown):
            yield text[len(shown):]
            shown = text
    final = box.messages[-1]["content"]
    if len(final) > len(shown):
        yield final[len(shown):]


SLIDE = "caja de chat (la diapositiva)"
PATHS = {"modelo solo": model_alone, "GuardedStream (hilo + cola)": guarded,
         "ChatSession.reply": session, SLIDE: chat_box}


def main(argv=None) -> int:
    parser = ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeticiones", "--repeat", type=int, default=5)
    parser.add_argument("--caracteres", "--chars", type=int, default=knobs.MAX_NEW_CHARS)
    args = parser.parse_args(argv)
    start = time.perf_counter()
    model, _ = load_chat()
    print(f"Carga del modelo (una vez): {thousands((time.perf_counter() - start) * 1000)} ms; "
          f"contexto {thousands(model.context_length)} caracteres")
    medians = {}
    for name, path in PATHS.items():
        measure(path(20))  # calentar
        runs = [measure(path(args.caracteres)) for _ in range(args.repeticiones)]
        medians[name] = med = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
        print(f"{name}: primer pedazo {thousands(med['first_wall_ms'])} ms de reloj "
              f"({thousands(med['first_cpu_ms'])} ms de CPU); {thousands(med['rate_wall'])} caracteres/s de reloj "
              f"({thousands(med['rate_cpu'])} por s de CPU); {thousands(med['chunks_per_s'])} pedazos/s")
    alone, slide = medians["modelo solo"], medians[SLIDE]
    alone_us, slide_us = 1e6 / alone["rate_cpu"], 1e6 / slide["rate_cpu"]
    print(f"CPU por carácter: modelo solo {thousands(alone_us)} µs; en la diapositiva {thousands(slide_us)} µs "
          f"({decimal(100 * (slide_us / alone_us - 1))} % de diferencia: lo que agrega el chat, más el ruido)")
    ok_first = slide["first_wall_ms"] <= FIRST_TARGET_MS
    ok_rate = slide["rate_wall"] >= RATE_TARGET
    print(f"Meta, primer pedazo en la diapositiva ≤ {thousands(FIRST_TARGET_MS)} ms: {'ok' if ok_first else 'LENTO'}")
    print(f"Meta, ≥ {thousands(RATE_TARGET)} caracteres/s en la diapositiva: {'ok' if ok_rate else 'LENTO'}")
    print(f"({args.repeticiones} respuestas por camino; la mediana tiene {thousands(slide['chars'])} caracteres)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
