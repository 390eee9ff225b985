"""El chat del taller: una sola interfaz para tres «cerebros» y nuestra propia API.

- **QuijoteChat** (incluido): sin internet ni claves. Es QuijoteGPT refinado con los diálogos de
  El Quijote: contesta en su turno, con la voz de Cervantes, y se calla solo. QuijoteGPT, el modelo
  sin refinar, sigue ahí (modelo ``quijote-gpt``): no responde, continúa el texto.
- **Ollama**: modelos abiertos que corren en tu computador (``OLLAMA_HOST``, por defecto
  127.0.0.1:11434), con el cliente oficial ``ollama``.
- **Compatible con OpenAI**: OpenAI, Gemini, Groq, vLLM, LM Studio, el servidor de llama.cpp…
  con el cliente oficial ``openai`` (``OPENAI_API_KEY``, ``OPENAI_BASE_URL``, ``OPENAI_MODEL``).

Las claves se leen del entorno o de un archivo ``.env`` (junto a donde corres el programa) y nunca
se muestran. Ejemplos de ``.env``::

    OPENAI_API_KEY=sk-...                       # OpenAI
    OPENAI_MODEL=gpt-4o-mini

    OPENAI_API_KEY=AIza...                      # Gemini, por su endpoint compatible
    OPENAI_BASE_URL=https://generativelanguage.googleapis.com/v1beta/openai/
    OPENAI_MODEL=gemini-2.0-flash

    OPENAI_API_KEY=gsk_...                      # Groq
    OPENAI_BASE_URL=https://api.groq.com/openai/v1
    OPENAI_MODEL=llama-3.1-8b-instant

    OPENAI_BASE_URL=http://127.0.0.1:1234/v1    # LM Studio (vLLM: :8000/v1; llama.cpp: :8080/v1), sin clave

Uso::

    python -m demos.chat "¿Qué animal da leche y dice mu?"         # elige solo el cerebro
    python -m demos.chat --cerebro ollama --modelo llama3.2:1b "Hola"
    python -m demos.chat servir --puerto 8000                       # tu propio ChatGPT con API

Cada archivo, una pieza (se buscan por su nombre)::

    knobs.py      las perillas: plazos, límites y valores por defecto
    messages.py   los mensajes: leer cualquier historial, nuestros avisos ⚠️ y ℹ️, ocultar las claves, .env
    backends.py   los tres cerebros (los incluidos, Ollama, compatible con OpenAI) y sus errores en castellano
    pick.py       elegir el cerebro («Automático»), revisar quién responde y listar los modelos
    guarded.py    transmitir sin colgarse: plazos, cortes y avisos (reply_stream, complete)
    payload.py    lo que se envía en cada turno: sin memoria, historial completo o resumen (Call, Summaries)
    session.py    el chat del notebook (ChatSession) y la versión 1 (embedded_reply)
    server.py     nuestra propia API compatible con OpenAI (create_app, local_api, serve)
    widget.py     la caja de chat en castellano (anywidget; widget.js y widget.css la dibujan)
    __main__.py   la línea de comandos: python -m demos.chat
"""

from __future__ import annotations

from demos.chat.backends import Backend, ChatError, EmbeddedBackend, OllamaBackend, OpenAIBackend, embedded_prompt
from demos.chat.guarded import Deadline, GuardedStream, complete, reply_stream
from demos.chat.messages import (
                                 INFO,
                                 MARK,
                                 NOTICE,
                                 info_line,
                                 load_env,
                                 message_text,
                                 notice,
                                 plain_messages,
                                 redact,
                                 strip_notice,
)
from demos.chat.pick import CHOICES, list_models, make_backend, pick_backend, survey
from demos.chat.server import create_app, local_api, serve
from demos.chat.session import ChatSession, embedded_reply

# lo que usan la presentación, las pruebas y las demás secciones como ``chat.<nombre>``; las perillas
# (plazos y límites) no están aquí a propósito: se leen y se cambian en ``demos.chat.knobs``
__all__ = ["CHOICES", "INFO", "MARK", "NOTICE", "Backend", "ChatError", "ChatSession", "Deadline", "EmbeddedBackend",
           "GuardedStream", "OllamaBackend", "OpenAIBackend", "complete", "create_app", "embedded_prompt",
           "embedded_reply", "info_line", "list_models", "load_env", "local_api", "make_backend", "message_text",
           "notice", "pick_backend", "plain_messages", "redact", "reply_stream", "serve", "strip_notice", "survey"]
