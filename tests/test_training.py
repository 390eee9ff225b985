"""Entrenamiento real (breve) con PyTorch: la pérdida baja, los callbacks llegan, la CLI funciona."""

from __future__ import annotations

import re
import subprocess
import sys
from dataclasses import replace

import pytest
import torch

from demos import training
from demos.model import GPT, GPTConfig, load_checkpoint, save_checkpoint
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
    config = replace(training.live_config(), seconds=None, max_steps=60, eval_every=0.0, sample_every=1e9,
                     warmup_steps=5)
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
    assert result.returncode == 1 and "No encontré el texto de El Quijote" in result.stderr
