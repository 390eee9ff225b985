"""QuijoteGPT por dentro: un GPT de caracteres al estilo de nanoGPT, y el bigrama de los notebooks.

Un modelo recibe una tabla de ids ``idx`` de forma (B, T) —B textos de T caracteres— y devuelve
``logits`` de forma (B, T, V): para cada posición, un puntaje por cada uno de los V caracteres
posibles para el carácter que sigue. Nada más. No hay magia: son multiplicaciones de matrices.

Se lee de arriba abajo: la configuración, la atención, el MLP, el bloque, el GPT, el bigrama,
``generate`` (la manera más simple de escribir) y guardar/cargar. La manera rápida de escribir,
un carácter a la vez con caché, está en ``demos/decoding.py``.

Uso: ``python -m demos.model "En un lugar de la Mancha"`` continúa el texto con el modelo incluido.
"""

from __future__ import annotations

import json
import math
import sys
from dataclasses import asdict, dataclass
from pathlib import Path

import torch
import torch.nn as nn
from torch.nn import functional as F

from demos.tokenizer import CharTokenizer

CHECKPOINT = Path(__file__).parent / "checkpoints" / "quijote_gpt.pt"
ACTIVATIONS = {"gelu": F.gelu, "relu": F.relu}  # las que sabe hacer también el paso rápido (decoding.py)


@dataclass
class GPTConfig:
    vocab_size: int = 99  # ¿cuántos caracteres distintos conoce? (los del corpus)
    context_length: int = 128  # ¿cuántos caracteres hacia atrás puede mirar? (su «ventana»)
    n_layer: int = 4  # ¿cuántos bloques de atención + MLP apilamos?
    n_head: int = 4  # ¿cuántas «miradas» distintas hace cada bloque?
    n_embd: int = 128  # ¿cuántos números describen a cada carácter?
    dropout: float = 0.0  # ¿apagamos neuronas al azar para que no memorice?
    alibi: bool = False  # ¿la posición entra como castigo por distancia (ALiBi) en vez de embeddings?
    activation: str = "gelu"  # ¿qué curva usa el MLP? (una de ACTIVATIONS)


class ContextTooLong(ValueError):
    """Le llegó más texto del que cabe en su ventana."""


class CausalSelfAttention(nn.Module):
    """Cada posición mezcla información de las anteriores (nunca de las siguientes)."""

    def __init__(self, config: GPTConfig):
        super().__init__()
        assert config.n_embd % config.n_head == 0
        self.n_head = config.n_head
        self.c_attn = nn.Linear(config.n_embd, 3 * config.n_embd)  # q, k, v en una sola matriz
        self.c_proj = nn.Linear(config.n_embd, config.n_embd)
        self.resid_dropout = nn.Dropout(config.dropout)
        # se calcula una vez: escribir un carácter no debe rehacer la máscara en cada capa
        self.register_buffer("bias", attention_bias(config), persistent=False)  # (nh, ctx, ctx)

    def forward(self, x, cache=None):
        B, T, C = x.shape
        qkv = self.c_attn(x)  # (B, T, 3C): q, k y v de cada posición, uno al lado del otro
        q, k, v = qkv.split(C, dim=2)  # (B, T, C) cada uno
        if cache is not None:  # escribiendo: las claves y valores de los pasos anteriores ya están guardados
            _, k, v = cache.extend(qkv).split(C, dim=2)  # (B, T_guardadas, C)
        q, k, v = (self._heads(t) for t in (q, k, v))  # (B, nh, T, hs)
        y = self.scores(q, k).softmax(dim=-1) @ v  # (B, nh, T, hs)
        y = y.transpose(1, 2).contiguous().view(B, T, C)  # las cabezas, otra vez una al lado de la otra
        return self.resid_dropout(self.c_proj(y))

    def _heads(self, t):
        """(B, T, C) → (B, nh, T, hs): cada cabeza mira su propio trozo de los C números."""
        B, T, C = t.shape
        return t.view(B, T, self.n_head, C // self.n_head).transpose(1, 2)

    def scores(self, q, k):
        """q·kᵀ/√hs más el sesgo (-inf hacia el futuro; con ALiBi, la distancia): (B, nh, T_q, T_k).

        Las consultas son las últimas T_q posiciones de las T_k claves.
        """
        T_q, T_k = q.size(2), k.size(2)
        return (q @ k.transpose(-2, -1)) * (k.size(-1) ** -0.5) + self.bias[:, T_k - T_q : T_k, :T_k]

    def weights(self, x) -> torch.Tensor:
        """Cuánto mira cada posición a cada otra, (B, nh, T, T), para ``x`` ya normalizado. Cada fila suma 1."""
        q, k, _ = self.c_attn(x).split(x.size(2), dim=2)
        return self.scores(self._heads(q), self._heads(k)).softmax(dim=-1)


def attention_bias(config: GPTConfig) -> torch.Tensor:
    """(nh, ctx, ctx): -inf hacia el futuro; con ALiBi, además, -pendiente × distancia.

    ALiBi: cada cabeza castiga la distancia con su propia pendiente (1/2, 1/4, …), así que mira
    más cerca o más lejos; no hacen falta embeddings de posición.
    """
    ctx = config.context_length
    distance = (torch.arange(ctx).view(-1, 1) - torch.arange(ctx).view(1, -1)).float()  # (ctx, ctx)
    future = torch.zeros(ctx, ctx).masked_fill(distance < 0, float("-inf"))
    slopes = torch.tensor([2 ** (-8 * (h + 1) / config.n_head) for h in range(config.n_head)])
    alibi = -slopes.view(-1, 1, 1) * distance.clamp(min=0) if config.alibi else torch.zeros(1, 1, 1)
    return (future + alibi).expand(config.n_head, ctx, ctx).contiguous()


class MLP(nn.Module):
    """Cada posición, por su cuenta: agrandar a 4C números, doblar con una curva, volver a C."""

    def __init__(self, config: GPTConfig):
        super().__init__()
        if config.activation not in ACTIVATIONS:
            raise ValueError(f"activación «{config.activation}» desconocida: elige una de {sorted(ACTIVATIONS)}")
        self.c_fc = nn.Linear(config.n_embd, 4 * config.n_embd)
        self.act = ACTIVATIONS[config.activation]
        self.c_proj = nn.Linear(4 * config.n_embd, config.n_embd)
        self.dropout = nn.Dropout(config.dropout)

    def forward(self, x):
        return self.dropout(self.c_proj(self.act(self.c_fc(x))))


class Block(nn.Module):
    """Un bloque del Transformer: primero mirar a los vecinos, después «pensar» cada posición."""

    def __init__(self, config: GPTConfig):
        super().__init__()
        self.ln_1 = nn.LayerNorm(config.n_embd)
        self.attn = CausalSelfAttention(config)
        self.ln_2 = nn.LayerNorm(config.n_embd)
        self.mlp = MLP(config)

    def forward(self, x, cache=None):
        x = x + self.attn(self.ln_1(x), cache)  # conexión residual: se suma, no se reemplaza
        return x + self.mlp(self.ln_2(x))


class GPT(nn.Module):
    def __init__(self, config: GPTConfig):
        super().__init__()
        self.config = config
        self.context_length = config.context_length
        self.wte = nn.Embedding(config.vocab_size, config.n_embd)  # carácter → vector
        self.wpe = None if config.alibi else nn.Embedding(config.context_length, config.n_embd)  # posición → vector
        self.drop = nn.Dropout(config.dropout)
        self.blocks = nn.ModuleList(Block(config) for _ in range(config.n_layer))
        self.ln_f = nn.LayerNorm(config.n_embd)
        self.lm_head = nn.Linear(config.n_embd, config.vocab_size)  # vector → puntaje por carácter
        self.apply(_init_weights)
        for name, p in self.named_parameters():  # como GPT-2: la suma residual no debe crecer con las capas
            if name.endswith("c_proj.weight"):
                nn.init.normal_(p, mean=0.0, std=0.02 / math.sqrt(2 * config.n_layer))

    def forward(self, idx, targets=None, caches=None):
        """idx: (B, T) ids → logits (B, T, V) y, si se dan ``targets`` (B, T), la pérdida.

        ``caches`` (una por bloque, de ``demos.decoding``) guarda lo ya calculado al escribir.
        """
        start = caches[0].length if caches else 0  # ¿cuántos caracteres ya vio antes de estos?
        self._check_fits(idx.size(1), start)
        x = self.wte(idx)  # (B, T, C)
        if self.wpe is not None:
            x = x + self.wpe(torch.arange(start, start + idx.size(1), device=idx.device))  # (T, C) a cada texto
        x = self.drop(x)
        for i, block in enumerate(self.blocks):
            x = block(x, None if caches is None else caches[i])
        logits = self.lm_head(self.ln_f(x))  # (B, T, V)
        return logits, loss(logits, targets)

    def _check_fits(self, T: int, start: int) -> None:
        limit = self.context_length - (start if self.wpe is not None else 0)
        if T > limit:
            raise ContextTooLong(
                f"El modelo mira como máximo {self.context_length} caracteres a la vez y le llegaron {T}"
                f"{f' (después de {start} ya vistos)' if start else ''}. Pásale solo los últimos: "
                f"idx[:, -{self.context_length}:]")


def _init_weights(module):
    if isinstance(module, (nn.Linear, nn.Embedding)):
        nn.init.normal_(module.weight, mean=0.0, std=0.02)
    if isinstance(module, nn.Linear) and module.bias is not None:
        nn.init.zeros_(module.bias)


def loss(logits, targets):
    """Entropía cruzada: en promedio, ¿cuánta sorpresa le dio el carácter correcto? (en nats)."""
    if targets is None:
        return None
    B, T, V = logits.shape
    return F.cross_entropy(logits.reshape(B * T, V), targets.reshape(B * T))


class BigramLM(nn.Module):
    """El modelo de los notebooks: cada carácter mira SOLO al anterior (una tabla de V×V puntajes)."""

    def __init__(self, vocab_size: int, context_length: int = 256):
        super().__init__()
        self.token_embedding_table = nn.Embedding(vocab_size, vocab_size)  # fila = carácter actual
        self.context_length = context_length  # no le sirve de nada, pero cumple el contrato

    def forward(self, idx, targets=None):
        logits = self.token_embedding_table(idx)  # (B, T, V)
        return logits, loss(logits, targets)


def count_parameters(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())


# ---------------------------------------------------------------- escribir: la manera más simple


@torch.no_grad()
def generate(model, idx, max_new_tokens: int, temperature: float = 1.0, top_k: int | None = None, generator=None):
    """Como en nanoGPT: en cada paso, el modelo completo sobre la ventana; se sortea y se agrega.

    idx: (B, T) → (B, T + max_new_tokens). Lenta pero imposible de equivocar: es la referencia
    contra la que se comprueba el paso rápido de ``demos/decoding.py``.
    """
    for _ in range(max_new_tokens):
        logits, _ = model(idx[:, -model.context_length :])  # solo lo que cabe en la ventana
        logits = logits[:, -1, :]  # (B, V): el puntaje del carácter que sigue
        if temperature <= 0:
            next_id = logits.argmax(dim=-1, keepdim=True)  # temperatura 0: siempre el más probable
        else:
            logits = logits / temperature
            if top_k:
                cut = torch.topk(logits, min(top_k, logits.size(-1))).values[:, [-1]]
                logits = logits.masked_fill(logits < cut, float("-inf"))
            next_id = torch.multinomial(F.softmax(logits, dim=-1), 1, generator=generator)  # (B, 1)
        idx = torch.cat((idx, next_id), dim=1)
    return idx


# ---------------------------------------------------------------- guardar y cargar


def save_checkpoint(path, model: GPT, tokenizer: CharTokenizer, info: dict) -> Path:
    """Guarda pesos (en float16, para que pese poco) + configuración + vocabulario + datos."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    state = {k: v.detach().to(torch.float16) for k, v in model.state_dict().items()}
    plain_info = json.loads(json.dumps(dict(info), default=str))  # solo tipos simples: carga segura
    torch.save({"config": asdict(model.config), "chars": tokenizer.chars, "info": plain_info,
                "state_dict": state}, path)
    return path


def load_checkpoint(path=CHECKPOINT) -> tuple[GPT, CharTokenizer, dict]:
    """Carga con ``weights_only=True``: solo tensores y datos simples, nunca código ajeno."""
    data = torch.load(Path(path), map_location="cpu", weights_only=True)
    model = GPT(GPTConfig(**data["config"]))
    model.load_state_dict({k: v.float() for k, v in data["state_dict"].items()})
    model.eval()
    return model, CharTokenizer(data["chars"]), data["info"]


_pretrained: dict[Path, tuple] = {}


def load_pretrained(path=CHECKPOINT) -> tuple[GPT, CharTokenizer]:
    """El GPT ya entrenado que viene con el taller (una sola vez por proceso). Sin corpus ni internet."""
    path = Path(path)
    if path not in _pretrained:
        model, tokenizer, _ = load_checkpoint(path)
        _pretrained[path] = (model, tokenizer)
    return _pretrained[path]


def checkpoint_info(path=CHECKPOINT) -> dict:
    return load_checkpoint(path)[2]


# ---------------------------------------------------------------- en la terminal


def main(argv: list[str]) -> int:
    from demos.aula.cli import ArgumentParser
    from demos.formatting import decimal, thousands

    parser = ArgumentParser(prog="python -m demos.model", description="QuijoteGPT continúa un texto.")
    parser.add_argument("texto", nargs="*", help="el comienzo (si no, «En un lugar de la Mancha»)")
    parser.add_argument("--caracteres", type=int, default=300, help="cuántos caracteres escribe")
    parser.add_argument("--temperatura", type=float, default=0.8, help="0 = siempre el más probable")
    parser.add_argument("--semilla", type=int, default=0, help="la misma semilla da el mismo texto")
    args = parser.parse_args(argv)
    prompt = " ".join(args.texto) or "En un lugar de la Mancha"
    model, tokenizer = load_pretrained()
    info, config = checkpoint_info(), model.config
    print(f"QuijoteGPT: {config.n_layer} capas, {thousands(count_parameters(model))} parámetros, "
          f"pérdida de validación {decimal(info.get('val_loss', float('nan')), 3)}")
    idx = torch.tensor([tokenizer.encode(prompt or "\n")[-model.context_length :]])
    out = generate(model, idx, max(args.caracteres, 0), temperature=args.temperatura,
                   generator=torch.Generator().manual_seed(args.semilla))
    print(prompt + tokenizer.decode(out[0, idx.size(1) :].tolist()))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
