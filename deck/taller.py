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

    from demos import art, corpus, model, training


@app.cell(hide_code=True)
def portada():
    mo.vstack(
        [
            mo.md("# Construye tu propio ChatGPT\n### con Python y código abierto"),
            mo.Html(art.closed_curtain()),
            mo.md(
                "Como el **Mago de Oz**: impresiona, todos le rinden pleitesía… "
                "pero detrás de la cortina no hay magia. **Solo hay tecnología.**"
            ),
        ],
        align="center",
    )
    return


@app.cell(hide_code=True)
def portada_promesa():
    mo.md("""
    ## Hoy vamos a abrir la cortina

    1. **Bits**: todo en un computador es discreto
    2. **Fotogramas**: la ilusión de la continuidad
    3. **Tokens**: cómo un texto se vuelve números
    4. **Predicción**: el siguiente token, uno a la vez
    5. **Memoria**: el modelo no recuerda nada
    6. **Temperatura**: qué tan al azar elige
    7. **Entrenamiento**: entrenamos nuestro propio GPT, aquí mismo
    8. **Chat**: conversamos con él (y con modelos de verdad)
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


@app.cell(hide_code=True)
def fotogramas_titulo():
    mo.md("""
    # Fotogramas

    **La ilusión de la continuidad.** Una película de 24 fotogramas por segundo engaña al ojo.

    Alta fidelidad **no es** continuidad: es una aproximación suficientemente buena
    para engañar a los sentidos.
    """)
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


@app.cell(hide_code=True)
def prediccion_titulo():
    mo.md("""
    # Predicción del siguiente token

    Un LLM (*Large Language Model*, modelo grande de lenguaje) hace una sola cosa:
    **predecir el próximo token a partir de los anteriores.**

    - Ojo 1: no «piensa» ni «sabe» lo que hace.
    - Ojo 2: es **estadística aplicada**.
    - Ojo 3: token a token, en secuencia.
    - Ojo 4: no tiene memoria, como una multiplicación de matrices.
    """)
    return


@app.cell
def prediccion_importa():
    from demos import prediction

    prediccion_gpt, prediccion_vocab = model.load_pretrained()
    prediccion_texto = mo.ui.text(value="En un lugar de la Man", label="Texto:", full_width=True)
    return prediccion_gpt, prediccion_texto, prediccion_vocab, prediction


@app.cell
def prediccion_distribucion(prediccion_gpt, prediccion_texto, prediccion_vocab, prediction):
    prediccion_entrada = prediction.prepare_prompt(prediccion_vocab, prediccion_texto.value)
    mo.vstack([
        mo.md("## ¿Qué carácter viene ahora?"),
        prediccion_texto,
        prediction.next_token_chart(prediccion_gpt, prediccion_vocab, prediccion_entrada.text),
        mo.md(prediction.notes_markdown(prediccion_entrada)
              or "Esto es **todo** lo que entrega el modelo: una probabilidad para cada carácter. "
              "No piensa: es estadística aplicada."),
    ])
    return (prediccion_entrada,)


@app.cell
def prediccion_controles_paso(prediccion_entrada, prediccion_gpt, prediccion_vocab, prediction):
    prediccion_crece = prediction.growth(prediccion_gpt, prediccion_vocab, prediccion_entrada.text)
    prediccion_pasos, prediccion_fijar_pasos = mo.state(0)  # texto nuevo → de vuelta al paso 0
    prediccion_siguiente = mo.ui.button(label="Siguiente token ▸",
                                        on_click=lambda _: prediccion_fijar_pasos(lambda n: n + 1))
    prediccion_reinicio = mo.ui.button(label="↺ Desde el comienzo", on_click=lambda _: prediccion_fijar_pasos(0))
    return prediccion_crece, prediccion_pasos, prediccion_reinicio, prediccion_siguiente


@app.cell
def prediccion_paso_a_paso(prediccion_crece, prediccion_pasos, prediccion_reinicio, prediccion_siguiente,
                           prediction):
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
def prediccion_reproducir(prediccion_auto, prediccion_entrada, prediccion_gpt, prediccion_vocab, prediction):
    _arriba = mo.hstack([mo.md("## Token a token, en secuencia"), prediccion_auto], justify="start", align="center",
                        gap=1)
    mo.stop(not prediccion_auto.value,
            mo.vstack([_arriba, mo.md("Cada carácter necesita **todos** los anteriores: no se puede adelantar.")]))
    prediction.autoplay(prediccion_gpt, prediccion_vocab, prediccion_entrada.text, n_steps=40, header=_arriba)
    return


@app.cell
def prediccion_sin_memoria(prediccion_entrada, prediccion_gpt, prediccion_vocab, prediction):
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
    _igual = prediction.window_is_all_it_sees(prediccion_gpt, prediccion_vocab, prediction.QUIJOTE_OPENING)
    mo.vstack([
        mo.md(f"## Solo ve su ventana: los últimos {prediccion_gpt.context_length} caracteres"),
        mo.Html(prediction.window_html(prediccion_vocab, prediction.QUIJOTE_OPENING, prediccion_gpt.context_length)),
        mo.md(f"¿Predice lo mismo con el texto completo que solo con lo azul? **{'Sí' if _igual else 'No'}.** "
              "Lo tachado no existe para el modelo."),
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
def prediccion_atencion(prediccion_capa, prediccion_crece, prediccion_gpt, prediccion_paso_atencion,
                        prediccion_vocab, prediction):
    prediccion_paso = prediccion_crece.upto(prediccion_paso_atencion.value)[-1]
    _letras, _pesos = prediction.attention_at(prediccion_gpt, prediccion_vocab, prediccion_paso.context)
    mo.vstack([
        mo.md("## Atención: ¿a qué caracteres anteriores mira?"),
        mo.hstack([prediccion_paso_atencion, prediccion_capa], justify="start"),
        mo.md(f"Paso {prediccion_paso.number}: para elegir «{prediction.visible(prediccion_paso.chosen.text)}». "
              "Cada fila suma 100 % («…» junta todo lo anterior)."),
        prediction.heads_chart(_letras, _pesos, prediccion_capa.value),
    ])
    return (prediccion_paso,)


@app.cell
def prediccion_triangulo(prediccion_cabeza, prediccion_capa, prediccion_gpt, prediccion_paso, prediccion_vocab,
                         prediction):
    _letras, _pesos = prediction.attention_at(prediccion_gpt, prediccion_vocab, prediccion_paso.context[-14:])
    mo.hstack([
        prediction.triangle_chart(_letras, _pesos, prediccion_capa.value, prediccion_cabeza.value),
        mo.vstack([mo.md("## Nunca mira hacia adelante"), prediccion_cabeza,
                   mo.md("Cada fila es un carácter. Arriba de la diagonal (el futuro) todo es **cero**: "
                         "el modelo no puede espiar lo que todavía no se escribe.")]),
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
              f"nuevos: **{_muchas} llamadas**, una después de otra (una para leer el texto y una por cada "
              "carácter nuevo)."),
    ])
    return


@app.cell
def prediccion_ollama_controles(prediction):
    prediccion_ollama_modo = mo.ui.dropdown(prediction.OLLAMA_MODES, value="continuar el texto", label="Ollama:")
    prediccion_ollama_boton = mo.ui.run_button(label="Preguntarle a Ollama")
    return prediccion_ollama_boton, prediccion_ollama_modo


@app.cell
def prediccion_ollama(prediccion_entrada, prediccion_gpt, prediccion_ollama_boton, prediccion_ollama_modo,
                      prediccion_vocab, prediction):
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
def memoria_titulo():
    mo.md("""
    # Memoria

    **El LLM no tiene memoria.** Siempre parte desde el mismo estado inicial.

    Entonces, ¿por qué el chat recuerda lo que le dije? Los inteligentes son los
    ingenieros que lo programaron:

    - Técnica 1: pasarle **toda** la conversación.
    - Técnica 2: pasarle un **resumen** de la conversación.
    """)
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
    return temp_gpt, temp_slider, temp_texto, temp_top_k, temp_top_p, temp_vocab, temperature


@app.cell
def temperatura_logits(temp_gpt, temp_texto, temp_vocab, temperature):
    temp_entrada = temperature.prepare_prompt(temp_vocab, temp_texto.value)
    temp_logits = model.next_token_logits(temp_gpt, temp_vocab, temp_entrada.text)  # una vez por texto
    return temp_entrada, temp_logits


@app.cell
def temperatura_control(temp_entrada, temp_logits, temp_slider, temp_texto, temp_vocab, temperature):
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
def temperatura_recortes(temp_logits, temp_slider, temp_top_k, temp_top_p, temp_vocab, temperature):
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
def entrenamiento_titulo():
    mo.md("""
    # Entrenamiento

    ¿Cómo se entrena un LLM? Con un **corpus de texto** y mucho dinero (o muchas GPU).

    ¿Qué se obtiene? **Muchas grandes matrices.**

    Hoy entrenamos uno propio, aquí mismo, con *El Quijote*.
    """)
    return


@app.cell
def entrenamiento_corpus():
    quijote, quijote_error = corpus.try_load_text()
    if quijote is None:
        _view = mo.callout(mo.md(f"**Sin corpus por ahora.**\n\n```\n{quijote_error}\n```"), kind="warn")
    else:
        _info = corpus.stats(quijote)
        _view = mo.vstack([
            mo.md("## El corpus: *El Quijote*"),
            mo.hstack([
                mo.stat(f"{_info['caracteres']:,}", label="caracteres"),
                mo.stat(f"{_info['palabras']:,}", label="palabras"),
                mo.stat(f"{_info['caracteres_distintos']}", label="caracteres distintos"),
            ]),
            mo.md(f"> {quijote[167:420]}…"),
            mo.md("90 % para **entrenar**, 10 % para **validar** (texto que el modelo nunca ve al aprender)."),
        ])
    _view
    return (quijote,)


@app.cell
def entrenamiento_tarea():
    _frase = "En un lugar"
    _pares = "\n".join(
        f"| `{_frase[: _i + 1]}` | `{_frase[_i + 1]}` |" for _i in range(len(_frase) - 1)
    )
    mo.md(
        f"""
        ## La tarea: adivinar el carácter que sigue

        | el modelo ve (x) | debe adivinar (y) |
        |---|---|
        {_pares}

        De un solo trozo de texto salen muchos ejemplos. El Quijote tiene ~2 millones.
        """
    )
    return


@app.cell
def entrenamiento_modelos():
    quijote_gpt, vocabulario = model.load_pretrained()
    bigrama = training.new_model("bigram", vocabulario.vocab_size)
    gpt_vivo = training.new_model("live", vocabulario.vocab_size)
    return bigrama, gpt_vivo, quijote_gpt, vocabulario


@app.cell
def entrenamiento_datos(quijote, vocabulario):
    datos = training.prepare_data(quijote, vocabulario) if quijote is not None else None
    return (datos,)


@app.cell
def entrenamiento_bigrama_intro(bigrama, vocabulario):
    _muestra = model.generate(bigrama, vocabulario, "En un lugar", 150, temperature=1.0, seed=0)
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
def entrenamiento_bigrama_vivo(boton_bigrama, datos, vocabulario):
    _arriba = mo.vstack([mo.md("## El bigrama aprende"), boton_bigrama])
    mo.stop(datos is None, mo.vstack([_arriba, mo.md("*(Para entrenar necesito el corpus.)*")]))
    mo.stop(not boton_bigrama.value, mo.vstack([_arriba, mo.md("Aprieta el botón: 8 segundos de entrenamiento.")]))
    _bigrama = training.new_model("bigram", vocabulario.vocab_size)  # cada clic parte de cero
    _config = training.TrainConfig(seconds=8, batch_size=32, lr=1e-2, eval_every=0.5, sample_every=4)
    training.live_training(_bigrama, datos, _config, header=_arriba)
    return


@app.cell
def entrenamiento_gpt_intro(gpt_vivo):
    mo.md(
        f"""
        ## Ahora, un GPT de verdad (pero chiquito)

        El mismo diseño que GPT-2, en miniatura:

        1. **Embeddings**: cada carácter se vuelve una lista de números.
        2. **Atención**: cada posición mira a los caracteres anteriores.
        3. **MLP**: cada posición «procesa» lo que vio.
        4. Al final: un puntaje por cada carácter posible → probabilidades.

        Nuestro GPT en vivo tiene **{model.count_parameters(gpt_vivo):,} parámetros**
        ({len(gpt_vivo.blocks)} bloques, {gpt_vivo.config.n_embd} números por carácter,
        mira {gpt_vivo.context_length} caracteres hacia atrás).
        """
    )
    return


@app.cell
def entrenamiento_controles():
    segundos = mo.ui.slider(10, 120, step=10, value=30, label="segundos de entrenamiento", show_value=True)
    boton_gpt = mo.ui.run_button(label="Entrenar nuestro GPT en vivo")
    return boton_gpt, segundos


@app.cell
def entrenamiento_gpt_vivo(boton_gpt, datos, segundos, vocabulario):
    _arriba = mo.vstack([mo.md("## Nuestro GPT aprende, en vivo"), mo.hstack([segundos, boton_gpt], justify="start")])
    mo.stop(datos is None, mo.vstack([_arriba, mo.md("*(Para entrenar necesito el corpus.)*")]))
    mo.stop(not boton_gpt.value, mo.vstack([_arriba, mo.md("Elige los segundos y aprieta el botón.")]))
    _gpt = training.new_model("live", vocabulario.vocab_size)  # cada clic parte de cero
    training.live_training(_gpt, datos, training.live_config(seconds=segundos.value), header=_arriba)
    return


@app.cell
def entrenamiento_matrices(quijote_gpt):
    mo.vstack([
        mo.md(
            f"## ¿Qué se obtiene? Muchas grandes matrices\n"
            f"QuijoteGPT, el modelo incluido, son **{model.count_parameters(quijote_gpt):,} números** "
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
def chat_titulo():
    mo.md("""
    # Chat

    Un modelo abierto **son bits**: se puede descargar y ejecutar en tu computador,
    si tu hardware lo permite.

    Versión 1 del chat: **QuijoteGPT**, nuestro modelo. No responde preguntas:
    **continúa el texto** como lo haría Cervantes.
    """)
    return


@app.cell
def chat_demo():
    from demos import chat

    mo.ui.chat(
        chat.embedded_reply,
        prompts=["En un lugar de la Mancha", "¿Qué animal da leche y dice mu?"],
        show_configuration_controls=True,
    )
    return


@app.cell(hide_code=True)
def cierre():
    mo.vstack(
        [
            mo.md("# Detrás de la cortina"),
            mo.Html(art.open_curtain()),
            mo.md("No hay magia: hay bits, tokens, estadística, matrices… y mucha ingeniería."),
        ],
        align="center",
    )
    return


@app.cell(hide_code=True)
def cierre_nube():
    mo.md("""
    ## LLM en la nube

    | Modelo | Proveedor | Observaciones |
    |---|---|---|
    | GPT-4 / GPT-3.5 | OpenAI (Azure o API directa) | GPT-4 es multimodal y más preciso, pero más costoso |
    | Claude 3 | Anthropic | Enfocado en seguridad, excelente en instrucciones complejas |
    | Gemini 1.5 | Google (ex Bard) | Fuerte en tareas razonadas, multimodal |
    | Mistral API | Mistral.ai | Modelos como Mistral 7B y Mixtral (MoE), ligeros y rápidos |
    | Command R+ | Cohere | Optimizado para RAG (generación aumentada por recuperación) |
    | LLaMA 2/3 | Meta (vía servicios como Together.ai) | Pesos abiertos, pero en general servidos vía API |
    | Jurassic | AI21 Labs | Compatible con tareas tipo GPT |
    """)
    return


@app.cell(hide_code=True)
def cierre_pequenos():
    mo.md("""
    ## SLM: modelos pequeños

    | Modelo | Parámetros | Observaciones |
    |---|---|---|
    | TinyLLaMA | 1.100 millones | Entrenado a bajo costo, ideal para móviles |
    | Phi-2 | 2.700 millones | Microsoft. Excelente rendimiento para su tamaño |
    | Gemma | 2.000 / 7.000 millones | Google. Eficiente y abierto |
    | Mistral 7B | 7.000 millones | Alta calidad y velocidad, muy versátil |
    | Falcon 1B/7B | 1.000 / 7.000 millones | Modelos eficientes de TII (EAU) |
    | Orca 2 | 7.000 millones o más | Ajustado para razonar |
    """)
    return


@app.cell(hide_code=True)
def cierre_locales():
    mo.md("""
    ## Modelos locales: en tu máquina, sin conexión

    | Modelo | Cómo correrlo | Requisitos |
    |---|---|---|
    | LLaMA 2 / 3 | `llama.cpp`, Ollama | GPU recomendada para 13B o más |
    | Mistral 7B | Ollama, GGUF, LM Studio | Muy popular y balanceado |
    | Gemma | Ollama, Hugging Face | Corre sin GPU en CPU modernas |
    | TinyLLaMA | `llama.cpp`, Web UI | Extremadamente liviano |
    | Phi-2 | `transformers`, ONNX | Muy rápido en CPU |

    Con **Ollama**: `ollama pull gemma3:1b` y luego `ollama run gemma3:1b`.
    Los modelos en formato **GGUF** (`llama.cpp`, Ollama) están optimizados para tu CPU o GPU.
    """)
    return


@app.cell(hide_code=True)
def cierre_librerias():
    mo.md("""
    ## Librerías de Python para usar LLM

    | Vía API (en la nube) | Modelos abiertos y locales | Complementos |
    |---|---|---|
    | `openai`: GPT y toda API compatible | `transformers` (Hugging Face) | `gradio`: interfaces web |
    | `anthropic`: Claude | `llama-cpp-python` | `streamlit`: apps interactivas |
    | `google-genai`: Gemini | `ollama`: modelos locales con una API | `marimo`: ¡esta presentación! |
    | `cohere`: Command R | `vllm`: servir modelos en GPU | `pydantic`: validar entradas y salidas |
    | `httpx` / `requests`: cualquier API REST | `langchain`, `llama-index`: cadenas y RAG | `python-dotenv`: claves API seguras |
    """)
    return


@app.cell(hide_code=True)
def cierre_siguientes_pasos():
    mo.md("""
    ## ¿Y ahora qué? Pruébalo tú

    - Abre este mismo archivo para editarlo: `marimo edit deck/taller.py`. Cambia un número y mira qué pasa.
    - Entrena más tiempo: `python -m demos.training --seconds 300`. ¿Baja la pérdida?
    - Conversa con un modelo local: instala **Ollama** y elige «ollama» en el chat.
    - Cambia la **temperatura** y mira cómo cambia el texto.
    - Siguientes temas: **RAG** (darle documentos), **llamadas a funciones**, **ajuste fino** (*fine-tuning*).

    ### ¡Gracias! Detrás de la cortina, ahora, estás tú.
    """)
    return


if __name__ == "__main__":
    app.run()
