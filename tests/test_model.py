"""El modelo: formas, tokenizador, muestreo, caché KV y entradas raras."""

from __future__ import annotations

import math
from dataclasses import asdict

import pytest
import torch

from demos.model import (
    GPT,
    BigramLM,
    CharTokenizer,
    Generator,
    GPTConfig,
    _attention_bias,
    draw,
    generate,
    next_token_distribution,
    probabilities,
    stream,
    top_predictions,
)

CHARS = list("\n !,.¿?abcdefghijklmnopqrstuvwxyzáéíñóú") + ["A", "D", "E", "Q"]


@pytest.fixture(scope="module")
def tokenizer():
    return CharTokenizer(CHARS)


@pytest.fixture(scope="module", params=[False, True], ids=["posiciones-aprendidas", "alibi"])
def tiny_gpt(request, tokenizer):
    torch.manual_seed(0)
    config = GPTConfig(vocab_size=tokenizer.vocab_size, context_length=16, n_layer=2, n_head=2, n_embd=32,
                       alibi=request.param)
    return GPT(config).eval()


def test_tokenizer_round_trip_and_seed_example(tokenizer):
    assert tokenizer.decode(tokenizer.encode("hola don quijote")) == "hola don quijote"
    seeds = CharTokenizer(sorted(set("Hola Don, el de la Mancha")))
    assert seeds.encode("Hola Don") == [seeds.stoi[c] for c in "Hola Don"]


def test_tokenizer_normalizes_nfd_and_replaces_unknown(tokenizer):
    nfd = "a\u0301"  # «á» escrita como «a» + tilde combinable, como en el archivo del corpus
    assert tokenizer.encode(nfd) == tokenizer.encode("á")
    assert tokenizer.decode(tokenizer.encode("ç")) == "c"  # sin cedilla en el vocabulario → «c»
    assert tokenizer.decode(tokenizer.encode("K")) == "k"  # mayúscula desconocida → minúscula
    assert tokenizer.decode(tokenizer.encode("😀\x00")) == "  "
    assert tokenizer.unknown_chars("😀ça") == ["ç", "😀"]


def test_encode_tensor_matches_encode(tokenizer):
    text = "¿qué es esto? una prueba, con ñ y á." * 20
    assert tokenizer.encode_tensor(text).tolist() == tokenizer.encode(text)
    assert tokenizer.encode_tensor("").tolist() == []
    assert tokenizer.encode_tensor("k😀").tolist() == tokenizer.encode("k😀")


def test_gpt_shapes(tiny_gpt, tokenizer):
    idx = torch.randint(tokenizer.vocab_size, (3, 16))
    logits, loss = tiny_gpt(idx)
    assert logits.shape == (3, 16, tokenizer.vocab_size) and loss is None
    _, loss = tiny_gpt(idx, idx)
    assert loss.item() == pytest.approx(math.log(tokenizer.vocab_size), rel=0.1)  # al azar: ~ln(V)


def test_bigram_shapes():
    model = BigramLM(10)
    logits, loss = model(torch.zeros(2, 5, dtype=torch.long), torch.zeros(2, 5, dtype=torch.long))
    assert logits.shape == (2, 5, 10) and loss.ndim == 0


def banded_logits(model, ids: list[int]) -> torch.Tensor:
    """Referencia de la caché deslizante: todo el texto de una pasada, y cada carácter mira solo
    a los últimos ``context_length`` (él incluido). Con ALiBi es lo que calcula la caché que se desliza."""
    config, x = model.config, model.wte(torch.tensor([ids]))
    N, ctx = len(ids), config.context_length
    long_bias = _attention_bias(GPTConfig(**{**asdict(config), "context_length": N}))  # (nh, N, N)
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
def test_exact_generator_sees_exactly_its_window(tiny_gpt, tokenizer):
    """``exact=True``: cada paso da lo mismo que el modelo con los últimos ``context_length`` caracteres."""
    gen = Generator(tiny_gpt, tokenizer, "hola que", exact=True)
    rng = torch.Generator().manual_seed(0)
    for _ in range(40):  # más que el contexto (16)
        gen.append(gen.sample(generator=rng))
        full = tiny_gpt(torch.tensor([gen.ids[-tiny_gpt.context_length :]]))[0][0, -1]
        assert torch.allclose(full, gen._logits, atol=1e-5)


@torch.no_grad()
def test_streaming_cache_matches_its_reference(tiny_gpt, tokenizer):
    """Sin ``exact``: dentro del contexto, igual al modelo completo; después, ALiBi desliza la caché
    (igual a la referencia con banda) y las posiciones aprendidas rehacen la ventana con la mitad final."""
    gen = Generator(tiny_gpt, tokenizer, "hola que")
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
        assert torch.allclose(expected, gen._logits, atol=1e-5)
    assert gen.caches[0].length <= ctx


def test_attention_maps_are_causal_distributions(tiny_gpt, tokenizer):
    maps = tiny_gpt.attention_maps(torch.tensor([tokenizer.encode("en un lugar de")]))
    assert maps.shape == (2, 1, 2, 14, 14)
    assert torch.allclose(maps.sum(-1), torch.ones(2, 1, 2, 14))
    assert maps.triu(1).abs().max() == 0


def test_probabilities_temperature_limits():
    logits = torch.tensor([2.0, 1.0, 0.5, -1.0])
    assert probabilities(logits, 1.0).sum().item() == pytest.approx(1.0)
    assert probabilities(logits, 0).tolist() == [1.0, 0.0, 0.0, 0.0]
    hot = probabilities(logits, 1e6)
    assert torch.allclose(hot, torch.full((4,), 0.25), atol=1e-4)
    assert probabilities(logits, float("inf")).tolist() == [0.25] * 4
    assert probabilities(logits, float("nan")).sum().item() == pytest.approx(1.0)
    assert probabilities(logits, -3).tolist() == [1.0, 0.0, 0.0, 0.0]


def test_top_k_and_top_p():
    logits = torch.tensor([3.0, 2.0, 1.0, 0.0])
    assert (probabilities(logits, 1.0, top_k=2) > 0).tolist() == [True, True, False, False]
    assert (probabilities(logits, 1.0, top_k=999) > 0).all()  # k mayor que el vocabulario: sin corte
    assert probabilities(logits, 1.0, top_p=0.0).tolist() == [1.0, 0.0, 0.0, 0.0]
    assert (probabilities(logits, 1.0, top_p=1.0) > 0).all()
    p = probabilities(logits, 1.0, top_p=0.8)
    assert p.sum().item() == pytest.approx(1.0) and (p > 0).sum() == 2


@pytest.mark.parametrize("temperature", [1e-4, 1e-20, 1e-40, 1e-45, 5e-324])
def test_tiny_positive_temperature_is_greedy_not_nan(temperature):
    logits = torch.tensor([20.0, 19.5, -3.0, 0.0])
    probs = probabilities(logits, temperature)
    assert not probs.isnan().any() and probs.tolist() == [1.0, 0.0, 0.0, 0.0]


def test_top_k_keeps_exactly_k_even_with_ties():
    logits = torch.tensor([2.0, 1.0, 1.0, 1.0, 0.0])
    assert (probabilities(logits, 1.0, top_k=2) > 0).sum() == 2
    assert (probabilities(logits, float("inf"), top_k=1) > 0).sum() == 1


@pytest.mark.parametrize("odd", [float("nan"), "tres", None, float("inf"), -5, 2.7, [1]])
def test_odd_top_k_and_top_p_never_raise(odd):
    logits = torch.tensor([3.0, 2.0, 1.0, 0.0])
    for probs in (probabilities(logits, 1.0, top_k=odd), probabilities(logits, 1.0, top_p=odd),
                  probabilities(logits, odd, top_k=odd, top_p=odd)):
        assert probs.sum().item() == pytest.approx(1.0) and not probs.isnan().any()


def test_draw_follows_the_distribution_and_never_picks_zero():
    probs = torch.tensor([0.5, 0.0, 0.3, 0.0, 0.2])
    rng = torch.Generator().manual_seed(0)
    counts = [0] * 5
    for _ in range(20_000):
        counts[draw(probs, rng)] += 1
    assert counts[1] == counts[3] == 0
    for i in (0, 2, 4):  # ±3 desviaciones estándar de una binomial con n = 20.000
        expected = 20_000 * probs[i].item()
        assert abs(counts[i] - expected) < 3 * math.sqrt(expected * (1 - probs[i].item()))
    assert draw(torch.tensor([0.0, 0.0, 1.0]), rng) == 2 and draw(torch.tensor([1.0, 0.0]), rng) == 0


def test_generation_is_deterministic_with_seed(tiny_gpt, tokenizer):
    a = generate(tiny_gpt, tokenizer, "en un", 30, temperature=1.0, seed=7)
    b = generate(tiny_gpt, tokenizer, "en un", 30, temperature=1.0, seed=7)
    assert a == b and len(a) == 30


@pytest.mark.parametrize("prompt", ["", "x" * 5000, "😀‍👩\u202e\x00\x07"])
@pytest.mark.parametrize("temperature", [0, 1e9, 0.8])
def test_bad_input_never_raises(tiny_gpt, tokenizer, prompt, temperature):
    text = "".join(stream(tiny_gpt, tokenizer, prompt, 20, temperature=temperature, top_k=10_000, top_p=0.9))
    assert len(text) == 20
    probs = next_token_distribution(tiny_gpt, tokenizer, prompt, temperature=temperature)
    assert probs.sum().item() == pytest.approx(1.0, abs=1e-5)


def test_greedy_generation_follows_argmax(tiny_gpt, tokenizer):
    best = top_predictions(tiny_gpt, tokenizer, "hola", k=1)[0][0]
    assert generate(tiny_gpt, tokenizer, "hola", 1, temperature=0) == best
