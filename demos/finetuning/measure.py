"""¿Aprendió a conversar? Tres cifras sobre intercambios que el modelo nunca vio (el final del libro).

- la pérdida en las respuestas (nats por carácter, solo en las posiciones de la máscara);
- cuántas respuestas cierran su turno solas, con ``<|fin|>``, antes de 400 caracteres;
- cuántas empiezan repitiendo las palabras del usuario.
"""

from __future__ import annotations

import re
import unicodedata

import torch

from demos import chat_template
from demos.chat_template import ChatTokenizer
from demos.decoding import one_thread
from demos.model import load_pretrained
from demos.trainer import masked_loss

STOP_PROMPTS = 100  # con cuántas preguntas de prueba medimos si termina solo
REPEAT_CHARS = 20  # «repite al usuario»: sus primeros 20 caracteres están en la pregunta…
REPEAT_WORDS = 4  # …o empieza con las mismas 4 palabras que la pregunta


# ---------------------------------------------------------------- la pérdida en las respuestas


def encoded_pairs(pairs, tokenizer: ChatTokenizer) -> list[tuple[list[int], list[int]]]:
    """Cada intercambio como un chat nuevo de un solo turno: como lo verá la sala."""
    return [chat_template.encode([{"role": "user", "content": u}, {"role": "assistant", "content": a}], tokenizer)
            for u, a in pairs]


def native_pairs(pairs, tokenizer) -> list[tuple[list[int], list[int]]]:
    """Los mismos intercambios escritos como en el libro («–pregunta» salto «–respuesta» salto):
    la mejor oportunidad del modelo base, que nunca vio la plantilla. La respuesta termina en el
    salto de línea, que en el libro hace el papel de ``<|fin|>``."""
    result = []
    for user, answer in pairs:
        prompt, reply_ids = tokenizer.encode(f"\n–{user}\n–"), tokenizer.encode(answer + "\n")
        result.append((prompt + reply_ids, [0] * len(prompt) + [1] * len(reply_ids)))
    return result


@torch.no_grad()
def reply_loss(model, sequences, include_end: bool = True, batch: int = 16) -> float:
    """Pérdida promedio (nats por carácter) en las posiciones con máscara 1 de ``sequences``.

    Una conversación más larga que el contexto se recorre en ventanas que avanzan de a media
    ventana; cada carácter se cuenta una vez. Con ``include_end=False`` no cuenta el último
    carácter marcado de cada una (el ``<|fin|>`` o el salto de línea): solo la respuesta.
    """
    was_training = model.training
    model.eval()
    T = model.context_length
    windows = [w for ids, mask in sequences for w in _eval_windows(ids, _drop_last(mask, include_end), T)]
    total = count = 0.0
    for i in range(0, len(windows), batch):
        x, y, w = (torch.stack(parts) for parts in zip(*windows[i : i + batch], strict=True))
        total += masked_loss(model(x)[0], y, w, reduction="sum").item()
        count += w.sum().item()
    model.train(was_training)
    return total / max(count, 1)


def _drop_last(mask: list[int], include_end: bool) -> list[int]:
    if include_end:
        return mask
    last = max(i for i, m in enumerate(mask) if m)
    return mask[:last] + [0] + mask[last + 1 :]


def _eval_windows(ids, mask, T):
    """Ventanas (x, y, peso) de largo T con relleno; cada objetivo pesa en una sola ventana."""
    n_targets, stride, counted, windows, start = len(ids) - 1, T // 2, 0, [], 0
    while counted < n_targets:
        end = min(start + T, n_targets)  # objetivos [start, end) → ids[start+1 : end+1]
        x, y, w = torch.zeros(T, dtype=torch.long), torch.zeros(T, dtype=torch.long), torch.zeros(T)
        x[: end - start] = torch.tensor(ids[start:end])
        y[: end - start] = torch.tensor(ids[start + 1 : end + 1])
        w[: end - start] = torch.tensor(mask[start + 1 : end + 1], dtype=torch.float32)
        w[: counted - start] = 0  # ya contados en la ventana anterior
        windows.append((x, y, w))
        counted, start = end, max(end - T + stride, start + stride) if end < n_targets else end
    return windows


# ---------------------------------------------------------------- ¿termina solo? ¿repite?


def _words(text: str) -> list[str]:
    """Minúsculas, sin tildes ni signos: solo las palabras (para comparar con la pregunta)."""
    plain = unicodedata.normalize("NFKD", text.lower())
    plain = "".join(c for c in plain if not unicodedata.combining(c))
    return re.findall(r"[a-zñ0-9]+", plain)


def repeats_user(user: str, answer: str) -> bool:
    """¿La respuesta EMPIEZA repitiendo al usuario?

    Sí si (a) sus primeros ``REPEAT_CHARS`` caracteres (sin signos ni tildes, en minúsculas)
    aparecen tal cual dentro de la pregunta, o (b) empieza con las mismas ``REPEAT_WORDS``
    palabras que la pregunta. Una respuesta más corta que eso no cuenta como repetición.
    """
    said, asked = _words(answer), _words(user)
    head = " ".join(said)[:REPEAT_CHARS]
    by_chars = len(head) >= REPEAT_CHARS and head in " ".join(asked)
    by_words = len(said) >= REPEAT_WORDS and said[:REPEAT_WORDS] == asked[:REPEAT_WORDS]
    return by_chars or by_words


def sample_prompts(pairs, n: int) -> list[tuple[str, str]]:
    """``n`` intercambios repartidos a lo largo de la lista (siempre los mismos)."""
    if len(pairs) <= n:
        return list(pairs)
    return [pairs[i * len(pairs) // n] for i in range(n)]


def behaviour(model, tokenizer, pairs, n: int = STOP_PROMPTS, temperature: float = 0.8, seed: int = 0) -> dict:
    """Cuántas respuestas terminan solas y cuántas empiezan repitiendo al usuario."""
    chosen = sample_prompts(pairs, n)
    with one_thread():
        replies = [chat_template.reply(model, tokenizer, [{"role": "user", "content": user}],
                                       temperature=temperature, seed=seed + i) for i, (user, _) in enumerate(chosen)]
    ended = [text for text, done in replies if done]
    lengths = sorted(len(text) for text in ended)
    return {"stop_rate": len(ended) / len(chosen),
            "repeat_rate": sum(repeats_user(u, text) for (u, _), (text, _) in zip(chosen, replies, strict=True))
            / len(chosen),
            "prompts": len(chosen), "median_chars": lengths[len(lengths) // 2] if lengths else None,
            "replies": [(user, text, done) for (user, _), (text, done) in zip(chosen, replies, strict=True)]}


# ---------------------------------------------------------------- todo junto


def evaluate(model, data, stop_prompts: int = STOP_PROMPTS, seed: int = 0) -> dict:
    """Todas las cifras sobre la prueba: pérdidas en respuestas, fin de turno y repeticiones."""
    test = encoded_pairs(data.test, data.tokenizer)
    figures = {"val_loss": reply_loss(model, test), "val_loss_chars": reply_loss(model, test, include_end=False)}
    if stop_prompts:
        figures.update(behaviour(model, data.tokenizer, data.test, stop_prompts, seed=seed))
    return figures


def base_native_losses(data) -> dict:
    """QuijoteGPT en su propio formato (diálogo del libro, sin plantilla): la referencia justa."""
    base, tokenizer = load_pretrained()
    native = native_pairs(data.test, tokenizer)
    return {"val_loss": reply_loss(base, native), "val_loss_chars": reply_loss(base, native, include_end=False)}
