"""Entrenar un modelo de lenguaje: mostrarle texto y corregirlo, millones de veces.

Un solo ciclo de entrenamiento sirve para todo: la demo en vivo de la presentación, la
terminal y el modelo que viene incluido. Quien lo usa le pasa *callbacks*: funciones que
reciben cada tanto un ``Progress`` (paso, pérdida de entrenamiento y de validación, una
muestra de texto y el tiempo transcurrido) para dibujar la curva o imprimir avances.

Uso:
    python -m demos.training --seconds 60          # entrena un GPT desde cero durante 60 s
    python -m demos.training --preset checkpoint   # reproduce el modelo de demos/checkpoints/
"""

from __future__ import annotations

import argparse
import math
import os
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

import torch
from torch.nn import functional as F

from demos import corpus
from demos.bits import count, decimal, thousands
from demos.cli import ArgumentParser
from demos.model import GPT, BigramLM, CharTokenizer, GPTConfig, count_parameters, generate, save_checkpoint


@dataclass
class TrainConfig:
    seconds: float | None = 60.0  # ¿cuánto tiempo entrenamos? (None: hasta completar los pasos)
    max_steps: int | None = None  # ¿o cuántos pasos de corrección?
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


PRESETS = {
    # Para la sala: aprende rápido en una laptop de 2 núcleos.
    "live": Preset(
        GPTConfig(context_length=64, n_layer=3, n_head=4, n_embd=128, dropout=0.0, alibi=True),
        TrainConfig(seconds=60.0, batch_size=16, lr=6e-3),
        "GPT pequeño para entrenar en vivo",
    ),
    # El modelo que viene incluido (demos/checkpoints/quijote_gpt.pt).
    # 4 capas y no 6: con un solo carácter a la vez, cada capa es una tanda de operaciones; con 4,
    # el chat escribe más rápido. Entrenado más pasos, pierde menos que una de 6 capas (1,180 contra 1,186).
    "checkpoint": Preset(
        GPTConfig(context_length=128, n_layer=4, n_head=6, n_embd=192, dropout=0.0, alibi=True),
        TrainConfig(seconds=None, max_steps=4_800, batch_size=32, lr=2e-3, min_lr_ratio=0.05,
                    warmup_steps=100, weight_decay=0.1, eval_every=120.0, eval_batches=16, sample_every=600.0),
        "QuijoteGPT incluido",
    ),
}

ProgressCallback = Callable[[Progress], None]


@dataclass
class Data:
    """El corpus ya convertido en ids, dividido 90 % / 10 %."""

    tokenizer: CharTokenizer
    train: torch.Tensor
    val: torch.Tensor
    sha256: str = ""
    extras: dict = field(default_factory=dict)


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


@torch.no_grad()
def estimate_loss(model, data: torch.Tensor, batch_size: int, batches: int, seed: int = 0) -> float:
    """Pérdida promedio en lotes fijos (la misma semilla: curvas comparables entre mediciones)."""
    was_training = model.training
    model.eval()
    rng = torch.Generator().manual_seed(seed)
    losses = [model(*get_batch(data, batch_size, model.context_length, rng))[1].item() for _ in range(batches)]
    model.train(was_training)
    return sum(losses) / len(losses)


def lr_at(config: TrainConfig, step: int, fraction: float) -> float:
    """Calentamiento lineal y luego bajada suave (coseno) según la fracción del entrenamiento."""
    if step < config.warmup_steps:
        return config.lr * (step + 1) / config.warmup_steps
    cosine = 0.5 * (1 + math.cos(math.pi * min(max(fraction, 0.0), 1.0)))
    return config.lr * (config.min_lr_ratio + (1 - config.min_lr_ratio) * cosine)


def _fraction_done(config: TrainConfig, step: int, elapsed: float) -> float:
    """Qué parte del presupuesto (segundos o pasos) ya se gastó: 1,0 o más es terminar.

    Un límite de 0 (o negativo) es un presupuesto ya gastado, no «sin límite»: solo ``None`` lo es.
    """
    used = [0.0]
    if config.seconds is not None:
        used.append(elapsed / config.seconds if config.seconds > 0 else 1.0)
    if config.max_steps is not None:
        used.append(step / config.max_steps if config.max_steps > 0 else 1.0)
    return max(used)


def train(model, data: Data, config: TrainConfig, callbacks: list[ProgressCallback] = (),
          should_stop: Callable[[], bool] | None = None) -> Progress:
    """El ciclo de entrenamiento. Devuelve el último ``Progress`` (con pérdida de validación)."""
    if config.seconds is None and config.max_steps is None and should_stop is None:
        raise ValueError("el entrenamiento necesita un límite: segundos, pasos o una función para detenerlo")
    torch.manual_seed(config.seed)
    optimizer = _optimizer(model, config)
    model.train()
    start = time.perf_counter()
    next_eval, next_sample, step, loss = 0.0, config.sample_every, 0, None
    while True:
        elapsed = time.perf_counter() - start
        fraction = _fraction_done(config, step, elapsed)
        done = fraction >= 1.0 or (should_stop is not None and should_stop())
        if elapsed >= next_eval or done:
            report = _evaluate(model, data, config, step, loss, elapsed, done or elapsed >= next_sample)
            report.lr = optimizer.param_groups[0]["lr"]
            for callback in callbacks:
                callback(report)
            next_eval = elapsed + config.eval_every
            if report.sample is not None:
                next_sample = elapsed + config.sample_every
            if done:
                return report
        loss = _train_step(model, optimizer, data, config, lr_at(config, step, fraction))
        step += 1


def _optimizer(model, config: TrainConfig) -> torch.optim.Optimizer:
    settings = dict(lr=config.lr, betas=(0.9, 0.99), weight_decay=config.weight_decay)
    try:  # «fused»: una sola pasada por todos los pesos; en CPU ahorra ~6 % de cada paso
        return torch.optim.AdamW(model.parameters(), fused=True, **settings)
    except (RuntimeError, TypeError):  # torch viejo: sin versión «fused» en CPU
        return torch.optim.AdamW(model.parameters(), **settings)


def _train_step(model, optimizer, data: Data, config: TrainConfig, lr: float) -> float:
    for group in optimizer.param_groups:
        group["lr"] = lr
    x, y = get_batch(data.train, config.batch_size, model.context_length)
    _, loss = model(x, y)
    optimizer.zero_grad(set_to_none=True)
    loss.backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    optimizer.step()
    return loss.item()


def _evaluate(model, data, config, step, loss, elapsed, with_sample) -> Progress:
    val = estimate_loss(model, data.val, config.batch_size, config.eval_batches)
    sample = None
    if with_sample:
        sample = generate(model, data.tokenizer, config.sample_prompt, config.sample_chars,
                          temperature=0.8, seed=config.seed)
        model.train()
    train_loss = loss if loss is not None else val  # en el paso 0 aún no hay pérdida de entrenamiento
    return Progress(step, train_loss, val, sample, elapsed, tokens_seen=step * config.batch_size * model.context_length)


def new_model(preset: str, vocab_size: int):
    """Un modelo recién nacido (pesos al azar) del tipo pedido: ``bigram`` o un preset de GPT."""
    if preset == "bigram":
        return BigramLM(vocab_size)
    config = replace(PRESETS[preset].model, vocab_size=vocab_size)
    return GPT(config)


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
            rows = starts[:, None] + torch.arange(T + 1)
            chunk = ids[rows]
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


# ---------------------------------------------------------------- lo que se ve en la presentación

KNOWN_SIZES = (  # parámetros publicados de modelos famosos, para comparar
    ("GPT-2 (2019)", 124_000_000),
    ("GPT-3 (2020)", 175_000_000_000),
)


def history_rows(history: list[Progress]) -> list[dict]:
    """Filas para la curva de pérdida: una por medición y por conjunto."""
    rows = []
    for p in history:
        rows.append({"segundos": round(p.elapsed, 1), "pérdida": round(p.train_loss, 3), "conjunto": "entrenamiento"})
        if p.val_loss is not None:
            rows.append({"segundos": round(p.elapsed, 1), "pérdida": round(p.val_loss, 3), "conjunto": "validación"})
    return rows


def loss_chart(history: list[Progress], title: str = "Pérdida: cuánto se equivoca (más bajo es mejor)", **size):
    from demos import charts

    size = {"height": 260, **size}
    return charts.lines(history_rows(history), "segundos:Q", "pérdida:Q", "conjunto:N", title, **size)


def size_rows(ours: dict[str, int]) -> list[dict]:
    sizes = list(ours.items()) + list(KNOWN_SIZES)
    return [{"modelo": name, "parámetros": n, "texto": human_count(n)} for name, n in sizes]


SIZE_TICKS = [1_000, 1_000_000, 1_000_000_000]


def size_chart(ours: dict[str, int]):
    """Nuestro modelo al lado de GPT-2 y GPT-3, en escala logarítmica (cada marca: ×1.000)."""
    import altair as alt

    from demos import charts

    rows = size_rows(ours)
    base = alt.Chart(charts.data(rows)).encode(
        y=alt.Y("modelo:N", sort=None, title=None),
        # marcas cada mil veces: «1.000», «1.000.000»… (con todas, las cifras largas se montan)
        x=alt.X("parámetros:Q", scale=alt.Scale(type="log", domainMin=1_000),
                axis=alt.Axis(values=SIZE_TICKS, format=",d"), title="parámetros (escala logarítmica)"),
    )
    # en escala logarítmica no hay cero: las barras nacen en 1.000
    bars = base.mark_bar(color=charts.PALETTE[0]).encode(x2=alt.datum(1_000))
    chart = bars + base.mark_text(align="left", dx=6, fontSize=18).encode(text="texto:N")
    return charts.style(chart, "Muchas grandes matrices", height=220)


def human_count(n: int) -> str:
    """2_700_000 → «2,7 millones»; 124_000_000 → «124 millones»."""
    for size, unit in ((1e9, "mil millones"), (1e6, "millones"), (1e3, "mil")):
        if n >= size:
            return f"{decimal(n / size, 1).removesuffix(',0')} {unit}"
    return thousands(n)


# nombres internos de las capas → lo que se lee en pantalla
LAYER_PARTS = {
    "attn.c_attn": "atención (q, k, v)",
    "attn.c_proj": "atención (salida)",
    "mlp.c_fc": "MLP (entrada)",
    "mlp.c_proj": "MLP (salida)",
    "ln_1": "normalización antes de la atención",
    "ln_2": "normalización antes del MLP",
}
OTHER_PARTS = {
    "wte": "embeddings: un vector por carácter",
    "ln_f": "normalización final",
    "token_embedding_table": "tabla del bigrama",
}


def spanish_weight_name(name: str) -> str:
    """``blocks.0.attn.c_attn.weight`` → «capa 1 · atención (q, k, v)»."""
    parts = name.split(".")
    if parts[0] == "blocks" and len(parts) >= 3 and parts[1].isdigit():
        inner = ".".join(parts[2:-1])
        return f"capa {int(parts[1]) + 1} · {LAYER_PARTS.get(inner, inner)}"
    return OTHER_PARTS.get(parts[0], name)


def weight_matrix(model, name: str | None = None, max_side: int = 96):
    """Una matriz de pesos (recortada para que se vea): por defecto, la primera de atención.

    Devuelve el nombre interno, el trozo recortado y la forma completa de la matriz."""
    params = dict(model.named_parameters())
    name = name or next((n for n in params if n.endswith("attn.c_attn.weight")), next(iter(params)))
    weights = params[name].detach()
    if weights.dim() == 1:
        weights = weights.unsqueeze(0)
    return name, weights[:max_side, :max_side], tuple(weights.shape)


def weight_chart(model, name: str | None = None, max_side: int = 96) -> str:
    """HTML con la matriz como imagen: cada número es un píxel de color."""
    from demos import charts

    name, weights, (rows, cols) = weight_matrix(model, name, max_side)
    shown = f"{thousands(weights.shape[0])}×{thousands(weights.shape[1])}"
    title = f"{spanish_weight_name(name)}: un trozo de {shown} de sus {thousands(rows)}×{thousands(cols)} números"
    return charts.heatmap_html(weights, title)


def live_config(seconds: float = 30.0) -> TrainConfig:
    """La configuración de la demo en vivo, con los segundos que elija la sala."""
    return replace(PRESETS["live"].train, seconds=float(seconds), max_steps=None)


def live_view(history: list[Progress]):
    """Lo que ve la sala mientras entrena: curva de pérdida, cifras y la última muestra."""
    import marimo as mo

    last = history[-1]
    samples = [p for p in history if p.sample]
    sample = samples[-1].sample if samples else "…"
    figures = mo.hstack([
        mo.stat(f"{decimal(last.elapsed, 0)} s", label="tiempo"),
        mo.stat(thousands(last.step), label="pasos"),
        mo.stat(decimal(last.val_loss, 2) if last.val_loss is not None else "—", label="validación"),
    ], justify="space-between")
    # la curva a la izquierda y las cifras con la muestra a la derecha: todo cabe en 1280×720
    return mo.hstack([loss_chart(history, width=560, height=230),
                      mo.vstack([figures, mo.md(f"**Muestra:** {sample}")])], widths=[3, 2], align="start")


def missing_corpus_view(message: str | None):
    """El aviso de la diapositiva cuando falta el corpus: qué pasó y cómo conseguirlo."""
    import html

    import marimo as mo

    # en <pre> y no en un bloque de código: sin colores de sintaxis que corten las frases;
    # la dirección larga se parte para no salirse de la diapositiva
    text = html.escape(message or "No pude leer El Quijote.")
    wrapped = f"<pre style='white-space: pre-wrap; overflow-wrap: anywhere'>{text}</pre>"
    return mo.callout(mo.vstack([mo.md("**Para entrenar necesito el corpus.**"), mo.Html(wrapped)]), kind="warn")


def bar_total(config: TrainConfig) -> int:
    """El largo de la barra de progreso: segundos (si hay límite de tiempo) o pasos."""
    if config.seconds is not None:
        return max(1, math.ceil(config.seconds))
    return max(1, config.max_steps or 1)


def bar_position(config: TrainConfig, report: Progress) -> int:
    done = report.elapsed if config.seconds is not None else report.step
    return min(int(done), bar_total(config))


def bar_subtitle(config: TrainConfig, report: Progress) -> str:
    unit = "segundos" if config.seconds is not None else "pasos"
    val = decimal(report.val_loss, 2) if report.val_loss is not None else "—"
    return f"{thousands(bar_position(config, report))} de {thousands(bar_total(config))} {unit} · pérdida {val}"


VIEW_INDEX = 2  # la salida de la celda: [encabezado, barra de progreso, vista que se reemplaza]


def live_training(model, data: Data, config: TrainConfig, header=None,
                  callbacks: list[ProgressCallback] = ()) -> list[Progress]:
    """Entrena dentro de una celda de marimo: arriba ``header`` (p. ej. los controles), luego una
    barra de progreso y una vista que se actualiza sola con la curva y las muestras."""
    import marimo as mo

    history: list[Progress] = []
    mo.output.replace(header if header is not None else mo.md(""))
    # sin velocidad ni tiempo restante: marimo los escribe en inglés («iter/s», «ETA»)
    progress = mo.status.progress_bar(total=bar_total(config), title="Entrenando…",
                                      completion_title="Entrenamiento terminado", show_rate=False,
                                      show_eta=False, remove_on_exit=False)
    with progress as bar:
        mo.output.append(mo.md("Preparando…"))

        def show(report: Progress) -> None:
            history.append(report)
            increment = max(bar_position(config, report) - bar.current, 0)
            bar.update(increment=increment, subtitle=bar_subtitle(config, report))
            mo.output.replace_at_index(live_view(history), VIEW_INDEX)

        train(model, data, config, [show, *callbacks])
    return history


# ---------------------------------------------------------------- la terminal


def print_progress(report: Progress) -> None:
    val = decimal(report.val_loss, 3) if report.val_loss is not None else "—"
    print(f"  {decimal(report.elapsed, 1):>6} s | paso {thousands(report.step):>7} | entrenamiento "
          f"{decimal(report.train_loss, 3)} | validación {val} | lr {decimal(report.lr, 5)}",
          file=sys.stderr, flush=True)
    if report.sample:
        print(f"    muestra: {report.sample!r}", file=sys.stderr, flush=True)


def cli_config(args) -> TrainConfig:
    """La configuración del preset, con el límite que se haya pedido en la terminal."""
    config = PRESETS[args.preset].train
    if args.seconds is not None:
        config = replace(config, seconds=args.seconds, max_steps=None)
    if args.steps is not None:
        config = replace(config, max_steps=args.steps, seconds=None)
    return config


def partial_path(target: Path) -> Path:
    """Dónde va la copia parcial: en la caché del usuario, nunca junto al modelo incluido."""
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    folder = Path(base) / "taller-chatgpt" / "parciales"
    return folder / f"{Path(target).stem}.parcial.pt"


def run_cli(args, data: Data | None = None) -> int:
    """Entrena según la terminal. ``data``: datos ya preparados (si no, todo el corpus)."""
    try:
        data = data or prepare_data()
    except corpus.CorpusUnavailable as error:
        print(error, file=sys.stderr)
        return 1
    target = Path(args.save) if args.save else (preset_path() if args.preset == "checkpoint" else None)
    problem = _cannot_write(target) if target is not None else None
    if problem:  # mejor saberlo antes de entrenar una hora
        print(f"No puedo guardar el modelo en {target}: {problem}", file=sys.stderr)
        return 1
    config = cli_config(args)
    torch.manual_seed(config.seed)
    model = new_model(args.preset, data.tokenizer.vocab_size)
    _announce(PRESETS[args.preset], model, config)
    partial = partial_path(target) if target is not None else None
    callbacks = [print_progress] + ([_partial_saver(partial, model, data.tokenizer)] if partial else [])
    try:
        last = train(model, data, config, callbacks)
    except KeyboardInterrupt:
        kept = f" La última copia parcial quedó en {partial}." if partial is not None and partial.exists() else ""
        print(f"\nEntrenamiento interrumpido.{kept}", file=sys.stderr)
        return 130
    if target is not None and not _save_final(model, data, last, args.preset, target, partial):
        return 1
    print(f"listo: pasos={last.step} segundos={last.elapsed:.1f} val_loss={last.val_loss:.4f}")
    return 0


def _save_final(model, data: Data, last: Progress, preset: str, target: Path, partial: Path) -> bool:
    """Guarda el modelo terminado y borra la copia parcial (que solo servía si algo fallaba)."""
    try:
        last.val_loss = save_trained(model, data, last, preset, target)
    except OSError as error:
        print(f"No pude guardar el modelo en {target} ({error.strerror or error}). "
              f"La copia parcial quedó en {partial}.", file=sys.stderr)
        return False
    partial.unlink(missing_ok=True)
    return True


def _announce(preset: Preset, model, config: TrainConfig) -> None:
    if config.seconds is not None:
        limit = f"{decimal(config.seconds, 1).removesuffix(',0')} s"
    else:
        limit = count(config.max_steps, "paso", "pasos")
    print(f"Entrenando «{preset.description}» ({thousands(count_parameters(model))} parámetros) durante {limit}…",
          file=sys.stderr)


def _cannot_write(target: Path) -> str | None:
    """Por qué no se podrá guardar en ``target``, o ``None`` si se puede."""
    if target.is_dir():
        return "es una carpeta"
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        return f"no pude crear la carpeta ({error.strerror or error})"
    return None if os.access(target.parent, os.W_OK) else "no tengo permiso para escribir en esa carpeta"


def _partial_saver(partial: Path, model, tokenizer) -> ProgressCallback:
    def save(report: Progress) -> None:
        try:
            _save_atomically(partial, model, tokenizer, {"steps": report.step})
        except OSError as error:  # sin copia parcial se puede seguir entrenando igual
            print(f"  (no pude guardar la copia parcial en {partial}: {error.strerror or error})", file=sys.stderr)

    return save


def save_trained(model, data: Data, last: Progress, preset: str, target: Path) -> float:
    """Mide la pérdida en TODO el 10 % de validación, la anota en el archivo y guarda."""
    val = full_val_loss(model, data, max_chars=0)
    consecutive = full_val_loss(model, data, max_chars=0, stride=model.context_length)
    info = {"val_loss": val, "val_loss_method": VAL_LOSS_METHOD, "val_loss_consecutive_windows": consecutive,
            "steps": last.step, "seconds": last.elapsed, "corpus_sha256": data.sha256,
            "torch_version": torch.__version__, "preset": preset, "tokens_seen": last.tokens_seen}
    path = _save_atomically(target, model, data.tokenizer, info)
    print(f"Guardado en {path} (pérdida en todo el 10 % de validación: {decimal(val, 4)}; "
          f"con ventanas seguidas: {decimal(consecutive, 4)})", file=sys.stderr)
    return val


def _umask() -> int:
    current = os.umask(0)  # la única manera de leerla es cambiarla: se deja como estaba al instante
    os.umask(current)
    return current


def _save_atomically(target: Path, model, tokenizer, info: dict) -> Path:
    """Primero a un archivo temporal y luego se renombra: un corte a medias no deja un modelo roto."""
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


def preset_path():
    from demos.model import CHECKPOINT

    return CHECKPOINT


def positive(kind: type, what: str):
    """Un tipo para argparse que solo acepta números mayores que 0 (0 o -1 no terminarían nunca)."""

    def parse(text: str):
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"«{text}» no es {what}") from None
        if not math.isfinite(value):
            raise argparse.ArgumentTypeError(f"«{text}» no sirve de límite: debe ser {what} común")
        if value <= 0:
            raise argparse.ArgumentTypeError(f"debe ser {what} mayor que 0 (recibí «{text}»)")
        return value

    return parse


def non_empty_path(text: str) -> str:
    if not text.strip():
        raise argparse.ArgumentTypeError("falta la ruta del archivo")
    return text


def build_parser() -> ArgumentParser:
    parser = ArgumentParser(prog="python -m demos.training", description="Entrena un GPT de caracteres con El Quijote.")
    limit = parser.add_mutually_exclusive_group()
    limit.add_argument("--seconds", type=positive(float, "un número"), metavar="SEGUNDOS",
                       help="segundos de entrenamiento")
    limit.add_argument("--steps", type=positive(int, "un número entero"), metavar="PASOS",
                       help="pasos de entrenamiento (en vez de segundos)")
    parser.add_argument("--preset", choices=sorted(PRESETS), default="live", help="tamaño del modelo")
    parser.add_argument("--save", type=non_empty_path, metavar="ARCHIVO", help="guardar el modelo entrenado aquí")
    return parser


def main(argv=None, data: Data | None = None) -> int:
    return run_cli(build_parser().parse_args(argv), data)


if __name__ == "__main__":
    sys.exit(main())
