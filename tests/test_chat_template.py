"""La plantilla de chat: ida y vuelta, máscara de pérdida, modelo extendido y respuestas que se detienen."""

import torch

from demos import chat_template
from demos.chat_template import ASSISTANT, END, USER, ChatTokenizer
from demos.model import GPT, GPTConfig, load_pretrained
from demos.tokenizer import CharTokenizer
from demos.trainer import masked_loss

MESSAGES = [
    {"role": "user", "content": "Hola, ¿quién eres?"},
    {"role": "assistant", "content": "Soy don Quijote de la Mancha."},
    {"role": "user", "content": "¿Y Sancho?"},
    {"role": "assistant", "content": "Mi escudero."},
]
BASE_CHARS = sorted(set("".join(m["content"] for m in MESSAGES) + "\n<–ab"))
HOLA = [{"role": "user", "content": "hola"}]


def chat_tokenizer():
    return ChatTokenizer(BASE_CHARS)


def test_special_tokens_go_after_the_old_vocabulary():
    tokenizer = chat_tokenizer()
    assert tokenizer.chars[: len(BASE_CHARS)] == BASE_CHARS
    assert tokenizer.chars[len(BASE_CHARS) :] == [USER, ASSISTANT, END]
    assert tokenizer.encode("Hola") == CharTokenizer(BASE_CHARS).encode("Hola")


def test_the_bundled_models_share_the_old_ids():
    """QuijoteChat agrega sus tres marcas al final: los 99 caracteres de QuijoteGPT no cambian de id."""
    _, base = load_pretrained()
    _, chat = chat_template.load_chat()
    assert chat.chars[: base.vocab_size] == base.chars and chat.vocab_size == base.vocab_size + 3


def test_render_writes_the_exact_template():
    text = chat_template.render(MESSAGES[:2], add_generation_prompt=False)
    assert text == "<|usuario|>Hola, ¿quién eres?<|fin|><|asistente|>Soy don Quijote de la Mancha.<|fin|>"
    assert chat_template.render(MESSAGES[:1], add_generation_prompt=True).endswith("<|fin|><|asistente|>")


def test_round_trip_messages_ids_messages():
    tokenizer = chat_tokenizer()
    ids, _ = chat_template.encode(MESSAGES, tokenizer)
    assert chat_template.parse(ids, tokenizer) == MESSAGES
    assert chat_template.decode(ids, tokenizer) == chat_template.render(MESSAGES)


def test_system_messages_are_left_out():
    with_system = [{"role": "system", "content": "Sé breve."}, *MESSAGES]
    assert chat_template.render(with_system) == chat_template.render(MESSAGES)


def test_literal_marker_in_user_text_is_not_a_special_token():
    tokenizer = chat_tokenizer()
    ids, _ = chat_template.encode([{"role": "user", "content": "a<|usuario|>b<|fin|>"}], tokenizer)
    assert ids.count(tokenizer.user_id) == 1  # solo la marca que abre el turno
    assert ids.count(tokenizer.end_id) == 1  # solo la que lo cierra
    assert chat_template.parse(ids, tokenizer)[0]["role"] == "user"


def test_mask_covers_only_the_replies_and_their_end():
    tokenizer = chat_tokenizer()
    ids, mask = chat_template.encode(MESSAGES[:2], tokenizer)
    marked = "".join(tokenizer.itos[i] for i, m in zip(ids, mask, strict=True) if m)
    assert marked == "Soy don Quijote de la Mancha." + END


def test_user_tokens_weigh_zero_in_the_loss():
    tokenizer = chat_tokenizer()
    ids, mask = chat_template.encode(MESSAGES, tokenizer)
    y = torch.tensor([ids[1:]])
    w = torch.tensor([mask[1:]], dtype=torch.float32)
    logits = torch.randn(1, len(ids) - 1, tokenizer.vocab_size)
    loss = masked_loss(logits, y, w)
    changed = logits.clone()
    changed[w == 0] += 100 * torch.randn_like(changed[w == 0])  # lo que «predice» el turno del usuario
    assert torch.equal(masked_loss(changed, y, w), loss)
    changed[w == 1] += torch.randn_like(changed[w == 1])  # y la respuesta sí importa
    assert not torch.equal(masked_loss(changed, y, w), loss)


def test_extended_model_keeps_the_old_predictions():
    tokenizer = CharTokenizer(BASE_CHARS)
    base = GPT(GPTConfig(vocab_size=len(BASE_CHARS), context_length=16, n_layer=1, n_head=2, n_embd=16, alibi=True))
    extended, chat = chat_template.extend_model(base, tokenizer)
    assert extended.config.vocab_size == len(BASE_CHARS) + 3
    idx = torch.tensor([tokenizer.encode("Hola, Sancho")])
    old, new = base(idx)[0], extended(idx)[0]
    assert torch.allclose(old, new[..., : len(BASE_CHARS)])
    assert torch.allclose(new[..., chat.end_id], old[..., tokenizer.stoi["\n"]])  # <|fin|> empieza como un salto
    assert (new[..., chat.user_id] < old.min() - 5).all()  # y nunca escribe marcas de turno


# ---------------------------------------------------------------- respuestas que se detienen

CHARS = list("\n abcdefghijklmnopqrstuvwxyz.,")


def rigged_model(tokenizer, favourite: str, runner_up: str | None = None):
    """Un GPT que (casi) siempre elige ``favourite``: pesos de salida en cero y un sesgo enorme."""
    model = GPT(GPTConfig(vocab_size=tokenizer.vocab_size, context_length=16, n_layer=1, n_head=2,
                          n_embd=16, alibi=True))
    with torch.no_grad():
        model.lm_head.weight.zero_()
        model.lm_head.bias.fill_(-50.0)
        model.lm_head.bias[tokenizer.stoi[favourite]] = 50.0
        if runner_up is not None:
            model.lm_head.bias[tokenizer.stoi[runner_up]] = 40.0
    return model.eval()


def test_generation_stops_at_end_of_turn():
    tokenizer = ChatTokenizer(CHARS)
    assert chat_template.reply(rigged_model(tokenizer, END), tokenizer, HOLA, seed=0) == ("", True)


def test_generation_without_end_of_turn_is_cut_and_reported():
    tokenizer = ChatTokenizer(CHARS)
    text, ended = chat_template.reply(rigged_model(tokenizer, "a"), tokenizer, HOLA, max_chars=50, seed=0)
    assert text == "a" * 50 and not ended


def test_turn_markers_are_never_written():
    tokenizer = ChatTokenizer(CHARS)
    model = rigged_model(tokenizer, USER, runner_up=END)
    assert chat_template.reply(model, tokenizer, HOLA, seed=0) == ("", True)


def test_a_conversation_longer_than_the_window_still_gets_a_reply():
    tokenizer = ChatTokenizer(CHARS)
    long = [{"role": "user", "content": "abc " * 100}]  # 400 caracteres en una ventana de 16
    text, ended = chat_template.reply(rigged_model(tokenizer, "b", runner_up=END), tokenizer, long, 20, seed=0)
    assert text == "b" * 20 and not ended


def test_bundled_quijote_chat_answers_and_stops_by_itself():
    model, tokenizer = chat_template.load_chat()
    endings = [chat_template.reply(model, tokenizer, [{"role": "user", "content": q}], seed=s)[1]
               for s, q in enumerate(["Hola, ¿quién eres?", "¿Qué comes, Sancho?", "¿Adónde vamos?"])]
    assert sum(endings) >= 2, endings
