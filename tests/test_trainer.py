"""El ciclo de entrenamiento (``demos/trainer.py``), con PyTorch de verdad: la pérdida baja, la tasa de
aprendizaje sigue los pasos (no el reloj), los límites se respetan y guardar es seguro."""

from __future__ import annotations

import itertools
from dataclasses import replace

import pytest
import torch

from demos import trainer
from demos.model import GPT, GPTConfig, load_checkpoint, save_checkpoint
from demos.tokenizer import CharTokenizer


@pytest.fixture(scope="module")
def data(quijote):
    return trainer.prepare_data(quijote[:300_000])


class FakeClock:
    """Un reloj de mentira: cada vez que lo miran avanza ``tick`` segundos (nada de esperas de verdad)."""

    def __init__(self, tick: float):
        self.now, self.tick = 0.0, tick

    def __call__(self) -> float:
        self.now += self.tick
        return self.now


def test_batches_are_shifted_by_one(data):
    x, y = trainer.get_batch(data.train, 4, 16)
    assert x.shape == y.shape == (4, 16)
    assert torch.equal(x[:, 1:], y[:, :-1])


def test_lr_schedule_warms_up_and_decays_by_steps():
    config = trainer.TrainConfig(lr=1.0, warmup_steps=10, min_lr_ratio=0.1, max_steps=100)
    assert trainer.lr_at(config, 0) == pytest.approx(0.1)
    assert trainer.lr_at(config, 9) == pytest.approx(1.0)
    assert trainer.lr_at(config, 50) == pytest.approx(0.55)
    assert trainer.lr_at(config, 100) == pytest.approx(0.1) == trainer.lr_at(config, 500)
    after_warmup = [trainer.lr_at(config, step) for step in range(10, 101)]
    assert after_warmup == sorted(after_warmup, reverse=True), "después del calentamiento, solo baja"


def test_the_same_seed_and_steps_give_the_same_model_whatever_the_clock(data):
    """Un computador lento o uno rápido: si dan los mismos pasos, sale exactamente el mismo modelo."""
    weights = []
    for tick in (0.001, 0.5):  # un reloj que apenas avanza y otro que vuela (sin pasarse del límite)
        torch.manual_seed(0)
        model = trainer.new_model("live", data.tokenizer.vocab_size)
        config = replace(trainer.live_config(), max_steps=12, seconds=1e6, eval_every=1e9, sample_every=1e9,
                         eval_batches=1)
        last = trainer.train(model, data, config, clock=FakeClock(tick))
        assert last.step == 12
        weights.append(torch.cat([p.detach().flatten() for p in model.parameters()]))
    assert torch.equal(weights[0], weights[1])


def test_seconds_only_decide_when_to_stop(data):
    model = trainer.new_model("bigram", data.tokenizer.vocab_size)
    config = trainer.TrainConfig(max_steps=10_000, seconds=10.0, eval_every=1e9, sample_every=1e9, eval_batches=1)
    last = trainer.train(model, data, config, clock=FakeClock(1.0))  # cada mirada al reloj: un segundo
    assert 0 < last.step < 20 and last.elapsed >= 10.0


def test_short_training_lowers_loss_and_reports_progress(data):
    torch.manual_seed(0)
    model = trainer.new_model("live", data.tokenizer.vocab_size)
    config = replace(trainer.live_config(), seconds=None, max_steps=60, eval_every=0.0, eval_batches=2,
                     sample_every=1e9, warmup_steps=5)  # medir en cada paso: con 2 lotes basta
    seen = []
    last = trainer.train(model, data, config, [seen.append])
    assert seen[0].step == 0 and last.step == 60
    assert last.val_loss < seen[0].val_loss - 1.0  # de ~4,6 (azar) a bastante menos
    assert any(p.sample for p in seen) and all(p.elapsed >= 0 for p in seen)
    assert [p.step for p in seen] == sorted(p.step for p in seen)


def test_bigram_trains_with_the_same_loop(data):
    model = trainer.new_model("bigram", data.tokenizer.vocab_size)
    config = trainer.TrainConfig(max_steps=50, lr=1e-1, eval_every=0.0, sample_every=1e9)
    last = trainer.train(model, data, config)
    assert last.val_loss < 3.5


@pytest.mark.parametrize("limits", [dict(seconds=0), dict(seconds=-1), dict(max_steps=0), dict(max_steps=-5)])
def test_zero_or_negative_limits_end_at_once(data, limits):
    model = trainer.new_model("bigram", data.tokenizer.vocab_size)
    config = replace(trainer.TrainConfig(eval_batches=1, sample_every=1e9), **limits)
    guard = itertools.count()  # si el límite no funcionara, la prueba falla en vez de entrenar para siempre
    last = trainer.train(model, data, config, should_stop=lambda: next(guard) >= 50)
    assert last.step == 0 and last.val_loss is not None


def test_should_stop_ends_training_early(data):
    model = trainer.new_model("bigram", data.tokenizer.vocab_size)
    config = trainer.TrainConfig(max_steps=10_000, eval_every=1e9, sample_every=1e9)
    calls = iter(range(100))
    last = trainer.train(model, data, config, should_stop=lambda: next(calls) >= 5)
    assert last.step == 5


def test_the_training_step_fits_on_a_slide():
    """El paso de entrenamiento se muestra en la presentación: tiene que ser corto."""
    import inspect

    body = [line for line in inspect.getsource(trainer.train_step).splitlines() if line.strip()]
    assert len(body) <= 12, f"train_step tiene {len(body)} líneas"


def test_checkpoint_round_trip_is_safe(tmp_path, data):
    model = GPT(GPTConfig(vocab_size=data.tokenizer.vocab_size, context_length=16, n_layer=1, n_head=2, n_embd=16))
    path = save_checkpoint(tmp_path / "m.pt", model, data.tokenizer, {"val_loss": 1.5, "torch": torch.__version__})
    loaded, tokenizer, info = load_checkpoint(path)
    torch.load(path, weights_only=True)  # solo tensores y tipos simples
    assert tokenizer.chars == data.tokenizer.chars and info["val_loss"] == 1.5
    x = torch.randint(data.tokenizer.vocab_size, (1, 16))
    assert torch.allclose(loaded(x)[0], model(x)[0], atol=1e-2)  # pesos en float16


def test_full_val_loss_uses_consecutive_windows(data):
    model = trainer.new_model("bigram", data.tokenizer.vocab_size)
    loss = trainer.full_val_loss(model, data, max_chars=10_000)
    assert 3.0 < loss < 6.0  # un bigrama sin entrenar: cerca de ln(V) ≈ 4,6


def test_saved_model_is_readable_by_everyone_like_any_file(tmp_path):
    """mkstemp crea archivos privados (0600): el modelo guardado debe quedar como cualquier archivo."""
    tokenizer = CharTokenizer(list("ab"))
    gpt = GPT(GPTConfig(vocab_size=2, context_length=8, n_layer=1, n_head=1, n_embd=8))
    target = tmp_path / "modelo.pt"
    trainer.save_atomically(target, gpt, tokenizer, {"val_loss": 1.0})
    assert target.stat().st_mode & 0o777 == 0o666 & ~trainer._umask()
    assert not list(tmp_path.glob(".guardando-*"))


@pytest.mark.parametrize("masked", [False, True], ids=["libro", "respuestas"])
def test_a_batch_in_pieces_gives_the_same_loss_and_gradients(masked):
    """En trozos (menos memoria), la pérdida y los gradientes son los del lote entero."""
    torch.manual_seed(0)
    model = GPT(GPTConfig(vocab_size=12, context_length=8, n_layer=1, n_head=2, n_embd=16, alibi=True))
    x, y = torch.randint(12, (6, 8)), torch.randint(12, (6, 8))
    batch = (x, y, (torch.rand(6, 8) > 0.5).float()) if masked else (x, y)
    found = []
    for pieces in (1, 3, 6):
        model.zero_grad()
        loss = sum(trainer.backward(model, part, share) for part, share in trainer.split_batch(batch, pieces))
        found.append((loss, [p.grad.clone() for p in model.parameters()]))
    whole_loss, whole_grads = found[0]
    assert whole_loss == pytest.approx(trainer.batch_loss(model, batch).item(), rel=1e-6)
    for loss, grads in found[1:]:
        assert loss == pytest.approx(whole_loss, rel=1e-6)
        assert all(torch.allclose(a, b, atol=1e-6) for a, b in zip(grads, whole_grads, strict=True))
