"""La caja de chat en castellano (``demos/chat/widget.py``): la lógica en Python y, en Chromium, los botones."""

from __future__ import annotations

import threading
import time

import pytest

from demos.chat import widget

SLOW_PIECES = 400  # una respuesta lenta: 400 pedazos de 10 ms (4 s), para alcanzar a detenerla


def wait_until(condition, timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.01)
    return False


class SlowReply:
    """Un «modelo» que escribe de a poco y anota si lo cerraron (su ``finally`` corrió)."""

    def __init__(self):
        self.closed = threading.Event()
        self.received: list[list[dict]] = []

    def __call__(self, messages, config):
        self.received.append(messages)
        try:
            for i in range(SLOW_PIECES):
                time.sleep(0.01)
                yield f"{i} "
        finally:
            self.closed.set()


def test_a_message_gets_an_answer_from_a_generator():
    box = widget.ChatWidget(lambda messages, config: (piece for piece in ["Hola", ", ", "Sancho"]))
    box.ask("  ¿Quién eres?  ").join(10)
    assert box.messages == [{"role": "user", "content": "¿Quién eres?"},
                            {"role": "assistant", "content": "Hola, Sancho"}]
    assert not box.busy and box.streaming == ""


def test_the_reply_receives_the_whole_conversation_and_a_config():
    seen = []

    def reply(messages, config):
        seen.append((messages, config))
        return f"respuesta {len(messages)}"

    box = widget.ChatWidget(reply, config=widget.ChatConfig(temperature=0.3))
    box.ask("uno").join(10)
    box.ask("dos").join(10)
    messages, config = seen[-1]
    assert [m["content"] for m in messages] == ["uno", "respuesta 1", "dos"] and config.temperature == 0.3
    assert box.messages[-1] == {"role": "assistant", "content": "respuesta 3"}


def test_the_answer_is_shown_while_it_is_written():
    reply = SlowReply()
    box = widget.ChatWidget(reply)
    shown = []
    box.observe(lambda change: shown.append(change["new"]), "streaming")
    worker = box.ask("escribe")
    assert wait_until(lambda: len(shown) >= 5), "la respuesta no se fue mostrando"
    assert box.busy and all(a in b for a, b in zip(shown[1:], shown[2:], strict=False) if a)
    box.halt()
    worker.join(10)


def test_stop_keeps_what_was_written_and_closes_the_model():
    reply = SlowReply()
    box = widget.ChatWidget(reply)
    worker = box.ask("escribe mucho")
    assert wait_until(lambda: len(box.streaming) > 10)
    box.stop += 1  # como el botón «Detener» de la página
    assert not box.busy, "«Detener» debe liberar la caja al instante"
    answer = box.messages[-1]["content"]
    assert answer.endswith(widget.STOPPED) and answer.startswith("0 1 ")
    worker.join(10)
    assert reply.closed.is_set(), "el generador del modelo no se cerró: seguiría escribiendo (o cobrando)"
    assert box.messages[-1]["content"] == answer, "el hilo detenido no debe cambiar la respuesta guardada"


def test_clear_empties_the_conversation_even_while_writing():
    reply = SlowReply()
    box = widget.ChatWidget(reply)
    worker = box.ask("escribe")
    assert wait_until(lambda: box.streaming != "")
    box.clear += 1  # como «Borrar conversación»
    assert box.messages == [] and not box.busy
    worker.join(10)
    assert box.messages == []


def test_the_page_sends_messages_through_the_send_trait():
    box = widget.ChatWidget(lambda messages, config: "¡Entendido!")
    box.send = {"id": 1, "text": "Hola"}  # lo que hace la página al apretar Enter
    assert wait_until(lambda: not box.busy and len(box.messages) == 2)
    assert box.messages[-1]["content"] == "¡Entendido!"


def test_empty_messages_and_messages_while_busy_are_ignored():
    reply = SlowReply()
    box = widget.ChatWidget(reply)
    assert box.ask("   ") is None and box.messages == []
    worker = box.ask("uno")
    assert box.ask("dos") is None, "mientras responde, un segundo mensaje no se manda"
    box.halt()
    worker.join(10)
    assert [m["content"] for m in box.messages if m["role"] == "user"] == ["uno"]


def test_async_generators_work_and_are_closed_on_stop():
    import asyncio

    closed = threading.Event()

    async def reply(messages, config):
        try:
            for i in range(SLOW_PIECES):
                await asyncio.sleep(0.01)
                yield f"{i} "
        finally:
            closed.set()

    box = widget.ChatWidget(reply)
    worker = box.ask("hola")
    assert wait_until(lambda: len(box.streaming) > 6)
    box.halt()
    worker.join(10)
    assert closed.is_set() and box.messages[-1]["content"].endswith(widget.STOPPED)


def test_a_failing_model_becomes_a_spanish_message_and_nothing_is_lost():
    def reply(messages, config):
        yield "Empiezo bien"
        raise ConnectionError("se cortó la conexión")

    box = widget.ChatWidget(reply)
    box.ask("hola").join(10)
    answer = box.messages[-1]["content"]
    assert answer.startswith("Empiezo bien") and "No pude terminar la respuesta" in answer
    assert box.messages[0]["content"] == "hola" and not box.busy


def test_the_page_code_speaks_spanish():
    page = (widget.HERE / "widget.js").read_text(encoding="utf-8")
    for text in ("Enviar", "Detener", "Borrar conversación", "Todavía no hay mensajes", "Ejemplos:"):
        assert text in page, text
    assert "Type your message" not in page and "Send" not in page.replace("send", "")
    assert widget.PLACEHOLDER.startswith("Escribe tu mensaje")


# ---------------------------------------------------------------- en Chromium, con un modelo lento


@pytest.mark.browser
def test_the_chat_box_works_in_a_real_browser(tmp_path):
    from demos.aula import browser, slides
    from tests.test_browser import skip_or_fail

    if browser.find_chromium() is None:
        skip_or_fail("no hay Chromium en este computador (apt install chromium o TALLER_CHROMIUM)")
    notebook = tmp_path / "chat_lento.py"
    notebook.write_text(SLOW_NOTEBOOK, encoding="utf-8")
    with browser.chromium() as chromium, browser.MarimoServer(notebook=notebook) as server:
        page = chromium.new_context(viewport=browser.VIEWPORT).new_page()
        page.set_default_timeout(60_000)
        page.goto(server.url)
        entry = page.locator(slides.CHAT_BOX)
        entry.wait_for(timeout=browser.WAIT_MS)
        assert entry.get_attribute("placeholder") == widget.PLACEHOLDER
        assert "Todavía no hay mensajes" in page.locator(slides.CHAT).inner_text()
        entry.click()
        page.keyboard.type("primera línea")
        page.keyboard.press("Shift+Enter")  # otra línea, sin enviar
        page.keyboard.type("segunda")
        assert entry.input_value() == "primera línea\nsegunda"
        page.keyboard.press("Enter")
        page.locator(".chat-escribiendo").wait_for()
        assert entry.input_value() == "", "al enviar, la caja de texto se vacía"
        page.locator(".chat-detener").click()
        page.locator(".chat-escribiendo").wait_for(state="detached")
        text = page.locator(slides.CHAT).inner_text()
        assert "primera línea\nsegunda" in text and widget.STOPPED.strip() in text
        page.locator(".chat-ejemplo", has_text="¿Qué animal da leche y dice mu?").click()
        page.locator(".chat-detener").wait_for()
        page.locator(".chat-detener").click()
        page.locator(".chat-borrar").click()
        page.locator(".chat-vacio").wait_for()
        shown = page.locator(slides.CHAT).inner_text()
        english = [word for word in ("Type your", "Send", "Stop", "Clear", "No messages") if word in shown]
        assert not english, english


SLOW_NOTEBOOK = '''
import marimo

app = marimo.App()


@app.cell
def _():
    import time

    from demos.chat import widget

    def responder(mensajes, config):
        for i in range(2000):
            time.sleep(0.02)
            yield f"{i} "

    widget.chat(responder, prompts=["¿Qué animal da leche y dice mu?"])
    return


if __name__ == "__main__":
    app.run()
'''
