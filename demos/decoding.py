"""Escribir rápido: un carácter a la vez, recordando lo ya calculado (la caché KV).

``demos/model.py`` tiene la manera más simple de escribir (``generate``): en cada paso, el modelo
completo sobre toda la ventana. Aquí está la manera rápida, la que usan el chat y las diapositivas:

- ``LayerCache`` guarda q, k y v de cada carácter ya visto: el paso siguiente calcula uno solo;
- ``FastStep`` hace ese paso con las cuentas preparadas de antemano (en CPU, ~3 veces más rápido);
- ``Generator`` lleva el texto, la caché y la ventana; ``stream`` entrega los caracteres de a uno;
- ``one_thread``: las cuentas chicas van en un solo hilo de torch.

El paso rápido se compara una vez con el modelo de referencia: si alguien cambia el modelo (otra
activación, otra cuenta) y ya no calzan, se escribe con el modelo completo, más lento pero correcto.
"""

from __future__ import annotations

import contextlib
import math
import threading
import warnings
import weakref
from collections.abc import Iterator

import torch
from torch.nn import functional as F

from demos.model import GPT
from demos.sampling import draw, probabilities
from demos.tokenizer import CharTokenizer

CHECK_TOKENS = 6  # ¿con cuántos caracteres se compara el paso rápido con el modelo completo?
CHECK_TOLERANCE = 1e-3  # ¿cuánto pueden diferir sus puntajes? (los redondeos de float32 dan ~1e-5)


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


# ---------------------------------------------------------------- la caché


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


# ---------------------------------------------------------------- un paso, con las cuentas preparadas


def _transposed(linear) -> tuple[torch.Tensor, torch.Tensor]:
    return linear.bias.detach(), linear.weight.detach().t().contiguous()  # (salida,), (entrada, salida)


def _norm(layer) -> tuple:
    return layer.normalized_shape, layer.weight.detach(), layer.bias.detach(), layer.eps


class FastStep:
    """Un paso de generación (un solo carácter) con las cuentas preparadas de antemano.

    Hace lo mismo que ``GPT.forward`` con caché, pero en CPU un vector por una matriz transpuesta
    de antemano es ~3 veces más rápido, y cada operación que se ahorra cuenta: con un solo carácter
    el tiempo se va en llamar a muchas operaciones chiquitas, no en hacer cuentas.
    """

    ACTIVATIONS = ("gelu", "relu")  # las que sabe hacer; con otra, se niega con un mensaje claro

    def __init__(self, model: GPT):
        if model.config.activation not in self.ACTIVATIONS:
            raise ValueError(f"el paso rápido no sabe hacer la activación «{model.config.activation}» "
                             f"(solo {', '.join(self.ACTIVATIONS)}): agrégala en FastStep")
        self.model = model
        self.gelu = model.config.activation == "gelu"
        self.layers = [self._prepare(b) for b in model.blocks]
        self.head, self.final_norm = _transposed(model.lm_head), _norm(model.ln_f)
        self.embeddings = model.wte.weight.detach().split(1)  # una fila (1, C) por carácter, ya recortada
        # la fila del sesgo de atención para la última consulta con T claves, ya recortada: (nh, 1, T)
        bias = model.blocks[0].attn.bias if model.blocks else None
        self.bias_rows = [None] + [bias[:, T - 1 : T, :T] for T in range(1, model.context_length + 1)]

    def _prepare(self, block):
        C, nh = self.model.config.n_embd, self.model.config.n_head
        qkv_b, qkv_w = (t.clone() for t in _transposed(block.attn.c_attn))
        qkv_b[:C] *= (C // nh) ** -0.5  # la escala de q·k ya va dentro de la matriz: una multiplicación menos
        qkv_w[:, :C] *= (C // nh) ** -0.5
        fc_b, fc_w = _transposed(block.mlp.c_fc)
        out_b, out_w = _transposed(block.mlp.c_proj)
        if self.gelu:
            # GELU(u) = u/2·(1 + erf(u/√2)): con u' = u/√2 queda u'·(1 + erf(u'))/√2, y los dos √2 se
            # meten en las matrices. Así es exacta y mucho más barata que F.gelu para un solo vector.
            fc_b, fc_w, out_w = fc_b * math.sqrt(0.5), fc_w * math.sqrt(0.5), out_w * math.sqrt(0.5)
        return (_norm(block.ln_1), (qkv_b, qkv_w), _transposed(block.attn.c_proj), _norm(block.ln_2),
                (fc_b, fc_w), (out_b, out_w))

    def _activation(self, u):
        if self.gelu:
            return torch.addcmul(u, u, torch.erf(u))  # u·(1 + erf(u)), sin el 1/√2 (va en la matriz)
        return F.relu(u)

    def __call__(self, token_id: int, position: int, caches: list[LayerCache]) -> torch.Tensor:
        """Los puntajes (V,) del carácter que sigue a ``token_id``. Se llama en modo de inferencia."""
        m, C = self.model, self.model.config.n_embd
        x = self.embeddings[token_id]  # (1, C)
        if m.wpe is not None:
            x = x + m.wpe.weight[position]
        for (ln_1, qkv, proj, ln_2, fc, fc_out), cache in zip(self.layers, caches, strict=True):
            h = F.layer_norm(x, *ln_1)
            torch.addmm(qkv[0], h, qkv[1], out=cache.reserve()[0])  # q, k y v del carácter nuevo, a la caché
            q, k, v = cache.heads(m.config.n_head)
            start, end = cache.start, cache.end  # las posiciones que mira: (T = end - start)
            scores = torch.baddbmm(self.bias_rows[end - start], q[:, end - 1 : end], k[:, :, start:end])  # (nh, 1, T)
            y = torch.bmm(scores.softmax(dim=-1), v[:, start:end]).view(1, C)  # (nh, 1, hs) → (1, C)
            x = torch.addmm(proj[0], y, proj[1]).add_(x)
            h = F.layer_norm(x, *ln_2)
            x = torch.addmm(fc_out[0], self._activation(torch.addmm(fc[0], h, fc[1])), fc_out[1]).add_(x)
        x = F.layer_norm(x, *self.final_norm)
        return torch.addmm(self.head[0], x, self.head[1])[0]  # (V,)


_checked: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # modelo → ¿calza su paso rápido?


@torch.inference_mode()
def fast_step_for(model) -> FastStep | None:
    """El paso rápido de ``model``, o ``None`` si no sirve: no es un GPT, o no calza con el modelo.

    Se compara una vez por modelo con ``model(idx)`` sobre unos pocos caracteres. Si alguien cambió
    la cuenta del modelo y el paso rápido ya no da lo mismo, se avisa y se escribe con el modelo
    completo: más lento, pero nunca distinto de lo que aprendió.
    """
    if not isinstance(model, GPT) or not model.blocks:
        return None
    try:
        step = FastStep(model)
    except ValueError as error:
        _warn_once(model, f"escribo con el modelo completo (más lento): {error}.")
        return None
    if model not in _checked:
        _checked[model] = _agrees(model, step)
        if not _checked[model]:
            _warn_once(model, "el paso rápido no da lo mismo que el modelo (¿cambió su código?): "
                              "escribo con el modelo completo (más lento).")
    return step if _checked[model] else None


def _agrees(model: GPT, step: FastStep) -> bool:
    ids = torch.arange(CHECK_TOKENS) % model.config.vocab_size
    was_training = model.training
    model.eval()  # sin dropout: las dos cuentas deben ser deterministas para compararlas
    try:
        reference = model(ids.view(1, -1))[0][0]  # (T, V)
        fast = fast_logits(model, step, ids)
    finally:
        model.train(was_training)
    return bool(torch.allclose(fast, reference, atol=CHECK_TOLERANCE, rtol=0))


def fast_logits(model: GPT, step: FastStep, ids: torch.Tensor) -> torch.Tensor:
    """(T, V): como ``model(ids)``, pero el primer carácter con el modelo y cada uno de los demás con el
    paso rápido. Lo que el paso rápido DEBE dar, fila por fila."""
    caches = [LayerCache() for _ in model.blocks]
    first = model(ids[:1].view(1, 1), caches=caches)[0][0]  # (1, V): llena la caché con el primero
    rest = [step(int(token), position, caches) for position, token in enumerate(ids[1:].tolist(), start=1)]
    return torch.cat([first, *(row.view(1, -1) for row in rest)])


_warned: set[int] = set()


def _warn_once(model, message: str) -> None:
    if id(model) not in _warned:
        _warned.add(id(model))
        warnings.warn(message, stacklevel=3)


# ---------------------------------------------------------------- escribir carácter a carácter


def prompt_ids(tokenizer: CharTokenizer, prompt: str, context_length: int) -> list[int]:
    """Los ids que ve el modelo: sin texto, un salto de línea; si es muy largo, solo el final."""
    ids = tokenizer.encode(prompt or "\n")
    return ids[-context_length:]


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

    def __init__(self, model, tokenizer, prompt: str = "", exact: bool = False, ids: list[int] | None = None):
        self.model, self.tokenizer, self.exact = model, tokenizer, exact
        # ``ids`` en vez de texto: una conversación con las marcas de la plantilla (demos/chat_template.py)
        self.ids = list(ids[-model.context_length:]) if ids else prompt_ids(tokenizer, prompt, model.context_length)
        self._step = fast_step_for(model)
        self._slides = self._step is not None and model.config.alibi and not exact
        self._prefill()

    @torch.inference_mode()
    def _prefill(self):
        """Calcula la caché con los últimos caracteres que caben en el contexto."""
        ctx = self.model.context_length
        refresh = len(self.ids) >= ctx and not (self._slides or self.exact)
        keep = ctx // 2 if refresh else ctx  # sin deslizar, la mitad: que queden pasos antes de rehacerla
        window = self.ids[-keep:]
        self.caches = [LayerCache(ctx if self._slides else None) for _ in self.model.blocks] if self._step else None
        self.position = len(window)
        self.logits = self.model(torch.tensor([window]), caches=self.caches)[0][0, -1] if self._step \
            else self._full_logits()

    def _full_logits(self):
        return self.model(torch.tensor([self.window()]))[0][0, -1]

    def window(self) -> list[int]:
        """Los ids que el modelo ve en la ventana, de una pasada (sin la caché deslizante)."""
        return self.ids[-self.model.context_length :]

    @torch.inference_mode()
    def distribution(self, temperature=1.0, top_k=None, top_p=None) -> torch.Tensor:
        """Probabilidades del próximo carácter dado todo lo generado hasta ahora."""
        return probabilities(self.logits, temperature, top_k, top_p)

    @torch.inference_mode()
    def append(self, token_id: int) -> None:
        """Agrega un carácter elegido y prepara la predicción siguiente."""
        self._advance(token_id)

    def _advance(self, token_id: int) -> None:  # ya en modo de inferencia
        self.ids.append(int(token_id))
        ctx = self.model.context_length
        if not self._step or (self.exact and len(self.ids) > ctx):
            self.logits = self._full_logits()  # la ventana completa, de una pasada
        elif self.position >= ctx and not self._slides:  # se acabó el contexto: ventana nueva
            self._prefill()
        else:
            self.logits = self._step(int(token_id), self.position, self.caches)
            self.position += 1

    @torch.inference_mode()
    def sample(self, temperature=1.0, top_k=None, top_p=None, generator=None) -> int:
        return draw(probabilities(self.logits, temperature, top_k, top_p), generator)


@torch.inference_mode()
def stream(model, tokenizer, prompt: str = "", max_new_tokens: int = 200, temperature=0.8,
           top_k=None, top_p=None, seed=None) -> Iterator[str]:
    """Entrega la continuación de ``prompt`` de a un carácter, como lo escribiría el modelo."""
    model.eval()
    rng = torch.Generator().manual_seed(int(seed)) if seed is not None else None
    gen = Generator(model, tokenizer, prompt)
    for _ in range(max(int(max_new_tokens), 0)):
        # sin pasar por los métodos decorados: ya estamos en modo de inferencia, y por carácter cuenta
        token = draw(probabilities(gen.logits, temperature, top_k, top_p), rng)
        yield tokenizer.itos[token]
        gen._advance(token)


def continue_text(model, tokenizer, prompt: str = "", max_new_tokens: int = 200, **sampling) -> str:
    """Como ``stream`` pero devuelve todo el texto nuevo de una vez."""
    return "".join(stream(model, tokenizer, prompt, max_new_tokens, **sampling))


# ---------------------------------------------------------------- la distribución del siguiente carácter


@torch.no_grad()
def next_token_logits(model, tokenizer, prompt: str) -> torch.Tensor:
    """Los puntajes crudos (V,) del siguiente carácter, antes de la temperatura."""
    model.eval()
    ids = prompt_ids(tokenizer, prompt, model.context_length)
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
