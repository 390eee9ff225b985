import marimo

app = marimo.App(app_title="Mi propio ChatGPT")

with app.setup:
    import marimo as mo

    from demos import chat
    from demos.chat import widget


@app.function
def responder(mensajes, ajustes=None, cerebro=None):
    """Mi chat. Cámbialo: ¿qué pasa si le mandas toda la conversación (enviar = mensajes)?"""
    cerebro = cerebro or chat.EmbeddedBackend()  # QuijoteChat; o chat.make_backend("ollama")
    enviar = mensajes[-1:]  # solo el último mensaje: la versión 1, sin memoria
    return chat.reply_stream(cerebro, enviar)


@app.cell
def mi_chat():
    mo.vstack([
        mo.md("# Mi propio ChatGPT\nQuijoteChat: un GPT entrenado con *El Quijote*, en este computador."),
        widget.chat(responder, prompts=["Hola, ¿quién eres?", "¿Qué animal da leche y dice mu?"]),
    ])
    return


if __name__ == "__main__":
    app.run()
