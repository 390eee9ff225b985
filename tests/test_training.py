"""La sección «Entrenamiento»: el entrenamiento en vivo dentro de marimo, sus vistas y la terminal."""

from __future__ import annotations

import html
import re
import subprocess
import sys
from dataclasses import replace

import marimo
import pytest

from demos import trainer, training
from demos.model import CHECKPOINT, checkpoint_info, load_checkpoint
from tests.conftest import ROOT


@pytest.fixture(scope="module")
def data(quijote):
    return trainer.prepare_data(quijote[:300_000])


@pytest.mark.parametrize("argv", [["--segundos", "0"], ["--segundos", "-1"], ["--pasos", "0"], ["--pasos", "-3"],
                                  ["--segundos", "nan"], ["--segundos", "inf"], ["--segundos", "1", "--pasos", "2"],
                                  ["--segundos", "diez"], ["--guardar", ""], ["--seconds", "0"], ["--steps", "-3"]])
def test_cli_rejects_limits_that_never_end(argv, capsys):
    with pytest.raises(SystemExit) as stop:
        training.build_parser().parse_args(argv)  # solo lee los argumentos: no puede quedarse entrenando
    error = capsys.readouterr().err
    assert stop.value.code == 2 and "error: en --" in error
    assert not re.search(r"invalid|must be|argument", error), error  # nada de argparse en inglés


def test_cli_with_zero_seconds_exits_instead_of_hanging():
    result = subprocess.run([sys.executable, "-m", "demos.training", "--segundos", "0"], cwd=ROOT,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 2 and "mayor que 0" in result.stderr


def test_cli_trains_for_seconds_and_prints_val_loss():
    result = subprocess.run([sys.executable, "-m", "demos.training", "--segundos", "3"], cwd=ROOT,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    last_line = result.stdout.strip().splitlines()[-1]
    match = re.search(r"val_loss=([0-9.]+)", last_line)
    assert match and 0 < float(match.group(1)) < 4.6
    assert "paso" in result.stderr  # el progreso va a la terminal


def test_cli_without_corpus_explains_in_spanish(tmp_path):
    env = {"TALLER_CORPUS": str(tmp_path / "nada.txt"), "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    result = subprocess.run([sys.executable, "-m", "demos.training", "--segundos", "1"], cwd=ROOT,
                            capture_output=True, text=True, env=env)
    assert result.returncode == 1 and "TALLER_CORPUS apunta a" in result.stderr and "Traceback" not in result.stderr


# ---------------------------------------------------------------- la demo en vivo, dentro de marimo

LIVE_STEPS = 4


def run_live_training_in_marimo() -> dict:
    """Corre ``live_training`` en un notebook de marimo de verdad, sin navegador, y devuelve lo que
    definió la celda: la historia, lo que recibieron los callbacks y cómo quedó su salida."""
    app = marimo.App()

    @app.cell
    def entrenar():
        import marimo as mo
        from marimo._runtime.context import get_context

        from demos import corpus, trainer, training

        datos = trainer.prepare_data(corpus.load_text()[:200_000])
        modelo = trainer.new_model("live", datos.tokenizer.vocab_size)
        config = trainer.TrainConfig(max_steps=4, batch_size=4, eval_every=0.0, eval_batches=1,
                                     sample_every=0.0, sample_chars=16, warmup_steps=1)
        vistos = []
        historia = training.live_training(modelo, datos, config, header=mo.md("## Encabezado"),
                                          callbacks=[vistos.append])
        # la lista de salidas de la celda, en orden: así se ve qué quedó en cada posición
        salida = [item.text for item in get_context().execution_context.output._items]
        return historia, salida, vistos

    return app.run()[1]


@pytest.fixture(scope="module")
def live_run(quijote):
    return run_live_training_in_marimo()


def test_live_training_reports_every_measurement_to_the_callbacks(live_run):
    history = live_run["historia"]
    assert [p.step for p in history] == list(range(LIVE_STEPS + 1))
    assert live_run["vistos"] == history  # los callbacks de quien llama reciben lo mismo que la vista
    assert all(p.val_loss is not None and len(p.sample) == 16 for p in history)
    assert history[-1].val_loss < history[0].val_loss


def test_live_training_curve_has_train_and_validation(live_run):
    rows = training.history_rows(live_run["historia"])
    assert len(rows) == 2 * (LIVE_STEPS + 1)
    assert {r["conjunto"] for r in rows} == {"entrenamiento", "validación"}
    assert [r["segundos"] for r in rows] == sorted(r["segundos"] for r in rows)


def test_live_training_output_is_header_bar_and_view(live_run):
    header, bar, view = live_run["salida"]  # exactamente tres: la vista reemplaza, no se acumula
    assert "Encabezado" in header
    bar = html.unescape(bar)
    assert bar.startswith("<marimo-progress") and "Entrenamiento terminado" in bar
    assert f"data-total='{LIVE_STEPS}'" in bar and f"data-progress='{LIVE_STEPS}'" in bar
    assert "data-rate" not in bar and "data-eta" not in bar  # marimo los escribe en inglés
    assert re.search(r"4 de 4 pasos · pérdida \d,\d\d", bar)
    view = html.unescape(view)
    assert "<strong>Muestra:</strong>" in view and "validación" in view
    # la curva de pérdida: un gráfico de altair (vega) con las filas de ambos conjuntos
    assert "vega" in view and "entrenamiento" in view


def test_live_view_and_progress_bar_use_chilean_numbers():
    report = trainer.Progress(step=12_345, train_loss=2.0, val_loss=1.5, elapsed=31.6, sample="En un lugar")
    view = html.unescape(training.live_view([report]).text)
    assert "12.345" in view and "1,50" in view and "12,345" not in view
    config = trainer.TrainConfig(seconds=30)
    assert training.bar_subtitle(config, report) == "30 de 30 segundos · pérdida 1,50"  # no se pasa del total
    assert training.bar_subtitle(replace(config, seconds=None, max_steps=20_000), report) == (
        "12.345 de 20.000 pasos · pérdida 1,50")


def test_weight_heat_map_is_titled_in_spanish(pretrained):
    model, _ = pretrained
    page = html.unescape(training.weight_chart(model))
    assert "capa 1 · atención (consulta, clave, valor): un trozo de 96×96 de sus 576×192 números" in page
    assert "blocks." not in page and "c_attn" not in page
    assert training.spanish_weight_name("blocks.5.mlp.c_fc.weight") == "capa 6 · MLP (entrada)"


def test_sizes_are_written_in_spanish():
    assert training.human_count(844_300) == "844,3 mil"
    assert training.human_count(2_700_000) == "2,7 millones"
    assert training.human_count(124_000_000) == "124 millones"
    assert training.human_count(175_000_000_000) == "175 mil millones"
    assert training.human_count(999) == "999"


# ---------------------------------------------------------------- guardar un modelo entrenado


@pytest.mark.parametrize(("recipe", "preset"), [("en-vivo", "live"),
                                               pytest.param("incluido", "checkpoint", marks=pytest.mark.slow)])
def test_saving_leaves_no_partial_copy_and_documents_the_loss(recipe, preset, tmp_path, monkeypatch, quijote):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    small = trainer.prepare_data(quijote[:100_000])
    target = tmp_path / "modelos" / "m.pt"
    bundled_folder = set(CHECKPOINT.parent.iterdir())
    assert training.partial_path(target).is_relative_to(tmp_path / "cache")  # nunca junto a los modelos
    assert training.main(["--receta", recipe, "--pasos", "2", "--guardar", str(target)], data=small) == 0
    assert [p.name for p in target.parent.iterdir()] == ["m.pt"]
    assert not list(tmp_path.rglob("*.parcial.pt")), "quedó una copia parcial"
    assert set(CHECKPOINT.parent.iterdir()) == bundled_folder
    model, _, info = load_checkpoint(target)
    assert set(checkpoint_info()) <= set(info)  # las mismas claves que trae el modelo incluido
    assert info["val_loss_method"] == checkpoint_info()["val_loss_method"] and info["preset"] == preset
    consecutive = trainer.full_val_loss(model, small, max_chars=0, stride=model.context_length)
    assert info["val_loss_consecutive_windows"] == pytest.approx(consecutive, abs=0.02)  # pesos en float16


@pytest.mark.parametrize("where", ["carpeta", "dentro-de-un-archivo"])
def test_an_unwritable_destination_is_refused_before_training(where, tmp_path, capsys, data):
    blocker = tmp_path / "archivo.txt"
    blocker.write_text("no soy una carpeta")
    target = tmp_path if where == "carpeta" else blocker / "m.pt"
    assert training.main(["--pasos", "1", "--guardar", str(target)], data=data) == 1
    error = capsys.readouterr().err
    assert "No puedo guardar el modelo" in error and "Entrenando" not in error


def test_the_english_options_of_before_still_work(tmp_path, monkeypatch, data):
    """--seconds, --steps, --preset y --save siguen sirviendo (hay guías y notas que los usan)."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    args = training.build_parser().parse_args(["--preset", "live", "--steps", "2", "--save", "m.pt"])
    assert (args.receta, args.pasos, args.guardar) == ("live", 2, "m.pt")
    assert training.build_parser().parse_args(["--seconds", "5"]).segundos == 5.0
    assert training.main(["--preset", "live", "--steps", "1", "--save", str(tmp_path / "m.pt")], data=data) == 0
