"""La charla en el orden del esquema y en una hora: secciones, cuántas diapositivas, y el chat en código."""

from __future__ import annotations

import importlib.util
import json

from demos import SECTIONS, version1
from tests.conftest import ROOT

LAYOUT = ROOT / "deck" / "layouts" / "taller.slides.json"
MAX_MAIN_SLIDES = 42  # unos 60 minutos con las demos; lo demás, en diapositivas hacia abajo (↓)
OUTLINE = ["Construye tu propio ChatGPT", "Bits", "Fotogramas", "Tokens", "Predicción del siguiente token",
           "Versión 1 del chat", "Memoria", "Temperatura", "Entrenamiento", "Refinamiento", "Alucinaciones",
           "Un modelo abierto es un archivo", "Tu propio ChatGPT", "Detrás de la cortina"]
DEEP_DIVES = ["bits_nfc_nfd", "bits_numero_binario", "prediccion_atencion", "prediccion_triangulo",
              "prediccion_paralelo", "temperatura_recortes"]


def layout() -> list[dict]:
    return json.loads(LAYOUT.read_text(encoding="utf-8"))["data"]["cells"]


def cell_types() -> dict[str, str]:
    import sys

    sys.path.insert(0, str(ROOT / "deck"))
    import build_layout

    names = build_layout.cell_names(build_layout.NOTEBOOK.read_text(encoding="utf-8"))
    return {name: cell["type"] for name, cell in zip(names, layout(), strict=True)}


def test_the_sections_follow_the_outline():
    assert [section.title for section in SECTIONS] == OUTLINE


def test_the_main_path_fits_an_hour():
    main = [cell for cell in layout() if cell["type"] == "slide"]
    assert 30 <= len(main) <= MAX_MAIN_SLIDES, f"{len(main)} diapositivas principales"


def test_deep_dives_are_sub_slides_the_presenter_may_skip():
    types = cell_types()
    assert {name: types[name] for name in DEEP_DIVES} == dict.fromkeys(DEEP_DIVES, "sub-slide")


def test_the_appendix_comes_after_the_close():
    types = list(cell_types().items())
    close = [name for name, _ in types].index("cierre")
    assert all(kind in ("sub-slide", "skip") for _, kind in types[close + 1:])


def load_notebook(name: str):
    spec = importlib.util.spec_from_file_location(f"cuaderno_{name}", ROOT / "deck" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_version_1_sends_only_the_last_message_and_fails_the_cow_test(pretrained):
    responder = load_notebook("taller").responder  # la misma función que se ve en la diapositiva
    assert len(version1.source_of(responder).splitlines()) <= 15
    calls = version1.cow_through(responder)
    assert [m["content"] for m in calls[-1].messages] == ["¿Cómo se llama un animal castrado de esa especie?"]
    assert calls[0].reply and calls[-1].reply  # QuijoteChat contestó las dos


def test_technique_1_is_one_line_and_sends_the_whole_conversation(pretrained):
    from demos import chat

    def responder_con_memoria(mensajes, ajustes=None, cerebro=None):
        cerebro = cerebro or chat.EmbeddedBackend()
        enviar = mensajes  # toda la conversación
        return chat.reply_stream(cerebro, enviar)

    responder = load_notebook("taller").responder
    changed = version1.changed_lines(responder, responder_con_memoria)
    lines = version1.source_of(responder_con_memoria).splitlines()
    assert [lines[i].strip() for i in changed] == ["enviar = mensajes  # toda la conversación"]
    calls = version1.cow_through(responder_con_memoria)
    sent = calls[-1].messages
    assert [m["role"] for m in sent] == ["user", "assistant", "user"]
    assert sent[0]["content"].startswith("¿Qué animal") and sent[1]["content"] == calls[0].reply


def test_the_take_home_chat_is_short_and_answers(pretrained):
    path = ROOT / "deck" / "mi_chat.py"
    assert len(path.read_text(encoding="utf-8").splitlines()) <= 40
    notebook = load_notebook("mi_chat")
    outputs, _ = notebook.app.run()
    assert any(output is not None for output in outputs)
    answer = "".join(notebook.responder([{"role": "user", "content": "Hola, ¿quién eres?"}]))
    assert answer.strip()


def test_the_chat_code_is_on_the_version_1_slide(deck_run):
    from tests.test_deck import headless_outputs

    outputs, _ = deck_run
    shown = [text for text in headless_outputs(outputs) if "def responder(mensajes" in text]
    assert shown and "enviar = mensajes[-1:]" in shown[0].replace("&#x27;", "'")


def test_a_model_file_weighs_parameters_times_bits():
    from demos import model_file

    assert model_file.human_size(model_file.size_bytes(1_817_955, 32)) == "7,3 MB"
    assert model_file.human_size(model_file.size_bytes(8_000_000_000, 4)) == "4,0 GB"
    assert model_file.human_size(model_file.size_bytes(8_000_000_000, 16)) == "16,0 GB"
    assert "| QuijoteGPT (el nuestro) | 1.817.955 | 32 (4 bytes) | 7,3 MB |" in model_file.table_markdown(1_817_955)


def test_the_recap_draws_the_whole_path_in_order():
    from demos.prediction import track

    drawn = track.pipeline_html("temperatura")
    positions = [drawn.index(f">{step}<") for step in track.PIPELINE]
    assert positions == sorted(positions) and "de vuelta al texto" in drawn
    train = track.track_html(["En", " un"], " lugar")
    assert "␣lugar ?" in train and train.count("border-bottom:6px") == 3
