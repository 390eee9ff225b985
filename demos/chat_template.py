"""La plantilla de chat: cómo se escribe una conversación para que el modelo sepa quién habla.

Un modelo de lenguaje solo continúa texto. Para que converse le enseñamos un formato con
tres tokens nuevos, que no son letras sino marcas:

    <|usuario|>Hola, ¿quién eres?<|fin|><|asistente|>Soy un hidalgo de la Mancha.<|fin|>

- ``<|usuario|>`` abre el turno de la persona y ``<|asistente|>`` el del modelo;
- ``<|fin|>`` cierra cada turno: cuando el modelo lo escribe, dejó de hablar y el chat se detiene.

Cada marca es UN solo token (un id), con el que no se puede escribir ninguna letra: si alguien
escribe «<|usuario|>» en su mensaje, el modelo ve los caracteres «<», «|», «u»…, no la marca.

Los tokens nuevos se agregan AL FINAL del vocabulario de 99 caracteres: los ids viejos no
cambian y QuijoteGPT se sigue cargando igual que antes.

Sin turno de sistema: el modelo nunca vio uno (en el libro no hay instrucciones de sistema) y
en una ventana de 128 caracteres un mensaje de sistema empujaría fuera la pregunta misma.
Los mensajes con ``role: "system"`` se omiten al armar el texto (``render`` y ``encode``).

``stream_reply`` escribe la respuesta del asistente carácter a carácter y se detiene cuando el
modelo escribe ``<|fin|>``; ``load_chat`` carga QuijoteChat, el modelo refinado que viene incluido.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import torch

from demos.decoding import Generator
from demos.model import GPT, GPTConfig, load_checkpoint, load_pretrained
from demos.sampling import draw, probabilities
from demos.tokenizer import CharTokenizer

CHAT_CHECKPOINT = Path(__file__).parent / "checkpoints" / "quijote_chat.pt"
MAX_REPLY_CHARS = 400  # una respuesta que no cerró su turno en 400 caracteres se corta ahí

USER = "<|usuario|>"
ASSISTANT = "<|asistente|>"
END = "<|fin|>"
SPECIAL_TOKENS = (USER, ASSISTANT, END)
ROLE_TOKENS = {"user": USER, "assistant": ASSISTANT}
IGNORED_ROLES = ("system",)  # el modelo no sabe qué hacer con ellos: se omiten

# Con qué carácter del libro empieza cada token nuevo (su «pariente» más cercano): en el libro
# un parlamento empieza con raya y termina en un salto de línea. Así, antes de refinar, el
# modelo ya lee la plantilla como un diálogo del libro y no como ruido.
KIN = {USER: "–", ASSISTANT: "–", END: "\n"}


class ChatTokenizer(CharTokenizer):
    """El tokenizador de caracteres más los tokens especiales, agregados al final."""

    def __init__(self, chars: list[str]):
        chars = list(chars)
        base = [c for c in chars if c not in SPECIAL_TOKENS]
        super().__init__(base + list(SPECIAL_TOKENS))
        # al codificar texto, solo se usan caracteres: una marca nunca sale de un texto escrito
        self.text_chars = len(base)
        self.user_id, self.assistant_id, self.end_id = (self.stoi[t] for t in SPECIAL_TOKENS)

    @classmethod
    def extending(cls, tokenizer: CharTokenizer) -> ChatTokenizer:
        return cls(tokenizer.chars)

    @property
    def special_ids(self) -> tuple[int, ...]:
        return self.user_id, self.assistant_id, self.end_id

    def encode_tensor(self, text: str) -> torch.Tensor:
        """Texto largo (el libro) a ids: solo caracteres, con los mismos ids que el modelo base."""
        return CharTokenizer(self.chars[: self.text_chars]).encode_tensor(text)


def is_chat_vocabulary(chars: list[str]) -> bool:
    """¿Es el vocabulario de un modelo ya refinado (con las marcas al final)?"""
    return list(chars[-len(SPECIAL_TOKENS):]) == list(SPECIAL_TOKENS)


# ---------------------------------------------------------------- mensajes ↔ texto ↔ ids


def _turns(messages) -> list[tuple[str, str]]:
    """(rol, texto) de los mensajes que entran en la plantilla; un rol desconocido es un error."""
    turns = []
    for message in messages:
        role = message["role"]
        if role in IGNORED_ROLES:
            continue
        if role not in ROLE_TOKENS:
            raise ValueError(f"rol desconocido: «{role}» (se aceptan user, assistant y system)")
        turns.append((role, str(message["content"])))
    return turns


def render(messages, add_generation_prompt: bool = False) -> str:
    """El texto exacto de la plantilla, con las marcas escritas (para mostrar en pantalla)."""
    text = "".join(ROLE_TOKENS[role] + content + END for role, content in _turns(messages))
    return text + (ASSISTANT if add_generation_prompt else "")


def encode(messages, tokenizer: ChatTokenizer, add_generation_prompt: bool = False) -> tuple[list[int], list[int]]:
    """Ids y máscara de pérdida: 1 en los caracteres de las respuestas del asistente y en su
    ``<|fin|>``; 0 en todo lo demás (marcas de turno y mensajes del usuario).

    ``mask[i]`` dice si ``ids[i]`` es algo que el modelo debe aprender a escribir: la pérdida
    de predecir ``ids[i]`` (desde la posición ``i - 1``) cuenta solo si ``mask[i]`` es 1.
    Con ``add_generation_prompt`` se agrega ``<|asistente|>`` al final: el comienzo de la
    respuesta que el modelo va a escribir.
    """
    ids, mask = [], []
    for role, content in _turns(messages):
        text_ids = tokenizer.encode(content)
        learn = int(role == "assistant")
        ids += [tokenizer.stoi[ROLE_TOKENS[role]], *text_ids, tokenizer.end_id]
        mask += [0, *[learn] * len(text_ids), learn]
    if add_generation_prompt:
        ids.append(tokenizer.assistant_id)
        mask.append(0)
    return ids, mask


def decode(ids, tokenizer: ChatTokenizer) -> str:
    """Los ids de vuelta a texto, con las marcas escritas (igual que ``render``)."""
    return tokenizer.decode(ids)


def parse(ids, tokenizer: ChatTokenizer) -> list[dict]:
    """Los ids de vuelta a mensajes ``{role, content}``: lee las marcas, no el texto.

    Un turno sin ``<|fin|>`` (una respuesta cortada) también se devuelve, con lo que tenga.
    """
    roles = {tokenizer.user_id: "user", tokenizer.assistant_id: "assistant"}
    messages, role, chars = [], None, []
    for i in map(int, ids):
        if i in roles:
            role, chars = roles[i], []
        elif i == tokenizer.end_id:
            if role is not None:
                messages.append({"role": role, "content": "".join(chars)})
            role, chars = None, []
        elif role is not None:
            chars.append(tokenizer.itos[i])
    if role is not None:
        messages.append({"role": role, "content": "".join(chars)})
    return messages


# ---------------------------------------------------------------- el modelo con tokens nuevos


def extend_model(model: GPT, tokenizer: CharTokenizer) -> tuple[GPT, ChatTokenizer]:
    """Un GPT igual a ``model`` pero con lugar para los tokens especiales.

    Las filas viejas de los embeddings y de la capa de salida se copian tal cual. Cada token
    nuevo empieza como su pariente del libro (``KIN``): ``<|fin|>`` lee y escribe como un salto
    de línea, que en el libro es el final de un parlamento. Los que abren turno se leen como
    la raya, pero el modelo no debe escribirlos nunca: su fila de salida empieza en cero con un
    sesgo muy negativo.
    """
    chat_tokenizer = ChatTokenizer.extending(tokenizer)
    old_vocab = model.config.vocab_size
    config = GPTConfig(**{**model.config.__dict__, "vocab_size": chat_tokenizer.vocab_size})
    extended = GPT(config)
    state = {k: v for k, v in model.state_dict().items() if not k.startswith(("wte.", "lm_head."))}
    extended.load_state_dict(state, strict=False)
    with torch.no_grad():
        extended.wte.weight[:old_vocab] = model.wte.weight
        extended.lm_head.weight[:old_vocab] = model.lm_head.weight
        extended.lm_head.bias[:old_vocab] = model.lm_head.bias
        floor = model.lm_head.bias.min() - 10.0
        for token in SPECIAL_TOKENS:
            new, kin = chat_tokenizer.stoi[token], tokenizer.stoi[KIN[token]]
            extended.wte.weight[new] = model.wte.weight[kin]
            if token == END:
                extended.lm_head.weight[new] = model.lm_head.weight[kin]
                extended.lm_head.bias[new] = model.lm_head.bias[kin]
            else:
                extended.lm_head.weight[new] = 0.0
                extended.lm_head.bias[new] = floor
    extended.train(model.training)
    return extended, chat_tokenizer


# ---------------------------------------------------------------- conversar


@torch.inference_mode()
def stream_reply(model, tokenizer: ChatTokenizer, messages, max_chars: int = MAX_REPLY_CHARS,
                 temperature: float = 0.8, top_k=None, top_p=None, seed=None) -> Iterator[str]:
    """La respuesta del asistente a ``messages``, de a un carácter, hasta que escribe ``<|fin|>``.

    Devuelve (como valor de retorno del generador, ``ended = yield from stream_reply(…)``) si el
    turno terminó solo (``True``) o se cortó en ``max_chars`` (``False``). El modelo nunca escribe
    las marcas que abren turno: esas solo las pone el chat.
    """
    model.eval()
    ids, _ = encode(messages, tokenizer, add_generation_prompt=True)
    rng = torch.Generator().manual_seed(int(seed)) if seed is not None else None
    gen = Generator(model, tokenizer, ids=ids)
    banned = torch.tensor([tokenizer.user_id, tokenizer.assistant_id])
    for _ in range(max(int(max_chars), 0)):
        logits = gen.logits.clone()
        logits[banned] = float("-inf")
        token = draw(probabilities(logits, temperature, top_k, top_p), rng)
        if token == tokenizer.end_id:
            return True
        yield tokenizer.itos[token]
        gen._advance(token)
    return False


def reply(model, tokenizer: ChatTokenizer, messages, max_chars: int = MAX_REPLY_CHARS, **sampling) -> tuple[str, bool]:
    """(respuesta, ¿cerró su turno sola en ≤ ``max_chars`` caracteres?)."""
    stream, chars = stream_reply(model, tokenizer, messages, max_chars, **sampling), []
    while True:
        try:
            chars.append(next(stream))
        except StopIteration as done:  # el generador devuelve si cerró su turno
            return "".join(chars), bool(done.value)


# ---------------------------------------------------------------- guardar y cargar


def load_chat_checkpoint(path=CHAT_CHECKPOINT) -> tuple[GPT, ChatTokenizer, dict]:
    """Un modelo refinado guardado: el GPT, su tokenizador con las marcas y lo anotado."""
    model, tokenizer, info = load_checkpoint(path)
    return model, chat_tokenizer(tokenizer, path), info


def load_chat(path=CHAT_CHECKPOINT) -> tuple[GPT, ChatTokenizer]:
    """QuijoteChat, el modelo refinado que viene con el taller (se carga una sola vez por proceso)."""
    model, tokenizer = load_pretrained(path)
    return model, chat_tokenizer(tokenizer, path)


def chat_tokenizer(tokenizer: CharTokenizer, path) -> ChatTokenizer:
    if not is_chat_vocabulary(tokenizer.chars):
        raise ValueError(f"{path} no es un modelo refinado: su vocabulario no tiene las marcas de turno")
    return ChatTokenizer(tokenizer.chars)
