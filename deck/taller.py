import marimo

__generated_with = "0.25.2"
app = marimo.App(
    width="medium",
    app_title="Construye tu propio ChatGPT",
    layout_file="layouts/taller.slides.json",
    css_file="taller.css",
)

with app.setup:
    import marimo as mo

    import demos

    demos.import_all()  # con la sala conectada, cada navegador es un hilo: se importa de a uno
    # lo que usan varias secciones; lo de una sola sección lo importa esa sección
    from demos import chat, corpus, decoding, formatting, memory, model, trainer, training, version1
    from demos.prediction import track


@app.cell(hide_code=True)
def portada():
    # markdown puro: marimo lo dibuja al abrir, antes de calcular nada, y la presentación parte aquí
    mo.md(r"""
    <div class="portada">
    <h1>Construye tu propio ChatGPT</h1>
    <h3>con Python y código abierto</h3>
    <div class="telon" role="img" aria-label="Un telón de teatro, cerrado">¿Magia?</div>
    <p>Como el <b>Mago de Oz</b>: impresiona, todos le rinden pleitesía… pero detrás de la cortina
    no hay magia. <b>Solo hay tecnología.</b></p>
    </div>
    """)
    return


@app.cell(hide_code=True)
def portada_promesa():
    mo.md("""
    ## Hoy vamos a abrir la cortina

    ChatGPT es un **LLM**: un *gran modelo de lenguaje* (en inglés, *Large Language Model*).

    1. **Bits**, **fotogramas** y **tokens**: cómo un computador guarda texto
    2. **Predicción**: el siguiente token, uno a la vez
    3. **Versión 1 del chat**, en Python, y la **prueba de la vaca**
    4. **Memoria** y **temperatura**: los trucos de los ingenieros
    5. **Entrenamiento** y **refinamiento**: nuestro propio GPT, aquí mismo
    6. **Tu propio ChatGPT**, con el cerebro que quieras
    """)
    return


@app.cell(hide_code=True)
def bits_titulo():
    mo.md("""
    # Bits

    > bits + contexto (convenciones) → **representación**

    Todo en un computador es discreto: números, colores, imágenes, sonidos… y texto.
    """)
    return


@app.cell
def bits_modulo():
    from demos import bits

    return (bits,)


@app.cell
def bits_controles():
    bits_texto = mo.ui.text(value="¡Hola, Ñandú! 😀", label="Escribe lo que quieras:", full_width=True, debounce=300)
    return (bits_texto,)


@app.cell
def bits_utf8(bits, bits_texto):
    mo.vstack([
        mo.md("## Cada carácter es un número… guardado como bytes"),
        bits_texto,
        mo.Html(bits.utf8_html(bits_texto.value)),
    ])
    return


@app.cell
def bits_cuantos_bytes(bits):
    mo.vstack([
        mo.md("## ¿Cuántos bytes ocupa cada carácter?"),
        mo.Html(bits.size_table()),
        mo.md("Las letras del inglés: **1 byte**. ñ, á, ¿: **2**. Un emoji: **4**… y 👩‍💻 son tres pegados."),
    ])
    return


@app.cell
def bits_convencion(bits, bits_texto):
    _bytes = bits.first_bytes(bits_texto.value)  # los primeros bytes de la misma caja (vacía: «año»)
    mo.vstack([
        mo.md(f"## Los mismos bytes, otra convención\n\nLos bytes `{bits.hex_bytes(_bytes)}` pueden ser…"),
        bits_texto,
        mo.Html(bits.readings_html(_bytes)),
        mo.Html(bits.mojibake_html(_bytes)),
    ])
    return


@app.cell
def bits_nfc_nfd(bits):
    mo.vstack([
        mo.md("## La misma «á», guardada de dos maneras"),
        mo.Html(bits.normal_forms_table("á")),
        mo.md(bits.corpus_nfd_note()),
    ])
    return


@app.cell
def bits_numero_control():
    bits_numero = mo.ui.number(start=-(10**12), stop=10**12, step=1, value=300, label="Un número:")
    return (bits_numero,)


@app.cell
def bits_numero_binario(bits, bits_numero):
    mo.vstack([
        mo.md("## Un número en binario: ¿cabe en la cajita?"),
        bits_numero,
        mo.Html(bits.number_html(bits_numero.value)),
    ])
    return


@app.cell
def bits_color_estado():
    # un solo color compartido: los deslizadores, la caja #rrggbb y la paleta lo leen y lo cambian
    bits_color, bits_fijar_color = mo.state((232, 89, 12))
    return bits_color, bits_fijar_color


@app.cell
def bits_color_control(bits, bits_color, bits_fijar_color):
    # cada control vive en su propia celda: la celda que cambia el color no se recalcula a sí misma
    bits_rojo, bits_verde, bits_azul = (
        mo.ui.slider(0, 255, value=bits_color()[_i], label=_nombre, show_value=True,
                     on_change=lambda v, i=_i: bits_fijar_color(lambda c: bits.with_channel(c, i, v)))
        for _i, _nombre in enumerate(bits.CHANNELS)
    )
    return bits_azul, bits_rojo, bits_verde


@app.cell
def bits_color_hex(bits, bits_color, bits_fijar_color):
    bits_hex = mo.ui.text(
        value=bits.hex_code(*bits_color()), label="o escribe un color #rrggbb:", debounce=300,
        on_change=lambda t: bits_fijar_color(lambda c: bits.parse_hex(t)[0] or c),
    )
    return (bits_hex,)


@app.cell
def bits_color_paleta(bits, bits_fijar_color):
    bits_paleta = mo.ui.array([
        mo.ui.button(label=_nombre, on_click=lambda _, rgb=_rgb: bits_fijar_color(rgb))
        for _nombre, _rgb in bits.SWATCHES.items()
    ])
    return (bits_paleta,)


@app.cell
def bits_color_bytes(
    bits,
    bits_azul,
    bits_color,
    bits_hex,
    bits_paleta,
    bits_rojo,
    bits_verde,
):
    mo.vstack([
        mo.md("## Un color: tres bytes"),
        mo.hstack([bits_rojo, bits_verde, bits_azul], justify="start"),
        mo.hstack([bits_hex, bits_paleta.hstack(justify="start", wrap=True)], justify="start", align="center"),
        mo.Html(bits.hex_box_html(bits_hex.value, *bits_color())),
    ])
    return


@app.cell
def bits_imagen(bits):
    mo.vstack([
        mo.md("## Una imagen: una grilla de números"),
        mo.Html(bits.image_html(bits.SPRITE)),  # la carita está dibujada con letras en demos/bits/image.py
    ])
    return


@app.cell(hide_code=True)
def fotogramas_titulo():
    mo.md("""
    # Fotogramas

    **La ilusión de la continuidad.** Una película de 24 fotogramas por segundo engaña al ojo.

    Alta fidelidad **no es** continuidad: es una aproximación suficientemente buena
    para engañar a los sentidos.
    """)
    return


@app.cell
def fotogramas_modulo():
    from demos import frames

    return (frames,)


@app.cell
def fotogramas_controles(frames):
    fotogramas_fps = mo.ui.slider(*frames.FPS_RANGE, value=4, label="fotogramas por segundo", show_value=True)
    fotogramas_muestras = mo.ui.slider(*frames.SAMPLES_RANGE, value=6, label="muestras por segundo", show_value=True)
    fotogramas_lado = mo.ui.slider(*frames.SIDE_RANGE, value=12, label="píxeles por lado", show_value=True)
    fotogramas_bits = mo.ui.slider(*frames.BITS_RANGE, value=2, label="bits por canal", show_value=True)
    return (
        fotogramas_bits,
        fotogramas_fps,
        fotogramas_lado,
        fotogramas_muestras,
    )


@app.cell
def fotogramas_animacion(fotogramas_fps, frames):
    mo.vstack([
        mo.md("## ¿Cuántas fotos por segundo engañan al ojo?"),
        fotogramas_fps,
        mo.Html(frames.frames_html(fotogramas_fps.value)),
    ])
    return


@app.cell
def fotogramas_sonido(fotogramas_muestras, frames):
    mo.vstack([
        mo.md("## Un sonido: mediciones sueltas"),
        fotogramas_muestras,
        mo.Html(frames.sampling_html(fotogramas_muestras.value)),
    ])
    return


@app.cell
def fotogramas_imagen(fotogramas_bits, fotogramas_lado, frames):
    mo.vstack([
        mo.md("## Una imagen: píxeles y colores contados"),
        mo.hstack([fotogramas_lado, fotogramas_bits], justify="start"),
        mo.Html(frames.image_html(fotogramas_lado.value, fotogramas_bits.value)),
    ])
    return


@app.cell(hide_code=True)
def tokens_titulo():
    mo.md("""
    # Tokens

    Para **guardar** un texto basta con bits por letra. Para **interpretarlo**
    necesitamos una mejor representación:

    ### texto → tokens → embeddings
    """)
    return


@app.cell
def tokens_modulo():
    from demos import tokens

    return (tokens,)


@app.cell
def tokens_caracteres_control():
    tokens_ida = mo.ui.text(value="Hola Don", label="Prueba con tu nombre:", debounce=300)
    return (tokens_ida,)


@app.cell
def tokens_caracteres(tokens, tokens_ida):
    _texto, _error = corpus.try_load_text()
    _vocab, _nota = tokens.char_tokenizer(_texto, _error)  # del corpus; sin corpus, el del modelo incluido
    mo.vstack([
        mo.md(f"## Un token por carácter\n\n{_vocab.vocab_size} caracteres distintos: cada uno recibe un número."),
        mo.Html(tokens.vocab_html(_vocab)),
        tokens_ida,
        mo.md(tokens.round_trip_md(_vocab, tokens_ida.value)),
        mo.md(tokens.vocabulary_note(_vocab, _nota)),
    ])
    return


@app.cell
def tokens_bpe_controles(tokens):
    tokens_bpe = tokens.trained_bpe()  # se entrena UNA vez (≈1 s); el deslizador solo elige cuántas fusiones usar
    _todas = len(tokens_bpe.merges)
    tokens_fusiones = mo.ui.slider(0, _todas, value=0, label="fusiones", show_value=True, full_width=True)
    tokens_frase = mo.ui.text(value=tokens.EXAMPLE, full_width=True, debounce=300)
    return tokens_bpe, tokens_frase, tokens_fusiones


@app.cell
def tokens_bpe_vivo(tokens, tokens_bpe, tokens_frase, tokens_fusiones):
    mo.vstack([
        mo.md("## Trozos de palabra (BPE): fusionar lo que más se repite"),
        tokens_frase,
        tokens_fusiones,
        mo.Html(tokens.bpe_html(tokens_frase.value, tokens_bpe, tokens_fusiones.value)),
    ])
    return


@app.cell
def tokens_idiomas_controles(tokens):
    tokens_castellano = mo.ui.text(value=tokens.SPANISH, label="castellano", full_width=True, debounce=300)
    tokens_ingles = mo.ui.text(value=tokens.ENGLISH, label="inglés", full_width=True, debounce=300)
    return tokens_castellano, tokens_ingles


@app.cell
def tokens_idiomas(tokens, tokens_bpe, tokens_castellano, tokens_ingles):
    _frases = {"castellano": tokens_castellano.value, "inglés": tokens_ingles.value}
    mo.vstack([
        mo.md("## La misma frase en castellano y en inglés"),
        mo.hstack([tokens_castellano, tokens_ingles], widths=[1, 1], gap=1),
        mo.Html(tokens.languages_html(_frases, tokens_bpe)),
        mo.md("Ojo: nuestro BPE aprendió de *El Quijote*. Los tokenizadores entrenados sobre todo con "
              "inglés suelen cortar el castellano en **más** tokens."),
    ])
    return


@app.cell
def tokens_embeddings_control():
    tokens_letra = mo.ui.text(value="a", label="Elige un carácter:", debounce=300)
    return (tokens_letra,)


@app.cell
def tokens_embeddings(tokens, tokens_letra):
    _gpt, _vocab = model.load_pretrained()
    _letra, _ = tokens.pick_char(tokens_letra.value, _vocab)
    mo.vstack([
        mo.md("## Embeddings: cada carácter, una lista de números aprendida"),
        tokens_letra,
        mo.hstack([
            mo.Html(tokens.embedding_chart(_gpt, _vocab, _letra)),
            mo.Html(tokens.neighbours_html(_gpt, _vocab, tokens_letra.value)),
        ], align="center"),
    ])
    return


@app.cell
def tokens_palabras_control():
    from demos import words

    tokens_palabra = mo.ui.text(value="hambre", label="Escribe una palabra:", debounce=300)
    return tokens_palabra, words


@app.cell
def tokens_palabras(tokens_palabra, words):
    mo.vstack([
        mo.md("## ¿Y el significado? Dime con quién andas…\n"
              "Contando qué palabras aparecen **cerca** de cuál en *El Quijote*, cada palabra se vuelve "
              "una lista de 100 números (un *embedding* de palabra). Nadie le dijo qué significa nada:"),
        tokens_palabra,
        mo.Html(words.neighbours_html(tokens_palabra.value)),
    ])
    return


@app.cell(hide_code=True)
def prediccion_titulo():
    mo.vstack([
        mo.md("""
        # Predicción del siguiente token

        Un LLM hace una sola cosa: **predecir el próximo token a partir de los anteriores**.
        Como un tren que va poniendo su propia vía, riel por riel, justo delante:
        """),
        mo.Html(track.track_html(["En", " un", " lugar", " de", " la"], " Mancha")),
        mo.md("""
        - **Ojo 1**: no «piensa» ni «sabe» lo que hace. **Ojo 2**: es **estadística aplicada**.
        - **Ojo 3**: token a token, en fila: el siguiente espera a los anteriores.
        - **Ojo 4**: no tiene memoria, como una multiplicación de matrices.
        """),
    ])
    return


@app.cell
def prediccion_importa():
    from demos import prediction

    prediccion_gpt, prediccion_vocab = model.load_pretrained()
    prediccion_texto = mo.ui.text(value="En un lugar de la Man", label="Texto:", full_width=True)
    return prediccion_gpt, prediccion_texto, prediccion_vocab, prediction


@app.cell
def prediccion_distribucion(
    prediccion_gpt,
    prediccion_texto,
    prediccion_vocab,
    prediction,
):
    prediccion_entrada = prediction.prepare_prompt(prediccion_vocab, prediccion_texto.value)
    mo.vstack([
        mo.md("## ¿Qué carácter viene ahora?"),
        prediccion_texto,
        prediction.next_token_chart(prediccion_gpt, prediccion_vocab, prediccion_entrada.text),
        mo.md(prediction.notes_markdown(prediccion_entrada)
              or "Esto es **todo** lo que entrega el modelo: una probabilidad por carácter. No piensa: es estadística."),
    ])
    return (prediccion_entrada,)


@app.cell
def prediccion_controles_paso(
    prediccion_entrada,
    prediccion_gpt,
    prediccion_vocab,
    prediction,
):
    prediccion_crece = prediction.growth(prediccion_gpt, prediccion_vocab, prediccion_entrada.text)
    prediccion_pasos, prediccion_fijar_pasos = mo.state(0)  # texto nuevo → de vuelta al paso 0
    prediccion_siguiente = mo.ui.button(label="Siguiente token ▸",
                                        on_click=lambda _: prediccion_fijar_pasos(lambda n: n + 1))
    prediccion_reinicio = mo.ui.button(label="↺ Desde el comienzo", on_click=lambda _: prediccion_fijar_pasos(0))
    return (
        prediccion_crece,
        prediccion_pasos,
        prediccion_reinicio,
        prediccion_siguiente,
    )


@app.cell
def prediccion_paso_a_paso(
    prediccion_crece,
    prediccion_pasos,
    prediccion_reinicio,
    prediccion_siguiente,
    prediction,
):
    prediction.step_view(
        prediccion_crece.prompt.text,
        prediccion_crece.upto(prediccion_pasos()),
        header=mo.hstack([mo.md("## Paso a paso"), prediccion_siguiente, prediccion_reinicio], justify="start",
                         align="center", gap=1),
    )
    return


@app.cell
def prediccion_boton_auto():
    prediccion_auto = mo.ui.run_button(label="▶ Escribir 40 caracteres")
    return (prediccion_auto,)


@app.cell
def prediccion_reproducir(
    prediccion_auto,
    prediccion_entrada,
    prediccion_gpt,
    prediccion_vocab,
    prediction,
):
    _arriba = mo.hstack([mo.md("## Token a token, en secuencia"), prediccion_auto], justify="start", align="center",
                        gap=1)
    mo.stop(not prediccion_auto.value,
            mo.vstack([_arriba, mo.md("Cada carácter necesita los anteriores (los que caben en su ventana): no se puede adelantar.")]))
    prediction.autoplay(prediccion_gpt, prediccion_vocab, prediccion_entrada.text, n_steps=40, header=_arriba)
    return


@app.cell
def prediccion_sin_memoria(
    prediccion_entrada,
    prediccion_gpt,
    prediccion_vocab,
    prediction,
):
    _primera, _segunda, _iguales = prediction.same_input_twice(prediccion_gpt, prediccion_vocab,
                                                               prediccion_entrada.text)
    mo.vstack([
        mo.md("## Sin memoria: la misma entrada, la misma salida"),
        mo.hstack(prediction.twice_charts(_primera, _segunda, prediccion_vocab), justify="start"),
        mo.md(f"¿Idénticas, número por número? **{'Sí' if _iguales else 'No'}.** Entre medio le preguntamos "
              "otras cosas y no se acordó de nada: como una multiplicación de matrices."),
    ])
    return


@app.cell
def prediccion_ventana(prediccion_gpt, prediccion_vocab, prediction):
    _prueba = prediction.window_check(prediccion_gpt, prediccion_vocab, prediction.QUIJOTE_OPENING)
    mo.vstack([
        mo.md(f"## Solo ve su ventana: los últimos {prediccion_gpt.context_length} caracteres"),
        mo.Html(prediction.window_html(prediccion_vocab, prediction.QUIJOTE_OPENING, prediccion_gpt.context_length)),
        mo.md(prediction.window_summary(_prueba) + " Lo tachado no existe para el modelo."),
    ])
    return


@app.cell
def prediccion_controles_atencion(prediccion_gpt):
    prediccion_paso_atencion = mo.ui.slider(1, 30, value=10, label="paso", show_value=True)
    prediccion_capa = mo.ui.dropdown({f"{i + 1}": i for i in range(len(prediccion_gpt.blocks))},
                                     value=str(len(prediccion_gpt.blocks)), label="capa")
    prediccion_cabeza = mo.ui.dropdown({f"{h + 1}": h for h in range(prediccion_gpt.config.n_head)},
                                       value="1", label="cabeza")
    return prediccion_cabeza, prediccion_capa, prediccion_paso_atencion


@app.cell
def prediccion_atencion(
    prediccion_capa,
    prediccion_crece,
    prediccion_gpt,
    prediccion_paso_atencion,
    prediccion_vocab,
    prediction,
):
    _paso = prediccion_crece.upto(prediccion_paso_atencion.value)[-1]
    prediccion_letras, prediccion_pesos = prediction.step_attention(prediccion_gpt, prediccion_vocab, _paso)
    mo.vstack([
        mo.md("## Atención: ¿a qué caracteres anteriores mira?"),
        mo.hstack([prediccion_paso_atencion, prediccion_capa], justify="start"),
        mo.md(f"Paso {_paso.number}: para elegir «{prediction.visible(_paso.chosen.text)}». "
              "Cada fila suma 100 % («…» junta todo lo anterior)."),
        prediction.heads_chart(prediccion_letras, prediccion_pesos, prediccion_capa.value),
    ])
    return prediccion_letras, prediccion_pesos


@app.cell
def prediccion_triangulo(
    prediccion_cabeza,
    prediccion_capa,
    prediccion_letras,
    prediccion_pesos,
    prediction,
):
    mo.hstack([
        prediction.triangle_chart(prediccion_letras, prediccion_pesos, prediccion_capa.value, prediccion_cabeza.value),
        mo.vstack([mo.md("## Nunca mira hacia adelante"), prediccion_cabeza,
                   mo.md(f"Las últimas {prediction.TRIANGLE_CHARS} filas de la misma atención de ese paso: cada "
                         "fila es un carácter («…» junta lo anterior). Arriba de la diagonal (el futuro) todo es "
                         "**cero**: el modelo no puede espiar lo que todavía no se escribe.")]),
    ], justify="start", gap=2)
    return


@app.cell
def prediccion_paralelo(prediccion_gpt, prediccion_vocab, prediction):
    _texto = "En un lugar de la Mancha"
    _una, _filas = prediction.one_pass(prediccion_gpt, prediccion_vocab, _texto)
    _muchas, _ = prediction.generation_calls(prediccion_gpt, prediccion_vocab, _texto, len(_filas))
    mo.vstack([
        mo.md("## Escribir es secuencial; entrenar, paralelo"),
        mo.md(f"**Entrenar**: el texto ya existe. **{_una} sola llamada** al modelo predice las "
              f"{len(_filas)} posiciones a la vez (en verde, las que acierta):"),
        mo.Html(prediction.one_pass_html(_filas)),
        mo.md(f"**Escribir**: el carácter siguiente no existe hasta que se elige. Para {len(_filas)} caracteres "
              f"nuevos: **{_muchas} llamadas**, una después de otra (la primera lee todo el texto y ya da el "
              "primer carácter)."),
    ])
    return


@app.cell
def prediccion_ollama_controles(prediction):
    prediccion_ollama_modo = mo.ui.dropdown(prediction.OLLAMA_MODES, value="continuar el texto", label="Ollama:")
    prediccion_ollama_boton = mo.ui.run_button(label="Preguntarle a Ollama")
    return prediccion_ollama_boton, prediccion_ollama_modo


@app.cell
def prediccion_ollama(
    prediccion_entrada,
    prediccion_gpt,
    prediccion_ollama_boton,
    prediccion_ollama_modo,
    prediccion_vocab,
    prediction,
):
    _aviso, _graficos = prediction.ollama_panel(prediccion_gpt, prediccion_vocab, prediccion_entrada.text,
                                                prediccion_ollama_modo.value, ask=prediccion_ollama_boton.value)
    mo.vstack([
        mo.md("## Un LLM de verdad hace lo mismo"),
        mo.Html(prediction.quote_html(prediccion_entrada.text)),
        mo.hstack([prediccion_ollama_modo, prediccion_ollama_boton], justify="start", gap=1),
        mo.md(_aviso),
        mo.hstack(_graficos, justify="start", gap=2),
    ])
    return


@app.cell(hide_code=True)
def version1_titulo():
    mo.md("""
    # Versión 1 del chat

    Con lo que ya sabemos alcanza: un chat es un programa que **le pasa tu mensaje a un modelo**
    y te muestra, token a token, lo que el modelo predice.

    El nuestro cabe en **cinco líneas de Python**. El modelo es **QuijoteChat**: nuestro GPT,
    entrenado con *El Quijote* (después veremos cómo).
    """)
    return


@app.function
def responder(mensajes, ajustes=None, cerebro=None):
    """Versión 1: el modelo recibe SOLO el último mensaje."""
    cerebro = cerebro or chat.EmbeddedBackend()  # QuijoteChat
    enviar = mensajes[-1:]  # solo el último
    return chat.reply_stream(cerebro, enviar)


@app.cell
def version1_chat(responder):
    version1_caja = chat.widget.chat(
        responder, prompts=["¿Qué animal da leche y dice mu?", "¿Cómo se llama un animal castrado de esa especie?"],
        max_height=150,
    )
    mo.vstack([
        mo.md("## Nuestro chat, completo: pruébalo"),
        mo.Html(version1.code_html(responder)),
        version1_caja,
    ])
    return (version1_caja,)


@app.cell(hide_code=True)
def memoria_titulo():
    mo.md("""
    # Memoria

    La prueba de la vaca, con la versión 1:

    1. «¿Qué animal da leche y dice mu?»
    2. «¿Cómo se llama un animal castrado de esa especie?»

    La segunda **solo tiene sentido si el modelo recuerda la primera**. Y **el LLM no tiene
    memoria**: siempre parte desde el mismo estado inicial.
    """)
    return


@app.cell
def memoria_vaca_v1(responder):
    _llamadas = version1.cow_through(responder)
    mo.vstack([
        mo.md("## La versión 1 no pasa la prueba\nLo que recibió el modelo con la pregunta 2 (detrás de la cortina):"),
        mo.Html(version1.cow_html(_llamadas)),
        mo.md("Solo le llegó la pregunta 2: **no puede saber de qué especie hablamos**."),
    ])
    return


@app.cell
def memoria_tecnica1(responder):
    def responder_con_memoria(mensajes, ajustes=None, cerebro=None):
        """Técnica 1: el modelo recibe TODA la conversación."""
        cerebro = cerebro or chat.EmbeddedBackend()  # QuijoteChat
        enviar = mensajes  # toda la conversación
        return chat.reply_stream(cerebro, enviar)

    _llamadas = version1.cow_through(responder_con_memoria)
    mo.vstack([
        mo.md("## Técnica 1: pasarle toda la conversación (una línea cambia)"),
        mo.Html(version1.code_html(responder)),
        mo.Html(version1.code_html(responder_con_memoria, version1.changed_lines(responder, responder_con_memoria))),
        mo.md(f"Ahora, con la pregunta 2 viajan **{len(_llamadas[-1].messages)} mensajes**: la pregunta 1, "
              "su respuesta y la pregunta 2. Pruébalo en `marimo edit`: cambia esa línea en la versión 1."),
    ])
    return (responder_con_memoria,)


@app.cell
def memoria_vaca_controles():
    memoria_cerebro = mo.ui.dropdown(options={v: k for k, v in chat.CHOICES.items()},
                                     value="QuijoteChat (incluido)", label="Cerebro")
    memoria_boton = mo.ui.run_button(label="Hacer la prueba de la vaca")
    mo.vstack([
        mo.md("""
        ## Técnica 2: pasarle un resumen

        Los turnos viejos se cambian por un **resumen** que escribe el mismo modelo, en una llamada
        antes de la respuesta. Un clic: la prueba de la vaca sin memoria, con toda la conversación
        y con resumen, con el cerebro que elijas.
        """),
        mo.hstack([memoria_cerebro, memoria_boton], justify="start"),
    ])
    return memoria_boton, memoria_cerebro


@app.cell
def memoria_vaca(memoria_boton, memoria_cerebro):
    mo.stop(not memoria_boton.value, mo.md("Elige un cerebro y aprieta **Hacer la prueba de la vaca**."))
    _cerebro, _aviso = chat.pick_backend(memoria_cerebro.value)
    _resultados = {s: memory.cow_test(_cerebro, s) for s in memory.STRATEGIES}
    _detalle = {s: mo.Html(memory.scroll_box(memory.calls_html([c for t in r for c in t]), 260))
                for s, r in _resultados.items()}
    mo.vstack([
        mo.md(f"## Lo que se envió\n{_aviso}"),
        mo.Html(memory.cow_table_html(_resultados)),
        mo.accordion({"Ver los mensajes exactos de cada llamada": mo.ui.tabs(_detalle)}),
    ])
    return


@app.cell
def memoria_crecimiento():
    from demos import charts

    mo.vstack([
        mo.md("## El paquete crece en cada turno"),
        charts.lines(memory.growth_rows(), "turno:O", "caracteres enviados:Q", "estrategia:N",
                     title="Caracteres que se envían en cada turno"),
        mo.md("Cada token enviado cuesta **tiempo y dinero**. El resumen mantiene el paquete a raya."),
    ])
    return


@app.cell(hide_code=True)
def memoria_cervantes():
    _gpt, _ = model.load_pretrained()
    mo.md(f"""
    ## ¿Por qué QuijoteChat contesta como Cervantes?

    - Aprendió de **un solo libro**, El Quijote: solo sabe escribir textos que suenan así.
    - Lo **refinamos** con los diálogos del libro: sabe cuándo es su turno y cuándo callar,
      pero no sabe de vacas. ChatGPT se refinó con miles de conversaciones de todo tipo.
    - Ve solo **{_gpt.context_length} caracteres** a la vez: del historial completo lee el final.
    - Predice **carácter por carácter**: no sabe qué es una vaca, sabe qué letras suelen seguir.
    """)
    return


@app.cell
def memoria_botones():
    memoria_boton_roles = mo.ui.run_button(label="Enviar")
    memoria_boton_ejemplos = mo.ui.run_button(label="Enviar")
    memoria_boton_cadena = mo.ui.run_button(label="Encadenar tres llamadas")
    return memoria_boton_cadena, memoria_boton_ejemplos, memoria_boton_roles


@app.cell
def memoria_roles(memoria_boton_roles, memoria_cerebro):
    _respuesta = ""
    if memoria_boton_roles.value:
        _hecho = memory.call(chat.pick_backend(memoria_cerebro.value)[0], memory.ROLES_EXAMPLE)
        _respuesta = memory.answer_html(_hecho)
    mo.vstack([
        mo.md("## Trucos de ingenieros: roles\n`system` (sistema) define el personaje · `user` (usuario) pregunta · "
              "`assistant` (asistente) es lo que respondió"),
        mo.Html(memory.messages_html(memory.ROLES_EXAMPLE)),
        memoria_boton_roles,
        mo.Html(_respuesta),
    ])
    return


@app.cell
def memoria_ejemplos(memoria_boton_ejemplos, memoria_cerebro):
    _respuesta = ""
    if memoria_boton_ejemplos.value:
        _hecho = memory.call(chat.pick_backend(memoria_cerebro.value)[0], memory.FEW_SHOT_EXAMPLE)
        _respuesta = memory.answer_html(_hecho)
    mo.vstack([
        mo.md("## *Few-shot* (con pocos ejemplos): enseñar con ejemplos\nUn `assistant` inventado le muestra el formato."),
        mo.Html(memory.messages_html(memory.FEW_SHOT_EXAMPLE)),
        memoria_boton_ejemplos,
        mo.Html(_respuesta),
    ])
    return


@app.cell
def memoria_cadena(memoria_boton_cadena, memoria_cerebro):
    _pasos = "\n".join(f"{i}. {p.format(problema=memory.CHAIN_PROBLEM)}"
                       for i, p in enumerate(memory.CHAIN_STEPS, start=1))
    _resultado = ""
    if memoria_boton_cadena.value:
        _llamadas = memory.chained_calls(chat.pick_backend(memoria_cerebro.value)[0])
        _resultado = memory.scroll_box(memory.calls_html(_llamadas), 230)
    mo.vstack([
        mo.md(f"## Llamadas encadenadas\nCada respuesta viaja en la llamada siguiente:\n\n{_pasos}"),
        memoria_boton_cadena,
        mo.Html(_resultado),
    ])
    return


@app.cell(hide_code=True)
def temperatura_titulo():
    mo.md("""
    # Temperatura

    ¿Qué es la temperatura?

    > **Qué tan aleatoria es la elección del siguiente token.**
    """)
    return


@app.cell
def temperatura_controles():
    from demos import temperature

    temp_gpt, temp_vocab = model.load_pretrained()
    temp_texto = mo.ui.text(value="En un lugar de la Mancha, de cuyo nombre no quiero", label="Texto:",
                            full_width=True)
    temp_slider = mo.ui.slider(0, 2, step=0.05, value=1.0, label="temperatura", show_value=True)
    temp_top_k = mo.ui.slider(0, 40, value=0, label="top-k (0 = todos)", show_value=True)
    temp_top_p = mo.ui.slider(0, 1, step=0.05, value=0.9, label="top-p", show_value=True)
    return (
        temp_gpt,
        temp_slider,
        temp_texto,
        temp_top_k,
        temp_top_p,
        temp_vocab,
        temperature,
    )


@app.cell
def temperatura_logits(temp_gpt, temp_texto, temp_vocab, temperature):
    temp_entrada = temperature.prepare_prompt(temp_vocab, temp_texto.value)
    temp_logits = decoding.next_token_logits(temp_gpt, temp_vocab, temp_entrada.text)  # una vez por texto
    return temp_entrada, temp_logits


@app.cell
def temperatura_control(
    temp_entrada,
    temp_logits,
    temp_slider,
    temp_texto,
    temp_vocab,
    temperature,
):
    mo.vstack([
        mo.md("## Mueve la temperatura"),
        temp_texto,
        mo.hstack([temp_slider, mo.md(temperature.describe(temp_slider.value))], justify="start", gap=2),
        temperature.chart(temp_logits, temp_vocab, temp_slider.value),
        mo.md(temperature.summary(temp_logits, temp_slider.value)),
        mo.md(temperature.notes_markdown(temp_entrada)),
    ])
    return


@app.cell
def temperatura_muestras(temp_entrada, temp_gpt, temp_vocab, temperature):
    _muestras = temperature.samples(temp_gpt, temp_vocab, temp_entrada.text)  # misma semilla para las tres
    mo.vstack([
        mo.md("## La misma frase, los mismos dados, tres temperaturas"),
        mo.Html(temperature.samples_html(temp_entrada.text, _muestras)),
    ])
    return


@app.cell
def temperatura_recortes(
    temp_logits,
    temp_slider,
    temp_top_k,
    temp_top_p,
    temp_vocab,
    temperature,
):
    _k, _p = temp_top_k.value or None, temp_top_p.value
    mo.vstack([
        mo.md("## top-k y top-p: cortar la cola antes de sortear"),
        mo.hstack([temp_slider, temp_top_k, temp_top_p], justify="start", gap=2),
        temperature.chart(temp_logits, temp_vocab, temp_slider.value, _k, _p),
        mo.md(temperature.summary(temp_logits, temp_slider.value, _k, _p)
              + "  \n*top-k*: solo los k favoritos. *top-p*: los favoritos hasta sumar p. En gris, lo cortado."),
    ])
    return


@app.cell(hide_code=True)
def temperatura_repaso():
    mo.vstack([
        mo.md("## Repaso: el camino completo de un texto"),
        mo.Html(track.pipeline_html("temperatura")),
        mo.md("El token elegido se agrega al texto y todo vuelve a empezar, **un token a la vez**. "
              "Lo que falta ver: de dónde salen los números del modelo."),
    ])
    return


@app.cell(hide_code=True)
def entrenamiento_titulo():
    mo.md("""
    # Entrenamiento

    ¿Cómo se entrena un LLM? Con un **corpus de texto** y mucho dinero (o muchas GPU).

    ¿Qué se obtiene? **Muchas matrices gigantes** llenas de números: los **parámetros**
    (cada número que el entrenamiento ajusta).

    Hoy entrenamos uno propio, aquí mismo, con *El Quijote*.
    """)
    return


@app.cell
def entrenamiento_corpus():
    quijote, quijote_error = corpus.try_load_text()
    if quijote is None:
        _contenido = [training.missing_corpus_view(quijote_error)]
    else:
        _info = corpus.stats(quijote)
        _contenido = [
            mo.hstack([
                mo.stat(formatting.thousands(_info["caracteres"]), label="caracteres"),
                mo.stat(formatting.thousands(_info["palabras"]), label="palabras"),
                mo.stat(formatting.thousands(_info["caracteres_distintos"]), label="caracteres distintos"),
            ]),
            mo.md(f"> {quijote[167:420]}…"),
            mo.md("90 % para **entrenar**, 10 % para **validar** (texto que el modelo nunca ve al aprender)."),
        ]
    mo.vstack([mo.md("## El corpus: *El Quijote*"), *_contenido])
    return quijote, quijote_error


@app.cell
def entrenamiento_tarea():
    _frase = "En un lugar"
    _ver = lambda t: t.replace(" ", "␣")  # un espacio solo no se ve: ␣, como en los tokens
    _pares = "\n".join(f"| `{_ver(_frase[: _i + 1])}` | `{_ver(_frase[_i + 1])}` |" for _i in range(len(_frase) - 1))
    _tabla = mo.md(f"| el modelo ve (x) | debe adivinar (y) |\n|---|---|\n{_pares}")
    _texto = mo.md("De un solo trozo de texto salen **muchos ejemplos**.\n\nEl Quijote tiene ~2 millones.")
    # la tabla y, a su lado, la explicación: las diez filas caben con letra de proyector
    mo.vstack([
        mo.md("## La tarea: adivinar el carácter que sigue"),
        mo.Html(f"<div style='display:flex;gap:64px;align-items:center'><div>{_tabla.text}</div>"
                f"<div>{_texto.text}</div></div>"),
    ])
    return


@app.cell
def entrenamiento_modelos():
    quijote_gpt, vocabulario = model.load_pretrained()
    bigrama = trainer.new_model("bigram", vocabulario.vocab_size)
    gpt_vivo = trainer.new_model("live", vocabulario.vocab_size)
    return bigrama, gpt_vivo, quijote_gpt, vocabulario


@app.cell
def entrenamiento_datos(quijote, vocabulario):
    datos = trainer.prepare_data(quijote, vocabulario) if quijote is not None else None
    return (datos,)


@app.cell
def entrenamiento_bigrama_intro(bigrama, vocabulario):
    # en una sola línea: un salto de línea en la muestra rompería la cita (y la sangría del texto)
    _muestra = decoding.continue_text(bigrama, vocabulario, "En un lugar", 150, temperature=1.0, seed=0).replace("\n", " ")
    mo.md(
        f"""
        ## Primer modelo: el bigrama

        Una tabla de {vocabulario.vocab_size}×{vocabulario.vocab_size} puntajes: mira **solo
        el último carácter** para adivinar el siguiente. Recién creado, sus números son al azar:

        > En un lugar{_muestra}
        """
    )
    return


@app.cell
def entrenamiento_bigrama_boton():
    boton_bigrama = mo.ui.run_button(label="Entrenar el bigrama (8 s)")
    return (boton_bigrama,)


@app.cell
def entrenamiento_bigrama_vivo(boton_bigrama, datos, quijote_error, vocabulario):
    _arriba = mo.vstack([mo.md("## El bigrama aprende"), boton_bigrama])
    mo.stop(datos is None, mo.vstack([_arriba, training.missing_corpus_view(quijote_error)]))
    mo.stop(not boton_bigrama.value, mo.vstack([_arriba, mo.md("Aprieta el botón: 8 segundos de entrenamiento.")]))
    _bigrama = trainer.new_model("bigram", vocabulario.vocab_size)  # cada clic parte de cero
    _config = trainer.TrainConfig(max_steps=2_000, seconds=8, batch_size=32, lr=1e-2, eval_every=0.5, sample_every=4)
    _historia = training.live_training(_bigrama, datos, _config, header=_arriba)  # la vista ya quedó en pantalla
    return


@app.cell
def entrenamiento_gpt_intro(gpt_vivo):
    mo.md(f"""
    ## Ahora, un GPT de verdad (pero chiquito)

    **GPT**: ***G**enerative* (genera texto) · ***P**re-trained* (preentrenado con mucho texto) ·
    ***T**ransformer* (el diseño de la red, con **atención**).

    1. **Embeddings**: cada carácter se vuelve una lista de números.
    2. **Atención**: cada posición mira a los caracteres anteriores.
    3. **MLP** (red de capas): cada posición «procesa» lo que vio.
    4. Al final: un puntaje por cada carácter posible → probabilidades.

    Como GPT, solo tiene la mitad que **escribe** del Transformer original (el «decodificador»); a
    diferencia de GPT-2, la posición la da ALiBi (la atención pesa menos lo lejano). Tiene
    **{formatting.thousands(model.count_parameters(gpt_vivo))} parámetros** y mira
    {gpt_vivo.context_length} caracteres hacia atrás.
    """)
    return


@app.cell
def entrenamiento_controles():
    segundos = mo.ui.slider(10, 120, step=10, value=30, label="segundos de entrenamiento", show_value=True)
    boton_gpt = mo.ui.run_button(label="Entrenar nuestro GPT en vivo")
    return boton_gpt, segundos


@app.cell
def entrenamiento_gpt_vivo(boton_gpt, datos, quijote_error, segundos, vocabulario):
    _arriba = mo.vstack([mo.md("## Nuestro GPT aprende, en vivo"), mo.hstack([segundos, boton_gpt], justify="start")])
    mo.stop(datos is None, mo.vstack([_arriba, training.missing_corpus_view(quijote_error)]))
    mo.stop(not boton_gpt.value, mo.vstack([_arriba, mo.md("Elige los segundos y aprieta el botón.")]))
    _gpt = trainer.new_model("live", vocabulario.vocab_size)  # cada clic parte de cero
    _historia = training.live_training(_gpt, datos, trainer.live_config(seconds=segundos.value), header=_arriba)
    return


@app.cell
def entrenamiento_matrices(quijote_gpt):
    mo.vstack([
        mo.md(
            f"## ¿Qué se obtiene? Muchas matrices gigantes\n"
            f"QuijoteGPT, el modelo incluido, son **{formatting.thousands(model.count_parameters(quijote_gpt))} números** "
            "repartidos en matrices como esta:"
        ),
        mo.Html(training.weight_chart(quijote_gpt)),
    ])
    return


@app.cell
def entrenamiento_tamanos(bigrama, gpt_vivo, quijote_gpt):
    training.size_chart({
        "Bigrama del taller": model.count_parameters(bigrama),
        "GPT en vivo": model.count_parameters(gpt_vivo),
        "QuijoteGPT (incluido)": model.count_parameters(quijote_gpt),
    })
    return


@app.cell(hide_code=True)
def refinamiento_titulo():
    mo.md("""
    # Refinamiento

    ### de autocompletar a conversar

    1. **Preentrenamiento**: leer muchísimo texto y aprender a continuarlo → QuijoteGPT.
    2. **Refinamiento** (en inglés, *SFT*: ajuste supervisado): el mismo modelo, entrenado un poco
       más con **conversaciones de ejemplo** → QuijoteChat.
    3. **RLHF** (aprendizaje por refuerzo con retroalimentación humana): **personas ordenan
       respuestas** de mejor a peor y el modelo aprende a preferir las mejores. ChatGPT lo hace; nosotros no.
    """)
    return


@app.cell
def refinamiento_modulo():
    from demos.finetuning import views as refinar

    return (refinar,)


@app.cell
def refinamiento_pregunta():
    refinamiento_texto = mo.ui.text(value="Hola, ¿quién eres?", label="Pregúntales:", full_width=True)
    return (refinamiento_texto,)


@app.cell
def refinamiento_lado_a_lado(refinamiento_texto, refinar):
    mo.vstack([
        mo.md("## La misma pregunta, dos modelos"),
        refinamiento_texto,
        mo.Html(refinar.side_by_side_html(refinamiento_texto.value or "Hola")),
    ])
    return


@app.cell
def refinamiento_plantilla(refinar):
    from demos import chat_template

    _, _fichas = chat_template.load_chat()
    _ejemplo = [{"role": "user", "content": "¿Qué me dices, Sancho?"},
                {"role": "assistant", "content": "Que vuestra merced se calle."}]
    mo.vstack([
        mo.md("## Cómo se escribe una conversación\n"
              "Tres **tokens nuevos**, uno por marca, al final del vocabulario:"),
        mo.Html(refinar.template_html(_ejemplo, _fichas)),
        mo.md("En **verde**, lo único que cuenta en la pérdida (el error que se corrige): la respuesta y su "
              "`<|fin|>`. Del usuario, en gris, no aprende nada. Los ejemplos: **diálogos del libro**, sin el "
              "«–dijo Sancho–» del narrador."),
    ])
    return


@app.cell
def refinamiento_boton():
    refinamiento_boton = mo.ui.run_button(label="Refinar QuijoteGPT en vivo (60 s)")
    return (refinamiento_boton,)


@app.cell
def refinamiento_vivo(refinamiento_boton, refinar):
    _arriba = mo.vstack([mo.md("## QuijoteGPT aprende a conversar, en vivo"), refinamiento_boton])
    mo.stop(not refinamiento_boton.value, mo.vstack([_arriba, mo.md(
        "Un minuto de refinamiento desde QuijoteGPT. Mira cómo cambia su respuesta a «¿Quién eres?»: "
        "aprende **el formato y la voz** (contestar y callarse), **no datos nuevos**.")]))
    _historia = refinar.live_finetune(60, header=_arriba)
    return


@app.cell
def alucinaciones():
    from demos.finetuning import views as _vistas

    _respuestas = _vistas.hallucination()
    _lista = "\n".join(f"- «{_texto}»" for _texto, _ in _respuestas)
    mo.md(f"""
    # Alucinaciones

    Le preguntamos a QuijoteChat: **«{_vistas.HALLUCINATION_QUESTION}»**

    {_lista}

    No lo puede saber (leyó un libro de 1605), pero contesta **con toda seguridad**: escribe lo que
    *suena* a respuesta. Todo LLM hace lo mismo cuando no sabe: **verifica lo que te dice**.
    """)
    return


@app.cell
def archivo():
    from demos import model_file

    _gpt, _ = model.load_pretrained()
    mo.md(f"""
    # Un modelo abierto es un archivo

    Tamaño = **parámetros × bits por parámetro**. Los modelos para computadores comunes vienen
    achicados a 4 u 8 bits por número: pesan mucho menos y responden casi igual.

    {model_file.table_markdown(model.count_parameters(_gpt))}

    **Pesos abiertos** (se descarga el archivo con los números: Llama, Mistral, Gemma, Qwen) no es lo
    mismo que **código abierto** (además, los datos y el código con que se entrenó).
    Ollama corre esos archivos en tu computador: `ollama pull llama3.1:8b`.
    """)
    return


@app.cell
def chat_sesion():
    chat_sesion = chat.ChatSession()
    return (chat_sesion,)


@app.cell
def chat_controles(chat_sesion):
    chat_cerebro = mo.ui.dropdown(options={v: k for k, v in chat.CHOICES.items()},
                                  value="QuijoteChat (incluido)", label="Cerebro")
    chat_temperatura = mo.ui.slider(0.0, 2.0, step=0.1, value=0.8, label="Temperatura", show_value=True)
    chat_estrategia = mo.ui.dropdown(options=list(memory.STRATEGIES), value="historial completo",
                                     label="Memoria")
    chat_sistema = mo.ui.text(value="", label="Mensaje de sistema (opcional):", full_width=True)
    # la sesión lee los controles en el momento de cada mensaje: moverlos no borra la conversación
    chat_sesion.use(backend=chat_cerebro, temperature=chat_temperatura, strategy=chat_estrategia,
                    system=chat_sistema)
    return chat_cerebro, chat_estrategia, chat_sistema, chat_temperatura


@app.cell
def chat_modelo(chat_cerebro, chat_sesion):
    # el modelo configurado (OPENAI_MODEL, OLLAMA_MODEL) viene primero en la lista: es el que queda elegido
    _modelos, chat_estado = chat.list_models(chat_cerebro.value)
    chat_modelo = mo.ui.dropdown(options=_modelos, value=_modelos[0] if _modelos else None, label="Modelo")
    chat_sesion.use(model=chat_modelo)
    return chat_estado, chat_modelo


@app.cell
def chat_disponibles():
    # quién contesta aquí y ahora: Ollama y la API se prueban de verdad (con la clave, que nunca se muestra)
    chat_disponibles = chat.survey()
    return (chat_disponibles,)


@app.cell
def chat_demo(chat_sesion):
    from demos.chat import widget

    chat_caja = widget.chat(
        chat_sesion.reply,
        prompts=["Hola, ¿quién eres?", "¿Qué animal da leche y dice mu?",
                 "¿Cómo se llama un animal castrado de esa especie?"],
        max_height=230,
    )
    mo.vstack([mo.md("# Tu propio ChatGPT"), chat_caja])
    return (chat_caja,)


@app.cell
def chat_perillas(
    chat_cerebro,
    chat_disponibles,
    chat_estado,
    chat_estrategia,
    chat_modelo,
    chat_sistema,
    chat_temperatura,
):
    mo.vstack([
        mo.hstack([chat_cerebro, chat_modelo, chat_temperatura, chat_estrategia], justify="start", wrap=True),
        chat_sistema,
        # quién contesta aquí y ahora, plegado: abrirlo explica por qué falta Ollama o la API
        mo.accordion({f"{chat_estado} ¿Quién puede contestar?": mo.md(chat_disponibles.markdown())}),
    ])
    return


@app.cell
def chat_cortina(chat_caja, chat_sesion):
    # se recalcula al enviar un mensaje y al terminar cada respuesta; si se borró el chat, empieza de cero
    chat_sesion.sync(chat_caja.value["messages"])
    mo.vstack([
        mo.md("## Detrás de la cortina: lo que recibe el modelo"),
        mo.Html(memory.curtain_html(chat_sesion.turns)),
    ])
    return


@app.cell(hide_code=True)
def chat_cervantes(chat_caja, chat_cerebro, chat_disponibles, chat_sesion):
    _turnos = len(chat_caja.value["messages"])  # se recalcula cada vez que el chat cambia
    # en automático contesta quien respondió el último turno (QuijoteChat, si nadie más respondió)
    _quien = chat_sesion.speaker_kind(chat_cerebro.value, chat_disponibles.auto)
    _ahora = ("Ahora mismo conversas con **QuijoteChat**: por eso contesta como Cervantes." if _quien == "quijote"
              else f"Ahora mismo conversas con **{chat.CHOICES[_quien]}**: compáralo con QuijoteChat.")
    mo.md(f"""
    ## ¿Por qué suena a Cervantes?

    {_ahora}

    - Solo leyó El Quijote. El libro está lleno de diálogos, pero QuijoteGPT nunca fue entrenado
      para **responder**; QuijoteChat sí: lo refinamos con esos diálogos. Sabe cuándo callar, no sabe de vacas.
    - Un chat de verdad es el mismo truco (predecir el siguiente token) con un modelo
      **mucho más grande**, entrenado con mucho más texto, con conversaciones de ejemplo y con RLHF.
    """)
    return


@app.cell
def chat_api_boton():
    chat_api_boton = mo.ui.run_button(label="Encender mi API y preguntarle")
    return (chat_api_boton,)


@app.cell
def chat_api(chat_api_boton):
    _respuesta = mo.md("")
    if chat_api_boton.value:
        _api = chat.local_api()
        _respuesta = mo.vstack([mo.md(f"**{_api.url}** contestó:"),
                                mo.plain_text(_api.ask("Hola, ¿quién eres?", 300))])
    mo.vstack([
        mo.md("""
        ## Tu propio ChatGPT, con API

        ```bash
        python -m demos.chat servir --puerto 8000
        ```

        ```python
        from openai import OpenAI
        cliente = OpenAI(base_url="http://127.0.0.1:8000/v1", api_key="no-hace-falta")
        r = cliente.chat.completions.create(model="quijote-chat",
                messages=[{"role": "user", "content": "Hola, ¿quién eres?"}])
        print(r.choices[0].message.content)
        ```
        """),
        chat_api_boton,
        _respuesta,
    ])
    return


@app.cell(hide_code=True)
def cierre():
    mo.md(r"""
    <div class="portada">
    <h1>Detrás de la cortina</h1>
    <div class="telon abierto" role="img" aria-label="El telón se abre">
    bits · tokens · estadística<br>matrices · ingeniería<br>(y mucho texto)
    </div>
    <p>No hay magia: hay bits, tokens, estadística, matrices… y mucha ingeniería.</p>
    </div>
    """)
    return


@app.cell(hide_code=True)
def cierre_apendice():
    mo.md("""
    ## Apéndice: dónde seguir

    | Para… | Herramientas (abiertas, salvo donde se dice) |
    |:--|:--|
    | correr modelos abiertos en tu computador | **Ollama**, **LM Studio** (gratis, no abierto), **llama.cpp** |
    | servirlos a muchas personas | **vLLM**, el servidor de **llama.cpp** (hablan como OpenAI) |
    | usar modelos en la nube | cualquier API compatible con OpenAI: OpenAI, Google, Groq… |
    | encontrar modelos | la biblioteca de Ollama (ollama.com/library) y **Hugging Face** |
    | programar con ellos en Python | **openai**, **ollama**, **transformers**, **PyTorch**, **marimo** |

    Los nombres de los modelos cambian cada pocos meses: busca los actuales en esas bibliotecas.
    """)
    return


@app.cell(hide_code=True)
def cierre_siguientes_pasos():
    mo.md("""
    ## ¿Y ahora qué? Pruébalo tú

    - Llévate el chat: `marimo run deck/mi_chat.py` (40 líneas, tu propio ChatGPT).
    - Edita esta charla: `marimo edit deck/taller.py`. Cambia un número y mira qué pasa.
    - Entrena más tiempo: `python -m demos.training --segundos 300`. ¿Baja la pérdida?
    - Refina: `python -m demos.finetuning --segundos 60`. ¿Cierra más turnos?
    - Siguientes temas: **RAG** (darle documentos), **llamadas a funciones**, **RLHF**.

    ### ¡Gracias! Detrás de la cortina, ahora, estás tú.
    """)
    return


if __name__ == "__main__":
    app.run()
