"""Refinamiento (SFT): de QuijoteGPT, que solo continúa texto, a QuijoteChat, que conversa.

La receta: el mismo modelo, los mismos pesos y el mismo ciclo de entrenamiento
(``demos.trainer.train``), con dos cambios:

1. Los datos son diálogos del libro escritos con la plantilla de chat (``demos/chat_template.py``).
2. La pérdida cuenta SOLO las respuestas del asistente y su ``<|fin|>`` (la máscara de la
   plantilla): el modelo aprende a contestar y a callarse, no a imitar al usuario.

Mezclar texto común del libro (contra el olvido) se probó: baja un poco la pérdida, pero el
modelo sigue practicando la prosa del narrador y cierra menos turnos. Las recetas no lo usan.
"""

from __future__ import annotations

import copy
import ctypes
import resource
from dataclasses import asdict, dataclass, field, replace

import torch

from demos import chat_template, corpus
from demos.chat_template import ChatTokenizer
from demos.decoding import one_thread
from demos.finetuning import dialogue, measure
from demos.model import GPT, load_pretrained
from demos.trainer import Progress, TrainConfig, train

DEV_PAIRS_PER_BATCH = 16  # un «lote» de medición: 16 intercambios de desarrollo
QUESTION = "¿Quién eres?"  # la pregunta fija de la demo en vivo: su respuesta cambia mientras aprende
LIVE_STEPS_PER_SECOND = 2.3  # pasos por segundo en una CPU de 2 núcleos con otra carga (medido; libre: 3,5)


@dataclass
class Recipe:
    """Cómo se refina: el entrenamiento de siempre más lo propio del refinamiento."""

    train: TrainConfig
    dropout: float = 0.0  # solo mientras entrena; el modelo guardado no lo usa
    train_reply_chars: int = dialogue.MAX_REPLY_CHARS  # recorte de las respuestas SOLO al entrenar
    description: str = ""


def _config(**changes) -> TrainConfig:
    # eval_batches: de a 16 intercambios de desarrollo (2 → 32, para que medir no se coma el minuto)
    quiet = dict(lr=5e-4, min_lr_ratio=0.1, weight_decay=0.0, eval_every=10.0, eval_batches=2,
                 sample_every=10.0, sample_prompt=QUESTION, sample_chars=200, seed=0)
    return TrainConfig(**{**quiet, **changes})


PRESETS = {
    # En la sala: 60 s en una laptop de 2 núcleos. Lotes de 16: el doble de correcciones en el mismo
    # minuto. lr 5e-4: con 2e-3 aprende a callarse igual de rápido, pero la pérdida en respuestas
    # nuevas sube en vez de bajar (memoriza los diálogos en vez de aprender el formato).
    # En cuatro trozos de 4: las mismas cuentas, y el kernel de la sala no pasa de 600 MB.
    "en-vivo": Recipe(_config(max_steps=round(60 * LIVE_STEPS_PER_SECOND), seconds=60.0, batch_size=16,
                              warmup_steps=5, pieces=4), description="refinamiento en vivo, un minuto"),
    # QuijoteChat, el modelo incluido: por pasos (reproducible), no por tiempo. Respuestas de
    # entrenamiento recortadas a 200 caracteres: con las de 320 cierra su turno el 91 % de las
    # respuestas nuevas. Dropout 0,1 y lr 3e-4: la pérdida baja más que con la receta en vivo.
    "incluido": Recipe(_config(max_steps=300, batch_size=32, lr=3e-4, warmup_steps=20, eval_every=60.0,
                               eval_batches=5, sample_every=600.0), dropout=0.1, train_reply_chars=200,
                       description="QuijoteChat incluido"),
}


def live_recipe(seconds: float = 60.0) -> Recipe:
    """La receta en vivo para los segundos que elija la sala (la tasa baja según los pasos)."""
    recipe = PRESETS["en-vivo"]
    steps = max(round(seconds * LIVE_STEPS_PER_SECOND), 1)
    return replace(recipe, train=replace(recipe.train, seconds=float(seconds), max_steps=steps))


# ---------------------------------------------------------------- los datos


@dataclass
class ChatData:
    """Los diálogos como una tira de ids con su máscara, y los intercambios que se apartan para medir.

    Tiene lo que ``demos.trainer.train`` les pide a sus datos: ``batch``, ``val_loss`` y ``sample``.
    """

    tokenizer: ChatTokenizer
    ids: torch.Tensor  # (N,) conversaciones de entrenamiento, una tras otra
    mask: torch.Tensor  # (N,) 1 donde el id es parte de una respuesta (o su <|fin|>)
    dev: list[tuple[str, str]]  # (usuario, respuesta): para seguir la curva sin mirar la prueba
    test: list[tuple[str, str]]  # (usuario, respuesta) del final del libro, para medir
    stats: dict = field(default_factory=dict)
    _dev_ids: list | None = field(default=None, repr=False)  # el desarrollo ya codificado (una vez)

    def batch(self, batch_size: int, block: int, generator=None):
        """Ventanas al azar, como en el preentrenamiento: x, y (lo que hay que adivinar) y el peso de y."""
        starts = torch.randint(len(self.ids) - block - 1, (batch_size, 1), generator=generator)  # (B, 1)
        rows = starts + torch.arange(block + 1)  # (B, T+1)
        chunk = self.ids[rows].long()
        return chunk[:, :-1], chunk[:, 1:], self.mask[rows[:, 1:]].float()  # (B, T) ×3

    def val_loss(self, model, config: TrainConfig) -> float:
        if self._dev_ids is None:
            self._dev_ids = measure.encoded_pairs(self.dev, self.tokenizer)
        return measure.reply_loss(model, self._dev_ids[: config.eval_batches * DEV_PAIRS_PER_BATCH])

    def sample(self, model, config: TrainConfig) -> str:
        asked = [{"role": "user", "content": config.sample_prompt}]
        with one_thread():  # un solo carácter a la vez: con un hilo va más rápido y no pelea con nadie
            return chat_template.reply(model, self.tokenizer, asked, config.sample_chars, seed=config.seed)[0]


def prepare(tokenizer: ChatTokenizer, text: str | None = None,
            train_reply_chars: int = dialogue.MAX_REPLY_CHARS) -> ChatData:
    """Arma todo desde el libro, en su orden: el azar está en qué ventanas entran a cada lote.

    ``train_reply_chars`` recorta más las respuestas de entrenamiento; desarrollo y prueba son
    siempre los mismos, con el recorte normal, para poder comparar recetas.
    """
    text = corpus.load_text() if text is None else text
    data = dialogue.build(text)
    train_runs = data.train if train_reply_chars == dialogue.MAX_REPLY_CHARS else \
        dialogue.build(text, train_reply_chars).train  # también termina antes de la prueba
    ids, mask = [], []
    for conversation in dialogue.conversations(train_runs):
        conversation_ids, conversation_mask = chat_template.encode(conversation, tokenizer)
        ids += conversation_ids
        mask += conversation_mask
    # en bytes: con 102 tokens alcanza
    return ChatData(tokenizer, torch.tensor(ids, dtype=torch.uint8), torch.tensor(mask, dtype=torch.uint8),
                    dialogue.pairs(data.dev), dialogue.pairs(data.test), dict(data.stats))


# ---------------------------------------------------------------- refinar


def base_chat_model() -> tuple[GPT, ChatTokenizer]:
    """Una copia de QuijoteGPT con lugar para las marcas de la plantilla (el punto de partida)."""
    base, tokenizer = load_pretrained()
    return chat_template.extend_model(copy.deepcopy(base), tokenizer)


def finetune(model: GPT, data: ChatData, recipe: Recipe, callbacks=(), should_stop=None) -> Progress:
    """El ciclo de siempre (``demos.trainer.train``) con los diálogos. Cambia ``model`` en el lugar."""
    release_freed_memory()
    torch.manual_seed(recipe.train.seed)  # el dropout también sale del azar: la misma semilla, el mismo modelo
    _set_dropout(model, recipe.dropout)
    try:
        return train(model, data, recipe.train, callbacks, should_stop)
    finally:
        _set_dropout(model, 0.0)
        model.eval()


def _set_dropout(model, p: float) -> None:
    for module in model.modules():
        if isinstance(module, torch.nn.Dropout):
            module.p = p


def run(recipe: Recipe, stop_prompts: int = measure.STOP_PROMPTS, callbacks=(),
        text: str | None = None) -> tuple[GPT, ChatTokenizer, dict]:
    """Refina desde QuijoteGPT con ``recipe`` y mide antes y después, con la misma vara."""
    model, tokenizer = base_chat_model()
    data = prepare(tokenizer, text, recipe.train_reply_chars)
    before = measure.evaluate(model, data, stop_prompts=0)
    last = finetune(model, data, recipe, callbacks)
    after = measure.evaluate(model, data, stop_prompts)
    figures = {"val_loss_before": before["val_loss"], "val_loss_chars_before": before["val_loss_chars"],
               "val_loss_after": after["val_loss"], "val_loss_chars_after": after["val_loss_chars"],
               "stop_rate": after.get("stop_rate"), "repeat_rate": after.get("repeat_rate"),
               "stop_prompts": after.get("prompts"), "median_reply_chars": after.get("median_chars"),
               "steps": last.step, "seconds": last.elapsed, "dev_loss": last.val_loss,
               "peak_rss_mb": peak_rss_mb(), "replies": after.get("replies", [])}
    return model, tokenizer, figures


def summary_line(figures: dict) -> str:
    """La última línea de ``python -m demos.finetuning --segundos N`` (la leen las pruebas)."""
    return (f"stop_rate={figures['stop_rate']:.2f} val_loss_before={figures['val_loss_before']:.3f} "
            f"val_loss_after={figures['val_loss_after']:.3f}")


def checkpoint_info(recipe: Recipe, preset: str, figures: dict, tokenizer: ChatTokenizer,
                    native: dict | None = None) -> dict:
    """Lo que queda anotado dentro del archivo del modelo refinado."""
    info = {key: value for key, value in figures.items() if key != "replies"}
    info.update({"preset": preset, "config": asdict(recipe.train), "dropout": recipe.dropout,
                 "train_reply_chars": recipe.train_reply_chars, "special_tokens": list(chat_template.SPECIAL_TOKENS),
                 "system_turns": "se omiten (el modelo nunca vio uno)",
                 "template_example": chat_template.render([{"role": "user", "content": "Hola"},
                                                           {"role": "assistant", "content": "Salud."}]),
                 "val_loss_method": "nats por carácter en las respuestas de prueba (y su <|fin|>), "
                                    "cada intercambio como un chat nuevo de un turno",
                 "stop_rate_method": f"temperatura 0,8; fin de turno en ≤ {chat_template.MAX_REPLY_CHARS} caracteres",
                 "torch_version": torch.__version__, "corpus_sha256": corpus.sha256(corpus.load_text())})
    if native:
        info["base_native_val_loss"] = native["val_loss"]
    return info


# ---------------------------------------------------------------- memoria


M_MMAP_THRESHOLD = -3  # la constante de glibc para mallopt


def release_freed_memory() -> None:
    """Que la memoria que torch suelta vuelva al sistema (la sala mira la memoria del kernel).

    glibc sube solo el umbral desde el que pide memoria aparte (mmap) para cada bloque grande;
    después de unos pasos, los bloques de cada lote quedan en el montón y el proceso crece
    cientos de MB que no usa. Fijar el umbral evita eso. En otros sistemas no hace nada.
    """
    try:
        libc = ctypes.CDLL("libc.so.6")
        libc.mallopt(M_MMAP_THRESHOLD, 64 * 1024)
        libc.malloc_trim(0)
    except (OSError, AttributeError):
        pass


def peak_rss_mb() -> float:
    """El máximo de memoria residente que usó este proceso hasta ahora (MB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
