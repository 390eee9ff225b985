"""Entrenamiento real (breve) con PyTorch: la pérdida baja, los callbacks llegan, la CLI funciona."""

from __future__ import annotations

import html
import re
import subprocess
import sys
from dataclasses import replace

import marimo
import pytest
import torch

from demos import training
from demos.model import CHECKPOINT, GPT, CharTokenizer, GPTConfig, checkpoint_info, load_checkpoint, save_checkpoint
from tests.conftest import ROOT


@pytest.fixture(scope="module")
def data(quijote):
    return training.prepare_data(quijote[:300_000])


def test_batches_are_shifted_by_one(data):
    x, y = training.get_batch(data.train, 4, 16)
    assert x.shape == y.shape == (4, 16)
    assert torch.equal(x[:, 1:], y[:, :-1])


def test_lr_schedule_warms_up_and_decays():
    config = training.TrainConfig(lr=1.0, warmup_steps=10, min_lr_ratio=0.1)
    assert training.lr_at(config, 0, 0.0) == pytest.approx(0.1)
    assert training.lr_at(config, 10, 0.0) == pytest.approx(1.0)
    assert training.lr_at(config, 50, 0.5) == pytest.approx(0.55)
    assert training.lr_at(config, 99, 1.0) == pytest.approx(0.1)


def test_short_training_lowers_loss_and_reports_progress(data):
    torch.manual_seed(0)
    model = training.new_model("live", data.tokenizer.vocab_size)
    config = replace(training.live_config(), seconds=None, max_steps=60, eval_every=0.0, eval_batches=2,
                     sample_every=1e9, warmup_steps=5)  # medir en cada paso: con 2 lotes basta
    seen = []
    last = training.train(model, data, config, [seen.append])
    assert seen[0].step == 0 and last.step == 60
    assert last.val_loss < seen[0].val_loss - 1.0  # de ~4,6 (azar) a bastante menos
    assert any(p.sample for p in seen) and all(p.elapsed >= 0 for p in seen)
    assert [p.step for p in seen] == sorted(p.step for p in seen)


def test_bigram_trains_with_the_same_loop(data):
    model = training.new_model("bigram", data.tokenizer.vocab_size)
    config = training.TrainConfig(seconds=None, max_steps=50, lr=1e-1, eval_every=0.0, sample_every=1e9)
    last = training.train(model, data, config)
    assert last.val_loss < 3.5


def steps_guard(limit: int = 50):
    """Un ``should_stop`` que corta a los ``limit`` pasos: si el límite pedido no funciona, la
    prueba falla en vez de quedarse entrenando para siempre."""
    calls = iter(range(10**9))
    return lambda: next(calls) >= limit


@pytest.mark.parametrize("limits", [dict(seconds=0), dict(seconds=-1), dict(seconds=None, max_steps=0),
                                    dict(seconds=None, max_steps=-5)])
def test_zero_or_negative_limits_end_at_once(data, limits):
    model = training.new_model("bigram", data.tokenizer.vocab_size)
    config = replace(training.TrainConfig(eval_batches=1, sample_every=1e9), **limits)
    last = training.train(model, data, config, should_stop=steps_guard())
    assert last.step == 0 and last.val_loss is not None


def test_training_without_any_limit_is_refused(data):
    model = training.new_model("bigram", data.tokenizer.vocab_size)
    with pytest.raises(ValueError, match="límite"):
        training.train(model, data, training.TrainConfig(seconds=None, max_steps=None))


@pytest.mark.parametrize("argv", [["--seconds", "0"], ["--seconds", "-1"], ["--steps", "0"], ["--steps", "-3"],
                                  ["--seconds", "nan"], ["--seconds", "inf"], ["--seconds", "1", "--steps", "2"],
                                  ["--seconds", "diez"], ["--save", ""]])
def test_cli_rejects_limits_that_never_end(argv, capsys):
    with pytest.raises(SystemExit) as stop:
        training.build_parser().parse_args(argv)  # solo lee los argumentos: no puede quedarse entrenando
    error = capsys.readouterr().err
    assert stop.value.code == 2 and "error: en --" in error
    assert not re.search(r"invalid|must be|argument", error), error  # nada de argparse en inglés


def test_cli_with_zero_seconds_exits_instead_of_hanging():
    result = subprocess.run([sys.executable, "-m", "demos.training", "--seconds", "0"], cwd=ROOT,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 2 and "mayor que 0" in result.stderr


def test_should_stop_ends_training_early(data):
    model = training.new_model("bigram", data.tokenizer.vocab_size)
    config = training.TrainConfig(seconds=None, max_steps=10_000, eval_every=1e9, sample_every=1e9)
    calls = iter(range(100))
    last = training.train(model, data, config, should_stop=lambda: next(calls) >= 5)
    assert last.step == 5


def test_checkpoint_round_trip_is_safe(tmp_path, data):
    model = GPT(GPTConfig(vocab_size=data.tokenizer.vocab_size, context_length=16, n_layer=1, n_head=2, n_embd=16))
    path = save_checkpoint(tmp_path / "m.pt", model, data.tokenizer, {"val_loss": 1.5, "torch": torch.__version__})
    loaded, tokenizer, info = load_checkpoint(path)
    torch.load(path, weights_only=True)  # solo tensores y tipos simples
    assert tokenizer.chars == data.tokenizer.chars and info["val_loss"] == 1.5
    x = torch.randint(data.tokenizer.vocab_size, (1, 16))
    assert torch.allclose(loaded(x)[0], model(x)[0], atol=1e-2)  # pesos en float16


def test_full_val_loss_uses_consecutive_windows(data):
    model = training.new_model("bigram", data.tokenizer.vocab_size)
    loss = training.full_val_loss(model, data, max_chars=10_000)
    assert 3.0 < loss < 6.0  # un bigrama sin entrenar: cerca de ln(V) ≈ 4,6


def test_cli_trains_for_seconds_and_prints_val_loss():
    result = subprocess.run([sys.executable, "-m", "demos.training", "--seconds", "3"], cwd=ROOT,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    last_line = result.stdout.strip().splitlines()[-1]
    match = re.search(r"val_loss=([0-9.]+)", last_line)
    assert match and 0 < float(match.group(1)) < 4.6
    assert "paso" in result.stderr  # el progreso va a la terminal


def test_cli_without_corpus_explains_in_spanish(tmp_path):
    env = {"TALLER_CORPUS": str(tmp_path / "nada.txt"), "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    result = subprocess.run([sys.executable, "-m", "demos.training", "--seconds", "1"], cwd=ROOT,
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

        from demos import corpus, training

        datos = training.prepare_data(corpus.load_text()[:200_000])
        modelo = training.new_model("live", datos.tokenizer.vocab_size)
        config = training.TrainConfig(seconds=None, max_steps=4, batch_size=4, eval_every=0.0, eval_batches=1,
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
    report = training.Progress(step=12_345, train_loss=2.0, val_loss=1.5, elapsed=31.6, sample="En un lugar")
    view = html.unescape(training.live_view([report]).text)
    assert "12.345" in view and "1,50" in view and "12,345" not in view
    config = training.TrainConfig(seconds=30)
    assert training.bar_subtitle(config, report) == "30 de 30 segundos · pérdida 1,50"  # no se pasa del total
    assert training.bar_subtitle(replace(config, seconds=None, max_steps=20_000), report) == (
        "12.345 de 20.000 pasos · pérdida 1,50")


def test_weight_heat_map_is_titled_in_spanish(pretrained):
    model, _ = pretrained
    page = html.unescape(training.weight_chart(model))
    assert "capa 1 · atención (q, k, v): un trozo de 96×96 de sus 576×192 números" in page
    assert "blocks." not in page and "c_attn" not in page
    assert training.spanish_weight_name("blocks.5.mlp.c_fc.weight") == "capa 6 · MLP (entrada)"


def test_sizes_are_written_in_spanish():
    assert training.human_count(844_300) == "844,3 mil"
    assert training.human_count(2_700_000) == "2,7 millones"
    assert training.human_count(124_000_000) == "124 millones"
    assert training.human_count(175_000_000_000) == "175 mil millones"
    assert training.human_count(999) == "999"


# ---------------------------------------------------------------- guardar un modelo entrenado


@pytest.mark.parametrize("preset", ["live", pytest.param("checkpoint", marks=pytest.mark.slow)])
def test_saving_leaves_no_partial_copy_and_documents_the_loss(preset, tmp_path, monkeypatch, quijote):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    small = training.prepare_data(quijote[:100_000])
    target = tmp_path / "modelos" / "m.pt"
    bundled_folder = set(CHECKPOINT.parent.iterdir())
    assert training.partial_path(target).is_relative_to(tmp_path / "cache")  # nunca junto a los modelos
    assert training.main(["--preset", preset, "--steps", "2", "--save", str(target)], data=small) == 0
    assert [p.name for p in target.parent.iterdir()] == ["m.pt"]
    assert not list(tmp_path.rglob("*.parcial.pt")), "quedó una copia parcial"
    assert set(CHECKPOINT.parent.iterdir()) == bundled_folder
    model, _, info = load_checkpoint(target)
    assert set(checkpoint_info()) <= set(info)  # las mismas claves que trae el modelo incluido
    assert info["val_loss_method"] == checkpoint_info()["val_loss_method"] and info["preset"] == preset
    consecutive = training.full_val_loss(model, small, max_chars=0, stride=model.context_length)
    assert info["val_loss_consecutive_windows"] == pytest.approx(consecutive, abs=0.02)  # pesos en float16


@pytest.mark.parametrize("where", ["carpeta", "dentro-de-un-archivo"])
def test_an_unwritable_destination_is_refused_before_training(where, tmp_path, capsys, data):
    blocker = tmp_path / "archivo.txt"
    blocker.write_text("no soy una carpeta")
    target = tmp_path if where == "carpeta" else blocker / "m.pt"
    assert training.main(["--steps", "1", "--save", str(target)], data=data) == 1
    error = capsys.readouterr().err
    assert "No puedo guardar el modelo" in error and "Entrenando" not in error


def test_saved_model_is_readable_by_everyone_like_any_file(tmp_path):
    """mkstemp crea archivos privados (0600): el modelo guardado debe quedar como cualquier archivo."""
    tokenizer = CharTokenizer(list("ab"))
    gpt = GPT(GPTConfig(vocab_size=2, context_length=8, n_layer=1, n_head=1, n_embd=8))
    target = tmp_path / "modelo.pt"
    training._save_atomically(target, gpt, tokenizer, {"val_loss": 1.0})
    assert target.stat().st_mode & 0o777 == 0o666 & ~training._umask()
    assert not list(tmp_path.glob(".guardando-*"))
