"""El modelo: formas, tokenizador, la ventana, la manera más simple de escribir y guardar/cargar."""

from __future__ import annotations

import math

import pytest
import torch

from demos.model import GPT, BigramLM, ContextTooLong, GPTConfig, generate
from demos.tokenizer import CharTokenizer


def test_tokenizer_round_trip_and_seed_example(tiny_tokenizer):
    assert tiny_tokenizer.decode(tiny_tokenizer.encode("hola don quijote")) == "hola don quijote"
    seeds = CharTokenizer(sorted(set("Hola Don, el de la Mancha")))
    assert seeds.encode("Hola Don") == [seeds.stoi[c] for c in "Hola Don"]


def test_tokenizer_normalizes_nfd_and_replaces_unknown(tiny_tokenizer):
    nfd = "a\u0301"  # «á» escrita como «a» + tilde combinable, como en el archivo del corpus
    assert tiny_tokenizer.encode(nfd) == tiny_tokenizer.encode("á")
    assert tiny_tokenizer.decode(tiny_tokenizer.encode("ç")) == "c"  # sin cedilla en el vocabulario → «c»
    assert tiny_tokenizer.decode(tiny_tokenizer.encode("K")) == "k"  # mayúscula desconocida → minúscula
    assert tiny_tokenizer.decode(tiny_tokenizer.encode("😀\x00")) == "  "
    assert tiny_tokenizer.unknown_chars("😀ça") == ["ç", "😀"]


def test_encode_tensor_matches_encode(tiny_tokenizer):
    text = "¿qué es esto? una prueba, con ñ y á." * 20
    assert tiny_tokenizer.encode_tensor(text).tolist() == tiny_tokenizer.encode(text)
    assert tiny_tokenizer.encode_tensor("").tolist() == []
    assert tiny_tokenizer.encode_tensor("k😀").tolist() == tiny_tokenizer.encode("k😀")


def test_gpt_shapes(tiny_gpt, tiny_tokenizer):
    idx = torch.randint(tiny_tokenizer.vocab_size, (3, 16))
    logits, loss = tiny_gpt(idx)
    assert logits.shape == (3, 16, tiny_tokenizer.vocab_size) and loss is None
    _, loss = tiny_gpt(idx, idx)
    assert loss.item() == pytest.approx(math.log(tiny_tokenizer.vocab_size), rel=0.1)  # al azar: ~ln(V)


def test_bigram_shapes():
    model = BigramLM(10)
    logits, loss = model(torch.zeros(2, 5, dtype=torch.long), torch.zeros(2, 5, dtype=torch.long))
    assert logits.shape == (2, 5, 10) and loss.ndim == 0


def test_more_text_than_the_window_is_a_clear_spanish_error(tiny_gpt):
    with pytest.raises(ContextTooLong) as error:
        tiny_gpt(torch.zeros(1, 17, dtype=torch.long))
    message = str(error.value)
    assert "como máximo 16 caracteres" in message and "le llegaron 17" in message and "idx[:, -16:]" in message


def test_an_unknown_activation_is_refused_in_spanish():
    with pytest.raises(ValueError, match="activación «tanh» desconocida"):
        GPT(GPTConfig(vocab_size=5, context_length=4, n_layer=1, n_head=1, n_embd=8, activation="tanh"))


def test_the_forward_pass_has_no_slide_hooks(tiny_gpt):
    """Contar llamadas es cosa de quien mira desde afuera (un gancho de torch), no del modelo."""
    assert not hasattr(tiny_gpt, "call_listeners")
    calls = []
    hook = tiny_gpt.register_forward_hook(lambda *_: calls.append(1))
    generate(tiny_gpt, torch.zeros(1, 3, dtype=torch.long), 5, temperature=0)
    hook.remove()
    assert len(calls) == 5, "la manera simple llama al modelo una vez por carácter nuevo"


def test_reference_generate_is_greedy_at_temperature_zero_and_crops_the_window(tiny_gpt):
    idx = torch.zeros(1, 3, dtype=torch.long)
    out = generate(tiny_gpt, idx, 30, temperature=0)  # 33 > 16: tiene que recortar a la ventana cada vez
    assert out.shape == (1, 33) and torch.equal(out[:, :3], idx)
    expected = tiny_gpt(out[:, 16:32])[0][0, -1].argmax()  # el último: lo que ve su ventana, el más probable
    assert out[0, -1] == expected


def test_reference_generate_follows_top_k_and_the_seed(tiny_gpt):
    idx = torch.zeros(1, 2, dtype=torch.long)
    a = generate(tiny_gpt, idx, 10, top_k=1, generator=torch.Generator().manual_seed(1))
    assert torch.equal(a, generate(tiny_gpt, idx, 10, temperature=0)), "top-k = 1 es elegir el más probable"
    b = generate(tiny_gpt, idx, 10, generator=torch.Generator().manual_seed(7))
    assert torch.equal(b, generate(tiny_gpt, idx, 10, generator=torch.Generator().manual_seed(7)))
