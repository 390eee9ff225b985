"""El refinamiento: los datos con su máscara, un refinamiento de verdad (corto) y la terminal."""

import re
import subprocess
import sys

import pytest
import torch

from demos import chat_template
from demos.finetuning import measure, sft
from demos.model import load_pretrained
from demos.trainer import TrainConfig, train
from tests.conftest import ROOT


@pytest.fixture(scope="module")
def chat_data():
    _, tokenizer = sft.base_chat_model()
    return sft.prepare(tokenizer)


def test_batches_weigh_only_the_replies(chat_data):
    """En un lote, cada posición pesa 1 solo si lo que hay que adivinar es respuesta o su <|fin|>."""
    tokenizer = chat_data.tokenizer
    x, y, w = chat_data.batch(8, 128, torch.Generator().manual_seed(0))
    assert x.shape == y.shape == w.shape == (8, 128) and torch.equal(x[:, 1:], y[:, :-1])
    # repasar cada posición con la plantilla: ¿en qué turno está y?
    for row_y, row_w, row_x in zip(y.tolist(), w.tolist(), x.tolist(), strict=True):
        role = None
        for token, weight, previous in zip(row_y, row_w, [row_x[0], *row_y[:-1]], strict=True):
            if previous == tokenizer.user_id:
                role = "user"
            elif previous == tokenizer.assistant_id:
                role = "assistant"
            if token in (tokenizer.user_id, tokenizer.assistant_id):
                assert weight == 0  # las marcas que abren turno las pone el chat, no el modelo
            elif role == "user":
                assert weight == 0, "un carácter del usuario pesa en la pérdida"
            elif role == "assistant":
                assert weight == 1
            if token == tokenizer.end_id:
                role = None
    assert 0.3 < w.mean() < 0.9  # hay de las dos cosas


def test_a_short_real_finetune_lowers_the_reply_loss(chat_data):
    """Unos pasos de verdad con el ciclo de siempre: baja la pérdida en las respuestas que vio, y
    el QuijoteGPT incluido no se toca."""
    base, _ = load_pretrained()
    before_base = {k: v.clone() for k, v in base.state_dict().items()}
    model, _ = sft.base_chat_model()
    seen = measure.encoded_pairs(chat_data.dev[:8], chat_data.tokenizer)
    start = measure.reply_loss(model, seen)
    config = TrainConfig(max_steps=12, batch_size=8, lr=1e-3, warmup_steps=2, weight_decay=0.0,
                         eval_every=1e9, eval_batches=1, sample_every=1e9, sample_prompt="¿Quién eres?", seed=0)
    dev_only = sft.ChatData(chat_data.tokenizer, *_dev_strip(seen), chat_data.dev[:8], chat_data.test)
    last = train(model, dev_only, config)
    assert last.step == 12 and last.val_loss is not None
    assert measure.reply_loss(model, seen) < start - 0.05
    assert all(torch.equal(before_base[k], v) for k, v in base.state_dict().items())


def _dev_strip(pairs):
    ids = [i for conversation, _ in pairs for i in conversation]
    mask = [m for _, conversation_mask in pairs for m in conversation_mask]
    return torch.tensor(ids, dtype=torch.uint8), torch.tensor(mask, dtype=torch.uint8)


def test_the_live_recipe_schedules_by_steps():
    recipe = sft.live_recipe(30)
    assert recipe.train.seconds == 30 and recipe.train.max_steps == round(30 * sft.LIVE_STEPS_PER_SECOND)
    assert sft.PRESETS["incluido"].train.seconds is None  # el modelo incluido se reproduce por pasos


def test_the_bundled_chat_model_records_how_it_was_made():
    _, _, info = chat_template.load_chat_checkpoint()
    assert info["preset"] == "incluido" and info["special_tokens"] == list(chat_template.SPECIAL_TOKENS)
    assert info["stop_rate"] >= 0.95 and info["repeat_rate"] <= 0.05
    assert info["val_loss_after"] < info["val_loss_before"]


def test_repeat_detection():
    user = "¿Qué animal da leche y dice mu?"
    assert measure.repeats_user(user, "Qué animal da leche, preguntas; la vaca.")
    assert not measure.repeats_user(user, "La vaca, señor, que es animal manso.")
    assert not measure.repeats_user(user, "Mu.")


def test_the_data_command_prints_counts_and_three_examples():
    done = subprocess.run([sys.executable, "-m", "demos.finetuning", "--datos"], cwd=ROOT, capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "intercambios de prueba" in done.stdout and done.stdout.count("Ejemplo ") == 3


@pytest.mark.slow
def test_the_command_finetunes_and_prints_the_summary_last():
    done = subprocess.run([sys.executable, "-m", "demos.finetuning", "--pasos", "3", "--preguntas", "3"],
                          cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    last = done.stdout.strip().splitlines()[-1]
    assert re.fullmatch(r"stop_rate=\d\.\d\d val_loss_before=\d\.\d{3} val_loss_after=\d\.\d{3}", last), last


def test_wrong_options_get_a_spanish_message():
    done = subprocess.run([sys.executable, "-m", "demos.finetuning", "--segundos", "0"], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 2 and "mayor que 0" in done.stderr
