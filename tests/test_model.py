"""El modelo: formas, tokenizador, muestreo, caché KV y entradas raras."""

from __future__ import annotations

import math

import pytest
import torch

from demos.model import (
    GPT,
    BigramLM,
    CharTokenizer,
    Generator,
    GPTConfig,
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


def test_kv_cache_matches_full_recompute(tiny_gpt, tokenizer):
    gen = Generator(tiny_gpt, tokenizer, "hola que")
    rng = torch.Generator().manual_seed(0)
    for _ in range(40):  # más que el contexto: obliga a rehacer la ventana
        gen.append(gen.sample(generator=rng))
        window = gen.ids[-gen.position:]
        full = tiny_gpt(torch.tensor([window]))[0][0, -1]
        assert torch.allclose(full, gen._logits, atol=1e-5)


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
