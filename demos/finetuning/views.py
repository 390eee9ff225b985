"""Lo que se ve en las diapositivas del refinamiento: las dos respuestas lado a lado, la plantilla con
su máscara, el refinamiento en vivo y la alucinación. La lógica está en ``sft.py`` y ``measure.py``."""

from __future__ import annotations

import html

from demos import chat_template, decoding
from demos.chat_template import ChatTokenizer
from demos.finetuning import sft
from demos.model import load_pretrained

SIDE_CHARS = 200  # cuánto escribe cada modelo en la comparación (QuijoteChat suele callarse antes)
HALLUCINATION_QUESTION = "¿Quién ganó el Mundial de fútbol de 2022?"
CARD = ("<div style='flex:1;border:2px solid {color};border-radius:12px;padding:10px 16px'>"
        "<div style='font-weight:bold;color:{color}'>{title}</div>"
        "<div dir='auto' style='white-space:pre-wrap;overflow-wrap:anywhere'>{body}</div>"
        "<div style='font-size:19px;color:#495057'>{note}</div></div>")


def both_answers(question: str, seed: int = 0) -> tuple[str, tuple[str, bool]]:
    """La misma pregunta a los dos modelos: QuijoteGPT continúa el texto; QuijoteChat responde (y si calló solo)."""
    base, tokenizer = load_pretrained()
    chat_model, chat_tokenizer = chat_template.load_chat()
    with decoding.one_thread():
        continued = decoding.continue_text(base, tokenizer, question, SIDE_CHARS, temperature=0.8, seed=seed)
        answered = chat_template.reply(chat_model, chat_tokenizer, [{"role": "user", "content": question}],
                                       SIDE_CHARS, seed=seed)
    return continued, answered


def side_by_side_html(question: str, seed: int = 0) -> str:
    """Dos tarjetas: a la izquierda QuijoteGPT (autocompleta), a la derecha QuijoteChat (contesta y calla)."""
    continued, (answer, ended) = both_answers(question, seed)
    gpt = CARD.format(color="#6b7280", title="QuijoteGPT (preentrenado): continúa el texto",
                      body=f"<span style='color:#6b7280'>{html.escape(question)}</span>{html.escape(continued)}…",
                      note=f"se cortó a los {SIDE_CHARS} caracteres: no sabe que era una pregunta")
    said = "cerró su turno solo (escribió &lt;|fin|&gt;)" if ended else f"no cerró su turno en {SIDE_CHARS} caracteres"
    chat = CARD.format(color="#059669", title="QuijoteChat (refinado): contesta", body=html.escape(answer), note=said)
    return f"<div style='display:flex;gap:20px;align-items:stretch'>{gpt}{chat}</div>"


def template_html(messages: list[dict], tokenizer: ChatTokenizer) -> str:
    """La conversación tal como la lee el modelo: las marcas en cajitas y, en verde, lo que cuenta en la
    pérdida (las respuestas y su ``<|fin|>``). El usuario, en gris: de él no se aprende nada."""
    ids, mask = chat_template.encode(messages, tokenizer)
    pieces, run, learn = [], [], None
    for token, counted in zip(ids, mask, strict=True):
        if token in tokenizer.special_ids or counted != learn:
            pieces.append(_run_html(run, learn))
            run, learn = [], counted
        if token in tokenizer.special_ids:
            pieces.append(_mark_html(tokenizer.itos[token], counted))
        else:
            run.append(tokenizer.itos[token])
    pieces.append(_run_html(run, learn))
    return f"<div style='line-height:2.1;overflow-wrap:anywhere'>{''.join(pieces)}</div>"


def _run_html(chars: list[str], counted) -> str:
    if not chars:
        return ""
    style = "background:#d1fae5;color:#065f46" if counted else "color:#6b7280"
    return f"<span style='{style}'>{html.escape(''.join(chars))}</span>"


def _mark_html(mark: str, counted: int) -> str:
    border = "#059669" if counted else "#9ca3af"
    return (f"<code style='border:2px solid {border};border-radius:6px;padding:0 4px;margin:0 2px'>"
            f"{html.escape(mark)}</code>")


def live_finetune(seconds: float = 60.0, header=None) -> list:
    """Refina QuijoteGPT en vivo dentro de una celda: barra de progreso, curva y la respuesta que cambia.

    Parte siempre de una copia del QuijoteGPT incluido (el modelo del chat no se toca)."""
    from demos import training

    sft.release_freed_memory()  # lo que torch suelta vuelve al sistema: el kernel no crece de más
    model, tokenizer = sft.base_chat_model()
    data = sft.prepare(tokenizer)
    recipe = sft.live_recipe(seconds)
    try:
        return training.live_training(model, data, recipe.train, header=header,
                                      sample_label=f"Respuesta a «{recipe.train.sample_prompt}»",
                                      titles=("Refinando…", "Refinamiento terminado"))
    finally:
        del model, data
        sft.release_freed_memory()


def hallucination(question: str = HALLUCINATION_QUESTION, seeds: tuple[int, ...] = (0, 1, 2)) -> list[tuple[str, bool]]:
    """Tres respuestas de QuijoteChat a algo que no puede saber (el libro es de 1605 y 1615)."""
    chat_model, chat_tokenizer = chat_template.load_chat()
    with decoding.one_thread():
        return [chat_template.reply(chat_model, chat_tokenizer, [{"role": "user", "content": question}], 300, seed=s)
                for s in seeds]
