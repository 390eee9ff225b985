"""La sección «Entrenamiento»: el entrenamiento en vivo en la presentación, y en la terminal.

El ciclo de entrenamiento está en ``demos/trainer.py`` (no sabe de diapositivas); aquí se dibuja
lo que va pasando —la barra de progreso, la curva de pérdida, las muestras de texto que mejoran— y
se muestra el resultado: muchas grandes matrices.

Uso:
    python -m demos.training --segundos 60              # entrena un GPT desde cero durante 60 s
    python -m demos.training --receta incluido          # reproduce el modelo de demos/checkpoints/
"""

from __future__ import annotations

import argparse
import math
import os
import sys
from dataclasses import replace
from pathlib import Path

import torch

from demos import corpus
from demos.aula.cli import ArgumentParser
from demos.formatting import count, decimal, thousands
from demos.model import CHECKPOINT, count_parameters
from demos.trainer import (
    PRESETS,
    Data,
    Preset,
    Progress,
    ProgressCallback,
    TrainConfig,
    live_config,
    new_model,
    prepare_data,
    save_atomically,
    save_trained,
    train,
)

# ---------------------------------------------------------------- lo que se ve en la presentación

KNOWN_SIZES = (  # parámetros publicados de modelos famosos, para comparar
    ("GPT-2 pequeño (2019)", 124_000_000),
    ("GPT-2 grande (2019)", 1_500_000_000),
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
    return charts.style(chart, "Muchas matrices gigantes", height=220)


def human_count(n: int) -> str:
    """2_700_000 → «2,7 millones»; 124_000_000 → «124 millones»."""
    for size, unit in ((1e9, "mil millones"), (1e6, "millones"), (1e3, "mil")):
        if n >= size:
            return f"{decimal(n / size, 1).removesuffix(',0')} {unit}"
    return thousands(n)


# nombres internos de las capas → lo que se lee en pantalla
LAYER_PARTS = {
    "attn.c_attn": "atención (consulta, clave, valor)",
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
    """``blocks.0.attn.c_attn.weight`` → «capa 1 · atención (consulta, clave, valor)»."""
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


def live_view(history: list[Progress], sample_label: str = "Muestra"):
    """Lo que ve la sala mientras entrena: curva de pérdida, cifras y la última muestra."""
    import marimo as mo

    last = history[-1]
    samples = [p for p in history if p.sample]
    sample = samples[-1].sample if samples else "…"
    val = decimal(last.val_loss, 2) if last.val_loss is not None else "—"
    # las cifras en una línea de texto (no en tarjetas): la columna no crece más que la curva
    figures = f"**{decimal(last.elapsed, 0)} s** · **{thousands(last.step)}** pasos · validación **{val}**"
    # la muestra es texto inventado: una «palabra» larga sin espacios no debe empujar la diapositiva
    text = mo.md(figures + "  \n" + f"**{sample_label}:** {sample}").text
    shown = mo.Html(f"<div style='overflow-wrap: anywhere'>{text}</div>")
    # la curva a la izquierda y las cifras con la muestra a la derecha: todo cabe en 1280×720
    return mo.hstack([loss_chart(history, width=540, height=230), shown], widths=[3, 2], align="start")


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
                  callbacks: list[ProgressCallback] = (), sample_label: str = "Muestra",
                  titles: tuple[str, str] = ("Entrenando…", "Entrenamiento terminado")) -> list[Progress]:
    """Entrena dentro de una celda de marimo: arriba ``header`` (p. ej. los controles), luego una
    barra de progreso y una vista que se actualiza sola con la curva y las muestras."""
    import marimo as mo

    history: list[Progress] = []
    mo.output.replace(header if header is not None else mo.md(""))
    # sin velocidad ni tiempo restante: marimo los escribe en inglés («iter/s», «ETA»)
    progress = mo.status.progress_bar(total=bar_total(config), title=titles[0],
                                      completion_title=titles[1], show_rate=False,
                                      show_eta=False, remove_on_exit=False)
    with progress as bar:
        mo.output.append(mo.md("Preparando…"))

        def show(report: Progress) -> None:
            history.append(report)
            increment = max(bar_position(config, report) - bar.current, 0)
            bar.update(increment=increment, subtitle=bar_subtitle(config, report))
            mo.output.replace_at_index(live_view(history, sample_label), VIEW_INDEX)

        train(model, data, config, [show, *callbacks])
    return history


# ---------------------------------------------------------------- la terminal

RECIPES = {"en-vivo": "live", "incluido": "checkpoint"}  # nombre en castellano → preset de demos/trainer.py


def print_progress(report: Progress) -> None:
    val = decimal(report.val_loss, 3) if report.val_loss is not None else "—"
    print(f"  {decimal(report.elapsed, 1):>6} s | paso {thousands(report.step):>7} | entrenamiento "
          f"{decimal(report.train_loss, 3)} | validación {val} | lr {decimal(report.lr, 5)}",
          file=sys.stderr, flush=True)
    if report.sample:
        print(f"    muestra: {report.sample!r}", file=sys.stderr, flush=True)


def cli_config(preset: str, seconds: float | None, steps: int | None) -> TrainConfig:
    """La configuración del preset, con el límite que se haya pedido en la terminal."""
    config = live_config(seconds) if preset == "live" and seconds is not None else PRESETS[preset].train
    if seconds is not None:
        config = replace(config, seconds=seconds)
    if steps is not None:
        config = replace(config, max_steps=steps, seconds=None)
    return config


def partial_path(target: Path) -> Path:
    """Dónde va la copia parcial: en la caché del usuario, nunca junto al modelo incluido."""
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "taller-chatgpt" / "parciales" / f"{Path(target).stem}.parcial.pt"


def run_cli(args, data: Data | None = None) -> int:
    """Entrena según la terminal. ``data``: datos ya preparados (si no, todo el corpus)."""
    try:
        data = data or prepare_data()
    except corpus.CorpusUnavailable as error:
        print(error, file=sys.stderr)
        return 1
    preset = RECIPES.get(args.receta, args.receta)
    target = Path(args.guardar) if args.guardar else (CHECKPOINT if preset == "checkpoint" else None)
    problem = _cannot_write(target) if target is not None else None
    if problem:  # mejor saberlo antes de entrenar una hora
        print(f"No puedo guardar el modelo en {target}: {problem}", file=sys.stderr)
        return 1
    config = cli_config(preset, args.segundos, args.pasos)
    torch.manual_seed(config.seed)
    model = new_model(preset, data.tokenizer.vocab_size)
    _announce(PRESETS[preset], model, config)
    partial = partial_path(target) if target is not None else None
    callbacks = [print_progress] + ([_partial_saver(partial, model, data.tokenizer)] if partial else [])
    try:
        last = train(model, data, config, callbacks)
    except KeyboardInterrupt:
        kept = f" La última copia parcial quedó en {partial}." if partial is not None and partial.exists() else ""
        print(f"\nEntrenamiento interrumpido.{kept}", file=sys.stderr)
        return 130
    if target is not None and not _save_final(model, data, last, preset, target, partial):
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
    print(f"Guardado en {target} (pérdida en todo el 10 % de validación: {decimal(last.val_loss, 4)})",
          file=sys.stderr)
    partial.unlink(missing_ok=True)
    return True


def _announce(preset: Preset, model, config: TrainConfig) -> None:
    limit = count(config.max_steps, "paso", "pasos")
    if config.seconds is not None:
        limit += f" o {decimal(config.seconds, 1).removesuffix(',0')} s, lo que llegue primero"
    print(f"Entrenando «{preset.description}» ({thousands(count_parameters(model))} parámetros): {limit}…",
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
            save_atomically(partial, model, tokenizer, {"steps": report.step})
        except OSError as error:  # sin copia parcial se puede seguir entrenando igual
            print(f"  (no pude guardar la copia parcial en {partial}: {error.strerror or error})", file=sys.stderr)

    return save


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
    # las opciones en inglés de antes siguen sirviendo (--seconds, --steps, --preset, --save)
    limit.add_argument("--segundos", "--seconds", type=positive(float, "un número"), metavar="SEGUNDOS",
                       help="segundos de entrenamiento (como mucho)")
    limit.add_argument("--pasos", "--steps", type=positive(int, "un número entero"), metavar="PASOS",
                       help="pasos de entrenamiento (en vez de segundos)")
    parser.add_argument("--receta", "--preset", choices=[*RECIPES, *PRESETS], default="en-vivo",
                        help="qué modelo: en-vivo (pequeño y rápido) o incluido (el de demos/checkpoints/)")
    parser.add_argument("--guardar", "--save", type=non_empty_path, metavar="ARCHIVO",
                        help="guardar el modelo entrenado aquí")
    return parser


def main(argv=None, data: Data | None = None) -> int:
    return run_cli(build_parser().parse_args(argv), data)


if __name__ == "__main__":
    sys.exit(main())
