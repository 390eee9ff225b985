"""Escribir rápido: la caché KV, el paso rápido (comparado con el modelo de referencia) y la ventana."""

from __future__ import annotations

import warnings
from dataclasses import asdict

import pytest
import torch

from demos import decoding
from demos.decoding import (
    FastStep,
    Generator,
    continue_text,
    next_token_distribution,
    stream,
    top_predictions,
)
from demos.model import ACTIVATIONS, GPT, GPTConfig, attention_bias
from tests.conftest import TINY_CHARS as CHARS


def banded_logits(model, ids: list[int]) -> torch.Tensor:
    """Referencia de la caché deslizante: todo el texto de una pasada, y cada carácter mira solo
    a los últimos ``context_length`` (él incluido). Con ALiBi es lo que calcula la caché que se desliza."""
    config, x = model.config, model.wte(torch.tensor([ids]))
    N, ctx = len(ids), config.context_length
    long_bias = attention_bias(GPTConfig(**{**asdict(config), "context_length": N}))  # (nh, N, N)
    distance = torch.arange(N).view(-1, 1) - torch.arange(N).view(1, -1)
    bias = long_bias.masked_fill(distance >= ctx, float("-inf"))
    for block in model.blocks:
        attn, h = block.attn, block.ln_1(x)
        q, k, v = (t.view(1, N, attn.n_head, -1).transpose(1, 2) for t in attn.c_attn(h).split(config.n_embd, 2))
        weights = ((q @ k.transpose(-2, -1)) * k.size(-1) ** -0.5 + bias).softmax(-1)
        x = x + attn.c_proj((weights @ v).transpose(1, 2).reshape(1, N, -1))
        x = x + block.mlp(block.ln_2(x))
    return model.lm_head(model.ln_f(x))[0, -1]


@torch.no_grad()
def test_exact_generator_sees_exactly_its_window(tiny_gpt, tiny_tokenizer):
    """``exact=True``: cada paso da lo mismo que el modelo con los últimos ``context_length`` caracteres."""
    gen = Generator(tiny_gpt, tiny_tokenizer, "hola que", exact=True)
    rng = torch.Generator().manual_seed(0)
    for _ in range(40):  # más que el contexto (16)
        gen.append(gen.sample(generator=rng))
        full = tiny_gpt(torch.tensor([gen.ids[-tiny_gpt.context_length :]]))[0][0, -1]
        assert torch.allclose(full, gen.logits, atol=1e-5)


@torch.no_grad()
def test_streaming_cache_matches_its_reference(tiny_gpt, tiny_tokenizer):
    """Sin ``exact``: dentro del contexto, igual al modelo completo; después, ALiBi desliza la caché
    (igual a la referencia con banda) y las posiciones aprendidas rehacen la ventana con la mitad final."""
    gen = Generator(tiny_gpt, tiny_tokenizer, "hola que")
    rng = torch.Generator().manual_seed(0)
    ctx = tiny_gpt.context_length
    for _ in range(40):
        gen.append(gen.sample(generator=rng))
        if len(gen.ids) <= ctx:
            expected = tiny_gpt(torch.tensor([gen.ids]))[0][0, -1]
        elif tiny_gpt.config.alibi:
            expected = banded_logits(tiny_gpt, gen.ids)
        else:
            expected = tiny_gpt(torch.tensor([gen.ids[-gen.position :]]))[0][0, -1]
        assert torch.allclose(expected, gen.logits, atol=1e-5)
    assert gen.caches[0].length <= ctx


@pytest.mark.parametrize("activation", sorted(ACTIVATIONS))
@pytest.mark.parametrize("alibi", [False, True], ids=["posiciones-aprendidas", "alibi"])
@torch.inference_mode()
def test_the_fast_step_matches_the_reference_for_every_activation(activation, alibi):
    """Cada activación que la configuración acepta: el paso rápido da lo mismo que ``model(idx)``."""
    torch.manual_seed(3)
    model = GPT(GPTConfig(vocab_size=len(CHARS), context_length=16, n_layer=2, n_head=2, n_embd=32,
                          alibi=alibi, activation=activation)).eval()
    ids = torch.randint(len(CHARS), (12,))
    reference = model(ids.view(1, -1))[0][0]  # (12, V)
    fast = decoding.fast_logits(model, FastStep(model), ids)
    assert torch.allclose(fast, reference, atol=1e-5)
    assert decoding.fast_step_for(model) is not None


def test_an_activation_the_fast_step_does_not_know_is_refused_clearly(monkeypatch, tiny_tokenizer):
    model = GPT(GPTConfig(vocab_size=len(CHARS), context_length=16, n_layer=1, n_head=2, n_embd=16)).eval()
    monkeypatch.setattr(FastStep, "ACTIVATIONS", ("relu",))  # como si GELU fuera nueva para el paso rápido
    with pytest.raises(ValueError, match="el paso rápido no sabe hacer la activación «gelu»"):
        FastStep(model)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        text = continue_text(model, tiny_tokenizer, "hola", 8, temperature=0)
    assert len(text) == 8 and any("modelo completo" in str(w.message) for w in caught)


@torch.no_grad()
def test_a_changed_model_falls_back_to_the_reference_instead_of_disagreeing(tiny_tokenizer):
    """Si alguien cambia la cuenta del MLP en el código (no en la configuración), el paso rápido ya no
    calza: se escribe con el modelo completo, y lo escrito es lo que el modelo de verdad predice."""
    torch.manual_seed(5)
    model = GPT(GPTConfig(vocab_size=len(CHARS), context_length=16, n_layer=2, n_head=2, n_embd=32,
                          alibi=True)).eval()
    for block in model.blocks:
        block.mlp.act = torch.tanh  # una activación que la configuración no conoce
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert decoding.fast_step_for(model) is None
    assert any("no da lo mismo" in str(w.message) for w in caught)
    gen = Generator(model, tiny_tokenizer, "hola")
    for _ in range(20):
        gen.append(int(gen.logits.argmax()))
        assert torch.allclose(gen.logits, model(torch.tensor([gen.window()]))[0][0, -1], atol=1e-5)


def test_generation_is_deterministic_with_seed(tiny_gpt, tiny_tokenizer):
    a = continue_text(tiny_gpt, tiny_tokenizer, "en un", 30, temperature=1.0, seed=7)
    b = continue_text(tiny_gpt, tiny_tokenizer, "en un", 30, temperature=1.0, seed=7)
    assert a == b and len(a) == 30


@pytest.mark.parametrize("prompt", ["", "x" * 5000, "😀‍👩\u202e\x00\x07"])
@pytest.mark.parametrize("temperature", [0, 1e9, 0.8])
def test_bad_input_never_raises(tiny_gpt, tiny_tokenizer, prompt, temperature):
    text = "".join(stream(tiny_gpt, tiny_tokenizer, prompt, 20, temperature=temperature, top_k=10_000, top_p=0.9))
    assert len(text) == 20
    probs = next_token_distribution(tiny_gpt, tiny_tokenizer, prompt, temperature=temperature)
    assert probs.sum().item() == pytest.approx(1.0, abs=1e-5)


def test_greedy_generation_follows_argmax(tiny_gpt, tiny_tokenizer):
    best = top_predictions(tiny_gpt, tiny_tokenizer, "hola", k=1)[0][0]
    assert continue_text(tiny_gpt, tiny_tokenizer, "hola", 1, temperature=0) == best


def test_the_fast_path_writes_what_the_reference_writes(tiny_gpt, tiny_tokenizer):
    """A temperatura 0, dentro de la ventana, el camino rápido y ``model.generate`` escriben lo mismo."""
    from demos.model import generate

    prompt = "hola que"  # 8 caracteres + 8 nuevos = 16: cabe justo en la ventana
    idx = torch.tensor([tiny_tokenizer.encode(prompt)])
    reference = tiny_tokenizer.decode(generate(tiny_gpt, idx, 8, temperature=0)[0, idx.size(1):].tolist())
    assert continue_text(tiny_gpt, tiny_tokenizer, prompt, 8, temperature=0) == reference
