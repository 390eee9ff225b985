"""Refinamiento: QuijoteGPT aprende a conversar con los diálogos de El Quijote (QuijoteChat).

    dialogue.py   los diálogos del libro: parlamentos sin los incisos del narrador, en conversaciones
    sft.py        el refinamiento: los datos con su máscara, las recetas y el ciclo de siempre
    measure.py    ¿aprendió? pérdida en respuestas nuevas, cuántas cierran su turno, cuántas repiten
    views.py      lo que se ve en las diapositivas (lado a lado, refinar en vivo, alucinaciones)
    __main__.py   python -m demos.finetuning --datos | --segundos 60 | --receta incluido --guardar …

La plantilla de chat (las marcas ``<|usuario|>``, ``<|asistente|>``, ``<|fin|>``) está en el motor,
``demos/chat_template.py``: la usan también el chat y su API.
"""
