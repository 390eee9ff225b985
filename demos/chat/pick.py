"""Elegir el cerebro: las opciones, quién contesta en «Automático», quién responde ahora y qué modelos hay.

Nada de esto lanza excepciones hacia el notebook: lo que falla se cuenta en una frase en castellano.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from demos.chat.backends import EMBEDDED_MODELS, ENV_HELP, Backend, EmbeddedBackend, OllamaBackend, OpenAIBackend
from demos.chat.messages import load_env, redact
from demos.formatting import count

CHOICES = {"auto": "Automático", "quijote": "QuijoteChat (incluido)", "ollama": "Ollama (local)",
           "openai": "Compatible con OpenAI"}


def make_backend(choice: str = "quijote", model: str = "") -> Backend:
    """Crea el cerebro pedido (sin conectarse todavía)."""
    load_env()
    if choice == "ollama":
        return OllamaBackend(model=model)
    if choice == "openai":
        return OpenAIBackend(model=model)
    return EmbeddedBackend(model=model) if model in EMBEDDED_MODELS else EmbeddedBackend()


QUIJOTE_ALWAYS = "QuijoteChat, el modelo incluido, que funciona sin internet"


def pick_backend(choice: str = "auto", model: str = "") -> tuple[Backend, str]:
    """Elige el cerebro y dice cuál en castellano.

    ``auto``: Ollama si responde; si no, la API configurada si responde (se le pregunta por sus
    modelos, con la clave); si no, QuijoteChat. Así, sin internet, nada se queda esperando a una API.
    """
    if choice != "auto":
        backend = make_backend(choice, model)
        if isinstance(backend, OllamaBackend) and not model:
            backend.available()  # elige el primer modelo del servidor
        return backend, f"Usando {backend.label} ({backend.where})."
    ollama_backend = make_backend("ollama", model)
    if ollama_backend.available():
        return ollama_backend, f"Encontré Ollama en {ollama_backend.host}: uso {ollama_backend.model}."
    api = make_backend("openai", model)
    if not api.configured():
        return EmbeddedBackend(), f"No encontré Ollama ni una clave de API: uso {QUIJOTE_ALWAYS}."
    problem = api.problem()
    if problem is None:
        return api, f"No encontré Ollama, pero hay una API configurada: uso {api.model} en {api.where}."
    return EmbeddedBackend(), f"No encontré Ollama, y la API configurada falló: {problem} Uso {QUIJOTE_ALWAYS}."


@dataclass
class Survey:
    """Qué cerebros responden aquí y ahora (con una frase por cada uno) y cuál elige «Automático»."""

    states: dict[str, tuple[bool, str]]
    auto: str

    def markdown(self) -> str:
        # ✔ y ✘ y no emojis: se ven en cualquier computador, aunque no tenga letra de emojis
        marks = [f"{'✔' if ok else '✘'} **{CHOICES[kind]}**: {text}" for kind, (ok, text) in self.states.items()]
        return "  \n".join(marks + [f"En **Automático** contesta **{CHOICES[self.auto]}**."])


def survey() -> Survey:
    """Revisa los tres cerebros a la vez (Ollama y la API, en paralelo y con plazos cortos). Nunca lanza."""
    def ollama_state() -> tuple[bool, str]:
        backend = make_backend("ollama")
        if backend.available():
            return True, f"responde en {backend.host} (modelo {backend.model})"
        return False, f"no responde en {backend.host}, o no tiene modelos descargados"

    def api_state() -> tuple[bool, str]:
        backend = make_backend("openai")
        if not backend.configured():
            return False, "falta OPENAI_API_KEY (en el entorno o en un archivo .env)"
        problem = backend.problem()
        return (True, f"responde en {backend.where} (modelo {backend.model})") if problem is None else (False, problem)

    with ThreadPoolExecutor(2) as pool:
        ollama_future, api_future = pool.submit(ollama_state), pool.submit(api_state)
        states = {"quijote": (True, "viene con el taller, sin internet ni claves"),
                  "ollama": ollama_future.result(), "openai": api_future.result()}
    auto = next(kind for kind in ("ollama", "openai", "quijote") if states[kind][0])
    return Survey({kind: (ok, redact(text)) for kind, (ok, text) in states.items()}, auto)


# ---------------------------------------------------------------- los modelos de cada cerebro
def _configured_first(names: list[str], backend: Backend) -> list[str]:
    """La lista de modelos con el configurado (OPENAI_MODEL, OLLAMA_MODEL) primero: es el que se elige solo."""
    wanted = getattr(backend, "configured_model", "") or backend.model
    if wanted in names:
        return [wanted] + [n for n in names if n != wanted]
    if isinstance(backend, OpenAIBackend) and getattr(backend, "configured_model", ""):
        return [wanted, *names]  # se configuró a mano: vale aunque el servidor lo liste con otro nombre
    return names


def list_models(choice: str) -> tuple[list[str], str]:
    """Los modelos que ofrece un cerebro (el configurado primero) y una frase sobre su estado. Nunca lanza."""
    if choice in ("auto", "quijote"):
        backend, said = pick_backend(choice) if choice == "auto" else (EmbeddedBackend(), "")
        names = backend.models() if isinstance(backend, EmbeddedBackend) else _safe_models(backend)
        return _configured_first(names, backend) or [backend.model], said or (
            "QuijoteChat viene con el taller: no necesita internet.")
    backend = make_backend(choice)
    if isinstance(backend, OpenAIBackend) and not backend.configured():
        return [], f"Falta OPENAI_API_KEY (o OPENAI_BASE_URL para un servidor local). {ENV_HELP}"
    names = _safe_models(backend)
    if names:
        said = f"{backend.name} en {backend.where}: {count(len(names), 'modelo', 'modelos')}."
        missing = getattr(backend, "configured_model", "")
        if isinstance(backend, OllamaBackend) and missing and missing not in names:
            said += f" OLLAMA_MODEL dice «{missing}», pero no está descargado: «ollama pull {missing}»."
        return _configured_first(names, backend), said
    if isinstance(backend, OpenAIBackend):
        return [backend.model], f"No pude listar los modelos de {backend.where}; uso «{backend.model}»."
    return [], f"{backend.name} no responde en {backend.where}, o no tiene modelos descargados."


def _safe_models(backend: Backend) -> list[str]:
    try:
        return backend.models()
    except Exception:
        return []
