"""Entrenar un modelo de lenguaje: mostrarle texto y corregirlo, miles de veces. Un solo ciclo, a la vista.

    for step in range(max_steps):
        x, y = get_batch(…)          # trozos al azar del libro: x, y = los mismos corridos en uno
        _, loss = model(x, y)        # ¿cuánto se equivocó adivinando cada carácter?
        loss.backward()              # ¿hacia dónde mover cada número para equivocarse menos?
        optimizer.step()             # moverlos un poquito

La tasa de aprendizaje sigue los PASOS, no el reloj: con la misma semilla, el mismo número de pasos
da el mismo modelo en cualquier computador. Los segundos solo deciden cuándo parar.
Este módulo no sabe de diapositivas: quien lo usa recibe cada tanto un ``Progress``
(``demos/training.py`` lo dibuja en la presentación o lo imprime en la terminal).
"""

from __future__ import annotations

import math
import os
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

import torch
from torch.nn import functional as F

from demos import corpus
from demos.decoding import continue_text
from demos.model import GPT, BigramLM, GPTConfig, save_checkpoint
from demos.tokenizer import CharTokenizer


@dataclass
class TrainConfig:
    max_steps: int = 600  # ¿cuántos pasos de corrección? (también fija la bajada de la tasa)
    seconds: float | None = None  # ¿o paramos antes, al acabarse el tiempo?
    batch_size: int = 32  # ¿cuántos trozos de texto mira en cada paso?
    lr: float = 3e-3  # ¿qué tan grande es cada corrección?
    min_lr_ratio: float = 0.1  # al final, la corrección se achica a este porcentaje
    warmup_steps: int = 30  # pasos iniciales con correcciones pequeñas, para no desbocarse
    weight_decay: float = 0.01
    eval_every: float = 2.0  # ¿cada cuántos segundos medimos la pérdida de validación?
    eval_batches: int = 4  # ¿con cuántos lotes la medimos? (más = más precisa y más lenta)
    sample_every: float = 10.0  # ¿cada cuántos segundos le pedimos una muestra de texto?
    sample_chars: int = 120
    sample_prompt: str = "En un lugar de la Mancha"
    seed: int = 1337
    pieces: int = 1  # ¿en cuántos trozos recorre cada lote? (menos memoria, las mismas cuentas)


@dataclass
class Progress:
    step: int
    train_loss: float
    val_loss: float | None = None
    sample: str | None = None
    elapsed: float = 0.0
    lr: float = 0.0
    tokens_seen: int = 0


@dataclass
class Preset:
    model: GPTConfig
    train: TrainConfig
    description: str = ""


LIVE_STEPS_PER_SECOND = 25  # pasos por segundo del preset «live» en una CPU de 2 núcleos libre (medido: 28)

PRESETS = {
    # Para la sala: aprende rápido en una laptop de 2 núcleos. Sus pasos salen de los segundos que
    # elija la sala (live_config); si el computador es más lento, el reloj lo para antes.
    "live": Preset(
        GPTConfig(context_length=64, n_layer=3, n_head=4, n_embd=128, dropout=0.0, alibi=True),
        TrainConfig(max_steps=60 * LIVE_STEPS_PER_SECOND, seconds=60.0, batch_size=16, lr=6e-3),
        "GPT pequeño para entrenar en vivo",
    ),
    # El modelo que viene incluido (demos/checkpoints/quijote_gpt.pt).
    # 4 capas y no 6: con un solo carácter a la vez, cada capa es una tanda de operaciones; con 4,
    # el chat escribe más rápido. Entrenado más pasos, pierde menos que una de 6 capas (1,180 contra 1,186).
    "checkpoint": Preset(
        GPTConfig(context_length=128, n_layer=4, n_head=6, n_embd=192, dropout=0.0, alibi=True),
        TrainConfig(max_steps=4_800, batch_size=32, lr=2e-3, min_lr_ratio=0.05, warmup_steps=100,
                    weight_decay=0.1, eval_every=120.0, eval_batches=16, sample_every=600.0),
        "QuijoteGPT incluido",
    ),
}

ProgressCallback = Callable[[Progress], None]


def live_config(seconds: float = 30.0) -> TrainConfig:
    """La configuración de la demo en vivo para los segundos que elija la sala."""
    return replace(PRESETS["live"].train, seconds=float(seconds), max_steps=round(seconds * LIVE_STEPS_PER_SECOND))


def new_model(preset: str, vocab_size: int):
    """Un modelo recién nacido (pesos al azar) del tipo pedido: ``bigram`` o un preset de GPT."""
    if preset == "bigram":
        return BigramLM(vocab_size)
    return GPT(replace(PRESETS[preset].model, vocab_size=vocab_size))


# ---------------------------------------------------------------- los datos


@dataclass
class Data:
    """El corpus ya convertido en ids, dividido 90 % / 10 %."""

    tokenizer: CharTokenizer
    train: torch.Tensor
    val: torch.Tensor
    sha256: str = ""
    extras: dict = field(default_factory=dict)

    # Lo que ``train`` le pide a sus datos (el refinamiento trae otros datos con estos mismos tres):
    def batch(self, batch_size: int, block: int, generator=None):
        return get_batch(self.train, batch_size, block, generator)

    def val_loss(self, model, config: TrainConfig) -> float:
        return estimate_loss(model, self.val, config.batch_size, config.eval_batches)

    def sample(self, model, config: TrainConfig) -> str:
        return continue_text(model, self.tokenizer, config.sample_prompt, config.sample_chars,
                             temperature=0.8, seed=config.seed)


def prepare_data(text: str | None = None, tokenizer: CharTokenizer | None = None) -> Data:
    text = corpus.load_text() if text is None else text
    tokenizer = tokenizer or CharTokenizer.from_text(text)
    train_text, val_text = corpus.split(text)
    return Data(tokenizer, tokenizer.encode_tensor(train_text), tokenizer.encode_tensor(val_text),
                corpus.sha256(text))


def get_batch(data: torch.Tensor, batch_size: int, block: int, generator=None):
    """Trozos al azar: x son los caracteres, y los mismos corridos en uno (lo que hay que adivinar)."""
    starts = torch.randint(len(data) - block - 1, (batch_size, 1), generator=generator)  # (B, 1)
    rows = starts + torch.arange(block + 1)  # (B, T+1)
    chunk = data[rows]
    return chunk[:, :-1], chunk[:, 1:]  # (B, T), (B, T)


# ---------------------------------------------------------------- el ciclo


def lr_at(config: TrainConfig, step: int) -> float:
    """Calentamiento lineal y luego bajada suave (coseno) hasta ``max_steps``: depende solo del paso."""
    if step < config.warmup_steps:
        return config.lr * (step + 1) / config.warmup_steps
    done = min(max(step / max(config.max_steps, 1), 0.0), 1.0)
    cosine = 0.5 * (1 + math.cos(math.pi * done))
    return config.lr * (config.min_lr_ratio + (1 - config.min_lr_ratio) * cosine)


def train_step(model, optimizer, batch, lr: float, pieces: int = 1) -> float:
    """Un paso: adivinar, medir el error y corregir un poquito cada número del modelo."""
    optimizer.zero_grad(set_to_none=True)
    # ¿cuánto se equivocó adivinando cada carácter siguiente? y, para cada número, ¿hacia dónde moverlo?
    loss = sum(backward(model, part, share) for part, share in split_batch(batch, pieces))
    torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)  # sin saltos gigantes
    for group in optimizer.param_groups:
        group["lr"] = lr
    optimizer.step()  # moverlos un poquito (lr dice cuánto)
    return loss


def train(model, data, config: TrainConfig, callbacks: list[ProgressCallback] = (),
          should_stop: Callable[[], bool] | None = None, clock: Callable[[], float] = time.perf_counter) -> Progress:
    """El ciclo de entrenamiento. Devuelve el último ``Progress`` (con pérdida de validación).

    Para cuando se cumplen ``max_steps``, se acaban ``seconds`` o ``should_stop()`` dice que sí.
    ``clock`` se puede cambiar en las pruebas (un reloj de mentira que avanza lo que uno diga).
    ``data`` es un ``Data`` (el libro) o cualquier cosa con sus ``batch``, ``val_loss`` y ``sample``
    (los diálogos del refinamiento, en ``demos/finetuning/sft.py``).
    """
    optimizer = make_optimizer(model, config)
    batches = torch.Generator().manual_seed(config.seed)  # los mismos trozos en el mismo orden, siempre
    model.train()
    start, step, loss = clock(), 0, None
    next_eval, next_sample = 0.0, config.sample_every
    while True:
        elapsed = clock() - start
        done = (step >= config.max_steps or (config.seconds is not None and elapsed >= config.seconds)
                or (should_stop is not None and should_stop()))
        if elapsed >= next_eval or done:
            report = evaluate(model, data, config, step, loss, elapsed, done or elapsed >= next_sample)
            report.lr = optimizer.param_groups[0]["lr"]
            for callback in callbacks:
                callback(report)
            next_eval = elapsed + config.eval_every
            next_sample = elapsed + config.sample_every if report.sample is not None else next_sample
            if done:
                return report
        batch = data.batch(config.batch_size, model.context_length, batches)
        loss = train_step(model, optimizer, batch, lr_at(config, step), config.pieces)
        step += 1


def split_batch(batch, pieces: int = 1):
    """El lote en ``pieces`` trozos, cada uno con la parte que le toca del promedio: las mismas cuentas
    que el lote entero, pero la memoria de un trozo (en la sala, el kernel no debe pasar de 600 MB)."""
    x, y, *weights = batch
    counted = weights[0].sum().clamp(min=1) if weights else y.numel()
    for rows in torch.arange(len(x)).chunk(max(int(pieces), 1)):
        part = tuple(t[rows] for t in batch)
        yield part, (part[2].sum() if weights else part[1].numel()) / counted


def backward(model, part, share) -> float:
    """La pérdida de un trozo, con su peso en el promedio, y sus gradientes (se suman a los de los demás)."""
    loss = batch_loss(model, part) * share
    loss.backward()
    return loss.item()


def batch_loss(model, batch) -> torch.Tensor:
    """(x, y): cuenta cada carácter. (x, y, w): solo donde ``w`` vale 1 (en el refinamiento, las respuestas)."""
    x, y, *weights = batch
    if not weights:
        return model(x, y)[1]
    return masked_loss(model(x)[0], y, weights[0])


def masked_loss(logits, targets, weights, reduction: str = "mean") -> torch.Tensor:
    """Entropía cruzada que solo cuenta donde ``weights`` es 1 (nats por carácter contado)."""
    losses = F.cross_entropy(logits.reshape(-1, logits.size(-1)), targets.reshape(-1), reduction="none")
    total = (losses * weights.reshape(-1)).sum()
    return total / weights.sum().clamp(min=1) if reduction == "mean" else total


def make_optimizer(model, config: TrainConfig) -> torch.optim.Optimizer:
    settings = dict(lr=config.lr, betas=(0.9, 0.99), weight_decay=config.weight_decay)
    try:  # «fused»: una sola pasada por todos los pesos; en CPU ahorra ~6 % de cada paso
        return torch.optim.AdamW(model.parameters(), fused=True, **settings)
    except (RuntimeError, TypeError):  # torch viejo: sin versión «fused» en CPU
        return torch.optim.AdamW(model.parameters(), **settings)


# ---------------------------------------------------------------- medir


@torch.no_grad()
def estimate_loss(model, data: torch.Tensor, batch_size: int, batches: int, seed: int = 0) -> float:
    """Pérdida promedio en lotes fijos (la misma semilla: curvas comparables entre mediciones)."""
    was_training = model.training
    model.eval()
    rng = torch.Generator().manual_seed(seed)
    losses = [model(*get_batch(data, batch_size, model.context_length, rng))[1].item() for _ in range(batches)]
    model.train(was_training)
    return sum(losses) / len(losses)


def evaluate(model, data, config: TrainConfig, step: int, loss, elapsed: float, with_sample: bool) -> Progress:
    val = data.val_loss(model, config)
    sample = None
    if with_sample:
        sample = data.sample(model, config)
        model.train()
    train_loss = loss if loss is not None else val  # en el paso 0 aún no hay pérdida de entrenamiento
    return Progress(step, train_loss, val, sample, elapsed, tokens_seen=step * config.batch_size * model.context_length)


VAL_LOSS_METHOD = "ventanas de T con paso T/2 sobre todo el 10 % final"


def full_val_loss(model, data: Data, max_chars: int = 200_000, batch: int = 64, stride: int | None = None) -> float:
    """Pérdida por carácter sobre el 10 % de validación, recorrido entero y sin azar.

    Ventanas de ``T`` caracteres que avanzan de a ``stride`` (``T/2`` si no se dice): cada carácter
    se evalúa una sola vez y, salvo al comienzo, con al menos ``T - stride`` caracteres de contexto,
    como cuando el modelo escribe. Con ``stride=T`` las ventanas van seguidas, sin solaparse.
    """
    model.eval()
    T = model.context_length
    ids = data.val[: max_chars + 1] if max_chars else data.val
    windows, counted_from = _sliding_windows(len(ids), T, stride or T // 2)
    total, count = 0.0, 0
    with torch.no_grad():
        for i in range(0, len(windows), batch):
            starts = torch.tensor(windows[i : i + batch])
            chunk = ids[starts[:, None] + torch.arange(T + 1)]
            logits = model(chunk[:, :-1])[0]  # (b, T, V)
            losses = F.cross_entropy(logits.transpose(1, 2), chunk[:, 1:], reduction="none")  # (b, T)
            for row, first in zip(losses, counted_from[i : i + batch], strict=True):
                total += row[first:].sum().item()
                count += T - first
    return total / count


def held_out_loss(model, tokenizer: CharTokenizer, text: str, max_chars: int = 0, stride: int | None = None) -> float:
    """La pérdida de un modelo ya entrenado en el 10 % final de ``text``, el texto que nunca vio
    (entero si ``max_chars`` es 0). Así se mide el modelo incluido en las pruebas y los benchmarks."""
    _, val = corpus.split(text)
    ids = tokenizer.encode_tensor(val)
    return full_val_loss(model, Data(tokenizer, ids[:2], ids), max_chars=max_chars, stride=stride)


def _sliding_windows(n_ids: int, T: int, stride: int) -> tuple[list[int], list[int]]:
    """Inicios de ventana y desde qué posición cuenta cada una (sin contar dos veces)."""
    last_start = n_ids - T - 1
    starts = list(range(0, last_start + 1, stride))
    if starts[-1] != last_start:
        starts.append(last_start)
    counted = [0] + [T - (s - prev) for prev, s in zip(starts, starts[1:], strict=False)]
    return starts, counted


# ---------------------------------------------------------------- guardar


def save_trained(model, data: Data, last: Progress, preset: str, target: Path) -> float:
    """Mide la pérdida en TODO el 10 % de validación, la anota en el archivo y guarda. Devuelve esa pérdida."""
    val = full_val_loss(model, data, max_chars=0)
    consecutive = full_val_loss(model, data, max_chars=0, stride=model.context_length)
    info = {"val_loss": val, "val_loss_method": VAL_LOSS_METHOD, "val_loss_consecutive_windows": consecutive,
            "steps": last.step, "seconds": last.elapsed, "corpus_sha256": data.sha256,
            "torch_version": torch.__version__, "preset": preset, "tokens_seen": last.tokens_seen}
    save_atomically(target, model, data.tokenizer, info)
    return val


def save_atomically(target: Path, model, tokenizer, info: dict) -> Path:
    """Primero a un archivo temporal y luego se renombra: un corte a medias no deja un modelo roto."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".guardando-", suffix=".pt")
    os.close(handle)
    try:
        save_checkpoint(temporary, model, tokenizer, info)
        os.chmod(temporary, 0o666 & ~_umask())  # mkstemp lo crea privado (0600); el modelo es para todos
        os.replace(temporary, target)
    finally:
        Path(temporary).unlink(missing_ok=True)
    return target


def _umask() -> int:
    current = os.umask(0)  # la única manera de leerla es cambiarla: se deja como estaba al instante
    os.umask(current)
    return current
