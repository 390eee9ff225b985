"""Nuestros modelos de lenguaje: el bigrama de los notebooks y un GPT pequeño al estilo nanoGPT.

Los dos trabajan con caracteres: cada letra, signo o espacio es un token. Un modelo recibe
una tabla de ids ``idx`` de forma (B, T) —B textos de T caracteres— y devuelve ``logits`` de
forma (B, T, V): para cada posición, un puntaje por cada uno de los V caracteres posibles
para el carácter que sigue. Nada más. No hay magia: son multiplicaciones de matrices.

Uso: ``python -m demos.model "En un lugar de la Mancha"`` continúa el texto con el modelo incluido.
"""

from __future__ import annotations

import bisect
import contextlib
import itertools
import json
import math
import sys
import threading
import unicodedata
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

import torch
import torch.nn as nn
from torch.nn import functional as F

CHECKPOINT = Path(__file__).parent / "checkpoints" / "quijote_gpt.pt"
FALLBACK_CHAR = " "  # lo que ve el modelo cuando le llega un carácter que nunca vio


# ---------------------------------------------------------------- tokenizador de caracteres


class CharTokenizer:
    """El tokenizador de los notebooks (``stoi`` / ``itos``), pero sin caerse con letras nuevas."""

    def __init__(self, chars: list[str]):
        self.chars = list(chars)
        self.stoi = {ch: i for i, ch in enumerate(self.chars)}
        self.itos = dict(enumerate(self.chars))

    @classmethod
    def from_text(cls, text: str) -> CharTokenizer:
        return cls(sorted(set(text)))

    @property
    def vocab_size(self) -> int:
        return len(self.chars)

    def known(self, ch: str) -> str:
        """El carácter del vocabulario que usaremos en lugar de ``ch``."""
        if ch in self.stoi:
            return ch
        # «ç» → «c», «Ñ» sin tilde en el vocabulario → «N», «k» → «K»…
        for candidate in (_strip_accents(ch), ch.swapcase(), _strip_accents(ch).swapcase()):
            if len(candidate) == 1 and candidate in self.stoi:
                return candidate
        return FALLBACK_CHAR if FALLBACK_CHAR in self.stoi else self.chars[0]

    def unknown_chars(self, text: str) -> list[str]:
        """Los caracteres de ``text`` que el modelo nunca vio (se reemplazan al codificar)."""
        text = unicodedata.normalize("NFC", text)
        return sorted({ch for ch in text if ch not in self.stoi})

    def encode(self, text: str) -> list[int]:
        text = unicodedata.normalize("NFC", text)
        return [self.stoi[self.known(ch)] for ch in text]

    def encode_tensor(self, text: str) -> torch.Tensor:
        """Como ``encode`` pero para textos enormes: una tabla de búsqueda por punto de código."""
        text = unicodedata.normalize("NFC", text)
        if not text:
            return torch.zeros(0, dtype=torch.long)
        raw = text.encode("utf-32-le", "surrogatepass")  # un «medio emoji» suelto tampoco rompe nada
        codes = torch.frombuffer(bytearray(raw), dtype=torch.int32).long()
        lookup = torch.full((int(codes.max()) + 1,), -1, dtype=torch.long)
        for ch, i in self.stoi.items():
            if ord(ch) < len(lookup):
                lookup[ord(ch)] = i
        ids = lookup[codes]
        if (ids < 0).any():  # caracteres nuevos: el camino lento, que sabe reemplazarlos
            return torch.tensor(self.encode(text), dtype=torch.long)
        return ids

    def decode(self, ids: list[int]) -> str:
        return "".join(self.itos.get(int(i), "") for i in ids)


def _strip_accents(ch: str) -> str:
    decomposed = unicodedata.normalize("NFKD", ch)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


# ---------------------------------------------------------------- el bigrama de los notebooks


class BigramLM(nn.Module):
    """Cada carácter mira SOLO al anterior: una tabla de V×V puntajes aprendidos."""

    def __init__(self, vocab_size: int, context_length: int = 256):
        super().__init__()
        self.token_embedding_table = nn.Embedding(vocab_size, vocab_size)  # fila = carácter actual
        self.context_length = context_length  # no le sirve de nada, pero cumple el contrato

    def forward(self, idx, targets=None):
        logits = self.token_embedding_table(idx)  # (B, T, V)
        return logits, _loss(logits, targets)


def _loss(logits, targets):
    """Entropía cruzada: en promedio, ¿cuánta sorpresa le dio el carácter correcto? (en nats)."""
    if targets is None:
        return None
    B, T, V = logits.shape
    return F.cross_entropy(logits.reshape(B * T, V), targets.reshape(B * T))


# ---------------------------------------------------------------- GPT al estilo nanoGPT


@dataclass
class GPTConfig:
    vocab_size: int = 99
    context_length: int = 128  # ¿cuántos caracteres hacia atrás puede mirar?
    n_layer: int = 4  # ¿cuántos bloques de atención + MLP apilamos?
    n_head: int = 4  # ¿cuántas «miradas» distintas hace cada bloque?
    n_embd: int = 128  # ¿cuántos números describen a cada carácter?
    dropout: float = 0.0  # ¿apagamos neuronas al azar para que no memorice?
    alibi: bool = False  # ¿la posición entra como castigo por distancia (ALiBi) en vez de embeddings?


class CausalSelfAttention(nn.Module):
    """Cada posición mezcla información de las anteriores (nunca de las siguientes)."""

    def __init__(self, config: GPTConfig):
        super().__init__()
        assert config.n_embd % config.n_head == 0
        self.n_head = config.n_head
        self.c_attn = nn.Linear(config.n_embd, 3 * config.n_embd)  # q, k, v en una sola matriz
        self.c_proj = nn.Linear(config.n_embd, config.n_embd)
        self.resid_dropout = nn.Dropout(config.dropout)
        self.alibi = config.alibi
        # se calcula una vez: generar un carácter no debe rehacer la máscara en cada capa
        self.register_buffer("bias", _attention_bias(config), persistent=False)  # (nh, ctx, ctx)

    def forward(self, x, cache=None):
        B, T, C = x.shape
        qkv = self.c_attn(x)  # (B, T, 3C): q, k y v de cada posición, uno al lado del otro
        if cache is not None:  # generación: se suman las claves y valores de los pasos anteriores
            qkv_all = cache.extend(qkv)  # (B, T_pasado + T, 3C)
            q, k, v = qkv[..., :C], qkv_all[..., C : 2 * C], qkv_all[..., 2 * C :]
        else:
            q, k, v = qkv.split(C, dim=2)  # (B, T, C) cada uno
        q, k, v = (self._heads(t) for t in (q, k, v))  # (B, nh, T, hs)
        y = self._attend(q, k, v)  # (B, nh, T, hs); sin dropout aquí: en CPU triplica el costo
        y = y.transpose(1, 2).contiguous().view(B, T, C)
        return self.resid_dropout(self.c_proj(y))

    def _heads(self, t):
        """(B, T, C) → (B, nh, T, hs): cada cabeza mira su propio trozo de los C números."""
        B, T, C = t.shape
        return t.view(B, T, self.n_head, C // self.n_head).transpose(1, 2)

    def weights(self, x) -> torch.Tensor:
        """Pesos de atención (B, nh, T, T) para ``x`` (ya normalizado), sin guardar nada en el módulo."""
        B, T, C = x.shape
        q, k, _ = self.c_attn(x).split(C, dim=2)
        q, k = (t.view(B, T, self.n_head, C // self.n_head).transpose(1, 2) for t in (q, k))
        return self._scores(q, k).softmax(dim=-1)

    def _bias(self, T_q, T_k):
        """(nh, T_q, T_k): las consultas son las últimas T_q posiciones de las T_k claves."""
        return self.bias[:, T_k - T_q : T_k, :T_k]

    def _scores(self, q, k):
        """q·kᵀ/√d más el sesgo (-inf hacia el futuro; con ALiBi, la distancia): (B, nh, T_q, T_k)."""
        return (q @ k.transpose(-2, -1)) * (k.size(-1) ** -0.5) + self._bias(q.size(2), k.size(2))

    def _attend(self, q, k, v):
        # la cuenta directa; en CPU y con estos tamaños entrena ~10 % más rápido que
        # F.scaled_dot_product_attention con una máscara (medido en benchmarks/training_speed.py)
        return self._scores(q, k).softmax(dim=-1) @ v


def _attention_bias(config: GPTConfig) -> torch.Tensor:
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
    def __init__(self, config: GPTConfig):
        super().__init__()
        self.c_fc = nn.Linear(config.n_embd, 4 * config.n_embd)
        self.c_proj = nn.Linear(4 * config.n_embd, config.n_embd)
        self.dropout = nn.Dropout(config.dropout)

    def forward(self, x):
        return self.dropout(self.c_proj(F.gelu(self.c_fc(x))))


class Block(nn.Module):
    """Un bloque del Transformer: primero mirar a los vecinos, después «pensar» cada posición."""

    def __init__(self, config: GPTConfig):
        super().__init__()
        self.ln_1 = nn.LayerNorm(config.n_embd)
        self.attn = CausalSelfAttention(config)
        self.ln_2 = nn.LayerNorm(config.n_embd)
        self.mlp = MLP(config)

    def forward(self, x, cache=None):
        x = x + self.attn(self.ln_1(x), cache)  # conexión residual
        return x + self.mlp(self.ln_2(x))


class LayerCache:
    """Lo ya calculado de una capa (q, k y v de cada carácter): así cada paso nuevo cuesta uno solo.

    Cada fila guarda q, k y v de una posición (3C números), tal como salen de la matriz
    ``c_attn``: el paso rápido escribe ahí directamente, sin copias. El espacio se reserva de a
    bloques. Con ``window`` quedan vivas solo las últimas ``window`` filas (una ventana que se
    desliza): con ALiBi la posición no está dentro de las claves, así que las que ya estaban
    siguen sirviendo.
    """

    def __init__(self, window: int | None = None):
        self.rows = None  # (B, espacio, 3C)
        self.start = self.end = 0  # las filas vivas son [start, end)
        self.window = window
        self._heads = None

    @property
    def length(self) -> int:
        return self.end - self.start

    def live(self):
        return self.rows[:, self.start : self.end]  # (B, T_vivas, 3C)

    def reserve(self, T: int = 1, like=None):
        """Las T filas siguientes, para escribir en ellas (``like``, (B, T, 3C): la primera vez)."""
        if self.rows is None or self.end + T > self.rows.size(1):
            self._make_room(self.rows if like is None else like, T)
        self.end += T
        if self.window:
            self.start = max(self.start, self.end - self.window)
        return self.rows[:, self.end - T : self.end]

    def extend(self, qkv):
        """Agrega (B, T, 3C) y devuelve todas las filas vivas (B, T_vivas, 3C)."""
        self.reserve(qkv.size(1), qkv).copy_(qkv)
        return self.live()

    def _make_room(self, like, T):
        """Un bloque nuevo, con lo vivo al principio: pasa una vez cada tantos pasos, no en cada uno."""
        B, _, width = like.shape
        kept = self.length
        rows = like.new_zeros(B, max(kept + T, 2 * (self.window or max(kept, 32))), width)
        if self.rows is not None:
            rows[:, :kept] = self.live()
        self.rows, self.start, self.end, self._heads = rows, 0, kept, None

    def heads(self, n_head: int):
        """q, k y v de TODO el espacio, separados por cabeza (sin copiar; se arman una vez por bloque):
        q y v (nh, espacio, hs); k ya transpuesta, (nh, hs, espacio), lista para q·kᵀ."""
        if self._heads is None:
            rows = self.rows[0]
            size, C = rows.size(0), rows.size(1) // 3
            q, k, v = (rows[:, i * C : (i + 1) * C].view(size, n_head, C // n_head) for i in range(3))
            self._heads = (q.transpose(0, 1), k.permute(1, 2, 0), v.transpose(0, 1))
        return self._heads


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
        # funciones a las que se avisa en cada llamada al modelo, completa o de un paso (para contarlas);
        # el paso rápido no pasa por ``forward``, así que los «hooks» de torch no lo verían
        self.call_listeners: list = []
        self.apply(_init_weights)
        for name, p in self.named_parameters():  # como GPT-2: la suma residual no debe crecer
            if name.endswith("c_proj.weight"):
                nn.init.normal_(p, mean=0.0, std=0.02 / math.sqrt(2 * config.n_layer))

    def _embed(self, idx, start=0):
        pos = torch.arange(start, start + idx.size(1), device=idx.device)  # (T,)
        x = self.wte(idx)  # (B, T, C)
        return self.drop(x if self.wpe is None else x + self.wpe(pos))

    def forward(self, idx, targets=None, caches=None, start=0):
        for listener in self.call_listeners:
            listener()
        x = self._embed(idx, start)  # idx: (B, T) ids de caracteres → x: (B, T, C)
        for i, block in enumerate(self.blocks):
            x = block(x, None if caches is None else caches[i])
        logits = self.lm_head(self.ln_f(x))  # (B, T, V)
        return logits, _loss(logits, targets)

    @torch.no_grad()
    def attention_maps(self, idx) -> torch.Tensor:
        """Pesos de atención de cada capa y cabeza: (n_layer, B, n_head, T, T); cada fila suma 1.

        No cambia nada del modelo: varias sesiones pueden usar el mismo modelo a la vez.
        """
        x, maps = self._embed(idx[:, -self.context_length :]), []
        for block in self.blocks:
            maps.append(block.attn.weights(block.ln_1(x)))  # (B, nh, T, T)
            x = block(x)
        return torch.stack(maps)


def _init_weights(module):
    if isinstance(module, (nn.Linear, nn.Embedding)):
        nn.init.normal_(module.weight, mean=0.0, std=0.02)
    if isinstance(module, nn.Linear) and module.bias is not None:
        nn.init.zeros_(module.bias)


def count_parameters(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())


# ---------------------------------------------------------------- un solo hilo para las cuentas chicas

_threads_lock = threading.Lock()
_threads_users = 0
_threads_before = 1


@contextlib.contextmanager
def one_thread():
    """Las cuentas chicas (un carácter, una ventana de 128, 99 vectores) corren en UN hilo de torch.

    Repartir un paso chico entre núcleos no acelera, y si otro programa ocupa la CPU (el
    navegador, el proyector) los hilos se esperan entre sí dando vueltas: medido aquí, generar con
    dos hilos y un núcleo ocupado baja de ~650 a ~160 caracteres por segundo. El contador hace que,
    con varias sesiones a la vez, la última en terminar deje el valor original. Sirve también
    como decorador: ``@one_thread()``.
    """
    global _threads_users, _threads_before
    with _threads_lock:
        if _threads_users == 0:
            _threads_before = torch.get_num_threads()
            torch.set_num_threads(1)
        _threads_users += 1
    try:
        yield
    finally:
        with _threads_lock:
            _threads_users -= 1
            if _threads_users == 0:
                torch.set_num_threads(_threads_before)


# ---------------------------------------------------------------- elegir el siguiente token


def probabilities(logits: torch.Tensor, temperature: float = 1.0, top_k=None, top_p=None) -> torch.Tensor:
    """Convierte puntajes en probabilidades: temperatura, luego top-k y top-p. Suma 1.

    - temperatura 0 → todo el peso al más probable (decodificación «codiciosa»);
    - temperatura muy grande → casi uniforme;
    - top-k: solo los k más probables; top-p: los más probables hasta sumar p.
    Cualquier valor raro (negativo, NaN, un texto) se lee de la manera más sensata, sin errores.
    """
    logits = logits.float()
    temperature = _safe_temperature(temperature)
    if temperature < 1e-30:  # 0, o tan chica que en float32 ya es 0: el más probable
        probs = F.one_hot(logits.argmax(-1), logits.size(-1)).float()
    elif math.isinf(temperature):
        probs = torch.full_like(logits, 1.0 / logits.size(-1))
    else:
        if temperature < 1e-3:  # 20 / 1e-40 ya no cabe en un float: antes se resta el máximo
            logits = logits - logits.max(dim=-1, keepdim=True).values
        probs = F.softmax(logits / temperature, dim=-1)
    return _cut_top_p(_cut_top_k(probs, _safe_number(top_k)), _safe_number(top_p))


def _safe_temperature(temperature) -> float:
    value = _safe_number(temperature)
    return 1.0 if value is None else max(value, 0.0)


def _safe_number(value) -> float | None:
    """Un número, o ``None`` si no lo es (``None``, NaN, un texto): entonces no se corta nada."""
    try:
        number = float(value)
    except (TypeError, ValueError, OverflowError):
        return None
    return None if math.isnan(number) else number


def _cut_top_k(probs, top_k):
    if top_k is None or top_k < 1 or top_k >= probs.size(-1):
        return probs
    chosen = torch.topk(probs, int(top_k), dim=-1).indices  # exactamente k, aunque haya empates
    keep = torch.zeros_like(probs, dtype=torch.bool).scatter(-1, chosen, True)
    return _renormalize(probs * keep)


def _cut_top_p(probs, top_p):
    if top_p is None or top_p >= 1.0:
        return probs
    sorted_probs, order = probs.sort(dim=-1, descending=True)
    before = sorted_probs.cumsum(-1) - sorted_probs  # lo acumulado ANTES de cada candidato
    keep_sorted = before < max(top_p, 0.0)
    keep_sorted[..., 0] = True  # el más probable siempre queda (así p = 0 es «codicioso»)
    keep = torch.zeros_like(keep_sorted).scatter(-1, order, keep_sorted)
    return _renormalize(probs * keep)


def _renormalize(probs):
    return probs / probs.sum(dim=-1, keepdim=True)


def _prompt_ids(tokenizer: CharTokenizer, prompt: str, context_length: int) -> list[int]:
    """Los ids que ve el modelo: sin texto, un salto de línea; si es muy largo, solo el final."""
    ids = tokenizer.encode(prompt or "\n")
    return ids[-context_length:]


@torch.no_grad()
def next_token_logits(model, tokenizer, prompt: str) -> torch.Tensor:
    """Los puntajes crudos (V,) del siguiente carácter, antes de la temperatura."""
    model.eval()
    ids = _prompt_ids(tokenizer, prompt, model.context_length)
    return model(torch.tensor([ids]))[0][0, -1]  # (V,)


@torch.no_grad()
def next_token_distribution(model, tokenizer, prompt: str, temperature=1.0, top_k=None, top_p=None):
    """La distribución COMPLETA del siguiente carácter: un tensor (V,) que suma 1."""
    return probabilities(next_token_logits(model, tokenizer, prompt), temperature, top_k, top_p)


def top_predictions(model, tokenizer, prompt: str, k: int = 10, **sampling) -> list[tuple[str, float]]:
    """Los k caracteres más probables después de ``prompt``, con su probabilidad."""
    probs = next_token_distribution(model, tokenizer, prompt, **sampling)
    values, ids = probs.topk(min(k, probs.numel()))
    return [(tokenizer.decode([i]), float(p)) for p, i in zip(values.tolist(), ids.tolist(), strict=True)]


def _transposed(linear: nn.Linear) -> tuple[torch.Tensor, torch.Tensor]:
    return linear.bias.detach(), linear.weight.detach().t().contiguous()  # (salida,), (entrada, salida)


def _norm(layer: nn.LayerNorm) -> tuple:
    return layer.normalized_shape, layer.weight.detach(), layer.bias.detach(), layer.eps


class FastStep:
    """Un paso de generación (un solo carácter) con las cuentas preparadas de antemano.

    Hace lo mismo que ``GPT.forward`` con caché, pero en CPU un vector por una matriz transpuesta
    de antemano es ~3 veces más rápido, y cada operación que se ahorra cuenta: con un solo carácter
    el tiempo se va en llamar a muchas operaciones chiquitas, no en hacer cuentas.
    """

    def __init__(self, model: GPT):
        self.model = model
        self.layers = [self._prepare(b, model.config) for b in model.blocks]
        self.head, self.final_norm = _transposed(model.lm_head), _norm(model.ln_f)
        self.embeddings = model.wte.weight.detach().split(1)  # una fila (1, C) por carácter, ya recortada
        # la fila del sesgo de atención para la última consulta con T claves, ya recortada: (nh, 1, T)
        bias = model.blocks[0].attn.bias if model.blocks else None
        self.bias_rows = [None] + [bias[:, T - 1 : T, :T] for T in range(1, model.context_length + 1)]

    @staticmethod
    def _prepare(block: Block, config: GPTConfig):
        C, hs = config.n_embd, config.n_embd // config.n_head
        qkv_b, qkv_w = (t.clone() for t in _transposed(block.attn.c_attn))
        qkv_b[:C] *= hs**-0.5  # la escala de q·k ya va dentro de la matriz: una multiplicación menos
        qkv_w[:, :C] *= hs**-0.5
        # GELU(u) = u/2·(1 + erf(u/√2)): con u' = u/√2 queda u'·(1 + erf(u'))/√2, y los dos √2 se
        # meten en las matrices. Así es exacta y mucho más barata que F.gelu para un solo vector.
        fc_b, fc_w = (t * math.sqrt(0.5) for t in _transposed(block.mlp.c_fc))
        out_b, out_w = _transposed(block.mlp.c_proj)
        return (_norm(block.ln_1), (qkv_b, qkv_w), _transposed(block.attn.c_proj), _norm(block.ln_2),
                (fc_b, fc_w), (out_b, out_w * math.sqrt(0.5)))

    def __call__(self, token_id: int, position: int, caches: list[LayerCache]) -> torch.Tensor:
        """Los puntajes (V,) del carácter que sigue a ``token_id``. Se llama en modo de inferencia."""
        m, C = self.model, self.model.config.n_embd
        nh = m.config.n_head
        for listener in m.call_listeners:
            listener()
        x = self.embeddings[token_id]  # (1, C)
        if m.wpe is not None:
            x = x + m.wpe.weight[position]
        for (ln_1, qkv, proj, ln_2, fc, fc_out), cache in zip(self.layers, caches, strict=True):
            h = F.layer_norm(x, *ln_1)
            torch.addmm(qkv[0], h, qkv[1], out=cache.reserve()[0])  # q, k y v del carácter nuevo, a la caché
            q, k, v = cache.heads(nh)
            start, end = cache.start, cache.end  # las posiciones que mira: (T = end - start)
            scores = torch.baddbmm(self.bias_rows[end - start], q[:, end - 1 : end], k[:, :, start:end])  # (nh, 1, T)
            y = torch.bmm(scores.softmax(dim=-1), v[:, start:end]).view(1, C)  # (nh, 1, hs) → (1, C)
            x = torch.addmm(proj[0], y, proj[1]).add_(x)
            h = F.layer_norm(x, *ln_2)
            u = torch.addmm(fc[0], h, fc[1])  # u/√2
            gelu = torch.addcmul(u, u, torch.erf(u))  # u·(1 + erf(u)), sin el 1/√2 (va en la matriz)
            x = torch.addmm(fc_out[0], gelu, fc_out[1]).add_(x)
        x = F.layer_norm(x, *self.final_norm)
        return torch.addmm(self.head[0], x, self.head[1])[0]  # (V,)


class Generator:
    """Genera carácter a carácter y recuerda las claves/valores (caché KV) para ir rápido.

    Cuando el texto ya no cabe en el contexto, hay dos maneras de seguir:

    - ``exact=True``: en cada paso se recalcula la ventana completa de los últimos
      ``context_length`` caracteres. Es lo que dicen las diapositivas («solo ve su ventana»):
      la distribución es exactamente la de ``next_token_distribution`` con ese texto.
    - ``exact=False`` (el chat): la caché se desliza, se olvida la clave más vieja y se agrega
      la nueva, sin recalcular nada. Con ALiBi eso funciona porque las claves no guardan su
      posición; cada carácter guardado se calculó con su propia ventana, así que por las capas
      de más arriba llega algo de lo que ya salió de la ventana. Un modelo con embeddings de
      posición no puede deslizarse: rehace la caché con la mitad final de la ventana.
    """

    def __init__(self, model, tokenizer, prompt: str = "", exact: bool = False):
        self.model, self.tokenizer, self.exact = model, tokenizer, exact
        self.ids = _prompt_ids(tokenizer, prompt, model.context_length)
        self._logits = None
        self._step = FastStep(model) if isinstance(model, GPT) else None
        self._slides = isinstance(model, GPT) and model.config.alibi and not exact
        self._prefill()

    @torch.inference_mode()
    def _prefill(self):
        """Calcula la caché con los últimos caracteres que caben en el contexto."""
        ctx = self.model.context_length
        refresh = len(self.ids) >= ctx and not (self._slides or self.exact)
        keep = ctx // 2 if refresh else ctx  # sin deslizar, la mitad: que queden pasos antes de rehacerla
        window = self.ids[-keep:]
        self.caches = [LayerCache(ctx if self._slides else None) for _ in self._blocks()] if self._blocks() else None
        self.position = len(window)
        logits = self.model(torch.tensor([window]), caches=self.caches)[0] if self.caches else None
        self._logits = logits[0, -1] if logits is not None else self._full_logits()

    def _blocks(self):
        return getattr(self.model, "blocks", None)

    def _full_logits(self):
        return self.model(torch.tensor([self.ids[-self.model.context_length :]]))[0][0, -1]

    def window(self) -> list[int]:
        """Los ids que el modelo ve en la ventana, de una pasada (sin la caché deslizante)."""
        return self.ids[-self.model.context_length :]

    @torch.inference_mode()
    def distribution(self, temperature=1.0, top_k=None, top_p=None) -> torch.Tensor:
        """Probabilidades del próximo carácter dado todo lo generado hasta ahora."""
        return probabilities(self._logits, temperature, top_k, top_p)

    @torch.inference_mode()
    def append(self, token_id: int) -> None:
        """Agrega un carácter elegido y prepara la predicción siguiente."""
        self._append(token_id)

    def _append(self, token_id: int) -> None:  # ya en modo de inferencia
        self.ids.append(int(token_id))
        ctx = self.model.context_length
        if not self.caches or (self.exact and len(self.ids) > ctx):
            self._logits = self._full_logits()  # la ventana completa, de una pasada
        elif self.position >= ctx and not self._slides:  # se acabó el contexto: ventana nueva
            self._prefill()
        else:
            self._logits = self._step(int(token_id), self.position, self.caches)
            self.position += 1

    @torch.inference_mode()
    def sample(self, temperature=1.0, top_k=None, top_p=None, generator=None) -> int:
        return draw(probabilities(self._logits, temperature, top_k, top_p), generator)


def draw(probs: torch.Tensor, generator=None) -> int:
    """Sortea un índice con esas probabilidades, como una ruleta: cada uno ocupa su tajada.

    Hace lo mismo que ``torch.multinomial(probs, 1)``, pero con 99 números la suma acumulada en
    Python es varias veces más rápida que la versión general de torch.
    """
    cumulative = list(itertools.accumulate(probs.tolist()))
    spin = torch.rand((), generator=generator).item() * cumulative[-1]  # en [0, total)
    return min(bisect.bisect_right(cumulative, spin), len(cumulative) - 1)  # nunca uno de probabilidad 0


@torch.inference_mode()
def stream(model, tokenizer, prompt: str = "", max_new_tokens: int = 200, temperature=0.8,
           top_k=None, top_p=None, seed=None) -> Iterator[str]:
    """Entrega la continuación de ``prompt`` de a un carácter, como lo escribiría el modelo."""
    model.eval()
    rng = torch.Generator().manual_seed(int(seed)) if seed is not None else None
    gen = Generator(model, tokenizer, prompt)
    for _ in range(max(int(max_new_tokens), 0)):
        token = draw(probabilities(gen._logits, temperature, top_k, top_p), rng)
        yield tokenizer.itos[token]
        gen._append(token)


def generate(model, tokenizer, prompt: str = "", max_new_tokens: int = 200, **sampling) -> str:
    """Como ``stream`` pero devuelve todo el texto generado de una vez."""
    return "".join(stream(model, tokenizer, prompt, max_new_tokens, **sampling))


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
    """El GPT ya entrenado que viene con el taller. No necesita el corpus ni internet."""
    path = Path(path)
    if path not in _pretrained:
        model, tokenizer, _ = load_checkpoint(path)
        _pretrained[path] = (model, tokenizer)
    return _pretrained[path]


def checkpoint_info(path=CHECKPOINT) -> dict:
    return load_checkpoint(path)[2]


def main(argv: list[str]) -> int:
    from demos.bits import decimal, thousands
    from demos.cli import ArgumentParser

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
    print(prompt, end="", flush=True)
    with one_thread():
        for ch in stream(model, tokenizer, prompt, max_new_tokens=max(args.caracteres, 0),
                         temperature=args.temperatura, seed=args.semilla):
            print(ch, end="", flush=True)
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
