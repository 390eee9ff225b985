"""Tokens: de texto a números, y de números a vectores (texto → tokens → embeddings).

1. **Por carácter**, como el notebook del taller: cada letra distinta recibe un número.
2. **Por trozos de palabra (BPE)**, como GPT: partimos de los 256 bytes posibles y fusionamos,
   una y otra vez, el par de tokens vecinos más frecuente del corpus. Como parte de bytes,
   cualquier texto se puede codificar (emojis, árabe, chino…), y vuelve intacto.
3. **Embeddings**: el modelo incluido aprendió una lista de números por carácter; las letras
   que se usan parecido quedan cerca.

Uso:
    python -m demos.tokens "Hola Don Quijote"        # caracteres, bytes y nuestros tokens BPE
    python -m demos.tokens --fusiones 20 "Hola Don"  # BPE con solo las primeras 20 fusiones
    python -m demos.tokens --vecinos a               # los vecinos de «a» en los embeddings
"""

from __future__ import annotations

import codecs
import functools
import html
import re
import sys
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from operator import itemgetter

import torch
from torch.nn import functional as F

from demos import bits, corpus, svgplot
from demos.aula.cli import ArgumentParser
from demos.decoding import one_thread
from demos.formatting import INVISIBLE, clean, count, decimal, thousands, visible, visible_char
from demos.model import load_pretrained
from demos.tokenizer import CharTokenizer

BPE_MERGES = 400  # ¿cuántas fusiones aprende nuestro BPE? (GPT-2 aprendió 50.000)
BPE_TRAIN_CHARS = 400_000  # ¿con cuánto Quijote lo entrenamos? (más = mejor, pero más lento)
MAX_SHOWN_TOKENS = 120  # ¿cuántos tokens de color caben en una diapositiva?
MAX_TEXT_CHARS = 2_000  # ¿cuánto texto tokenizamos por caja? (pegar 100.000 caracteres no debe trabar nada)
MAX_PIECE_BYTES = 64  # una «palabra» más larga se corta en trozos: así codificar tarda lo mismo por byte
MAX_SHOWN_VOCAB = 120
# Como GPT-2: primero se corta en «palabras» (con su espacio delante) y nunca se fusiona entre dos.
WORD_PATTERN = re.compile(r" ?\w+| ?[^\w\s]+|\s+(?!\S)|\s+")
EXAMPLE = "En un lugar de la Mancha, de cuyo nombre no quiero acordarme, vivía un hidalgo."
SPANISH = "En un lugar de la Mancha vivía un hidalgo que leía libros de caballerías."
ENGLISH = "In a village of La Mancha lived a gentleman who read books of chivalry."
# Si no hay corpus, el BPE aprende de este párrafo (El Quijote, capítulo 1: dominio público).
FALLBACK_TEXT = (
    "En un lugar de la Mancha, de cuyo nombre no quiero acordarme, no ha mucho tiempo que vivía un hidalgo "
    "de los de lanza en astillero, adarga antigua, rocín flaco y galgo corredor. Una olla de algo más vaca "
    "que carnero, salpicón las más noches, duelos y quebrantos los sábados, lentejas los viernes, algún "
    "palomino de añadidura los domingos, consumían las tres partes de su hacienda. El resto della concluían "
    "sayo de velarte, calzas de velludo para las fiestas con sus pantuflos de lo mismo, los días de entre "
    "semana se honraba con su vellorí de lo más fino. Tenía en su casa una ama que pasaba de los cuarenta, y "
    "una sobrina que no llegaba a los veinte, y un mozo de campo y plaza, que así ensillaba el rocín como "
    "tomaba la podadera. Frisaba la edad de nuestro hidalgo con los cincuenta años; era de complexión "
    "recia, seco de carnes, enjuto de rostro, gran madrugador y amigo de la caza.\n"
)


def _hex_for_broken_bytes(error: UnicodeDecodeError):
    """Un token puede ser medio carácter (un byte suelto de «ñ»): lo mostramos como ‹c3›."""
    return "".join(f"‹{b:02x}›" for b in error.object[error.start : error.end]), error.end


codecs.register_error("taller_hex", _hex_for_broken_bytes)


def _to_bytes(text: str) -> bytes:
    # «surrogatepass»: hasta un sustituto suelto (texto inválido) se codifica y vuelve igual
    return text.encode("utf-8", errors="surrogatepass")


def _from_bytes(data: bytes) -> str:
    try:
        return data.decode("utf-8", errors="surrogatepass")
    except UnicodeDecodeError:  # una lista de ids cualquiera puede cortar un carácter a la mitad
        return data.decode("utf-8", errors="replace")


# ---------------------------------------------------------------- 1. un token por carácter


def char_tokenizer(text: str | None, error: str | None = None) -> tuple[CharTokenizer, str | None]:
    """El tokenizador del notebook, hecho con las letras del corpus. Sin corpus: el del modelo incluido
    (y, en la nota, cómo conseguir el corpus: ``error`` es el mensaje de ``corpus.try_load_text``)."""
    if text:
        return CharTokenizer.from_text(text), None
    note = "No pude leer El Quijote: uso el vocabulario del modelo incluido, que es el mismo."
    if not error:
        return load_pretrained()[1], f"*{note}*"
    # plegado: el mensaje completo no cabe en la diapositiva junto al vocabulario
    return load_pretrained()[1], f"/// details | {note}\n\n```text\n{error.strip()}\n```\n///"


def same_vocabulary_as_model(tokenizer: CharTokenizer) -> bool:
    return tokenizer.chars == load_pretrained()[1].chars


def vocabulary_note(tokenizer: CharTokenizer, note: str | None = None) -> str:
    """¿El modelo incluido usa este mismo vocabulario? (no necesita el corpus para saberlo)"""
    same = ("El modelo incluido, QuijoteGPT, usa **este mismo vocabulario**."
            if same_vocabulary_as_model(tokenizer) else
            f"Ojo: el modelo incluido usa otro vocabulario ({load_pretrained()[1].vocab_size} caracteres).")
    # sin corpus, la nota ya dice que el vocabulario es el del modelo: repetirlo no cabría
    return note or same


def vocab_html(tokenizer: CharTokenizer, limit: int = MAX_SHOWN_VOCAB) -> str:
    """Cada carácter del vocabulario con su número: ese número es el token."""
    cells = "".join(
        f"<span style='display:inline-block;text-align:center;min-width:34px;margin:2px;padding:2px;"
        f"background:#f1f3f5;border-radius:4px'><span style='font-size:22px;white-space:pre'>"
        f"{html.escape(visible(ch))}</span><br><small style='font-size:19px;color:#495057'>{i}</small></span>"
        for i, ch in enumerate(tokenizer.chars[:limit]))
    extra = len(tokenizer.chars) - limit
    more = f"<span style='font-size:20px'> … y {extra} más</span>" if extra > 0 else ""
    return f"<div style='line-height:1.1'>{cells}{more}</div>"


ROUND_TRIP_CHARS = 60  # ¿cuántos caracteres caben en la línea de encode/decode?


def round_trip_md(tokenizer: CharTokenizer, text="Hola Don") -> str:
    """``encode`` → números; ``decode`` → el mismo texto. La ida y la vuelta, en markdown."""
    text, notes = clean(text)
    if not text:
        return "Escribe algo en la caja para ver sus números."
    shown = text[:ROUND_TRIP_CHARS]
    ids = tokenizer.encode(shown)
    back = tokenizer.decode(ids)
    lines = [f"``encode({_code(shown)})`` → ``{ids}``", f"``decode(…)`` → ``{_code(back)}``"]
    if back == unicodedata.normalize("NFC", shown):
        lines.append("✔ ida y vuelta: el mismo texto.")
    unknown = tokenizer.unknown_chars(shown)
    if unknown:
        names = ", ".join(char_name(c) for c in unknown)
        lines.append(f"Ojo: el vocabulario no tiene {names}: se reemplaza por el más parecido, así que la vuelta "
                     "no es idéntica.")
    if len(text) > len(shown):
        lines.append(f"(Muestro solo los primeros {len(shown)} de {thousands(len(text))} caracteres.)")
    # un solo párrafo, con saltos de línea: sin el espacio entre párrafos, cabe bajo el vocabulario
    return "  \n".join(lines + notes)


def _code(text: str) -> str:
    """El texto como lo escribe Python (los invisibles como \\x00, \\u202e…); el acento grave, como
    \\x60, que es lo mismo para Python y no corta el código en markdown."""
    return repr(text).replace("`", "\\x60")


# ---------------------------------------------------------------- 2. BPE: trozos de palabra


@dataclass
class BPE:
    """Un tokenizador BPE a nivel de bytes: los ids 0–255 son bytes; el 256 + i, la fusión i."""

    merges: list[tuple[int, int]]  # en orden de aprendizaje
    counts: list[int] = field(default_factory=list)  # cuántas veces apareció cada par al fusionarlo
    source: str = ""  # con qué texto se entrenó

    def __post_init__(self):
        self.ranks = {pair: i for i, pair in enumerate(self.merges)}
        self.vocab = {i: bytes([i]) for i in range(256)}
        for i, (a, b) in enumerate(self.merges):
            self.vocab[256 + i] = self.vocab[a] + self.vocab[b]
        self._cache: dict[tuple[str, int], list[int]] = {}

    def limit(self, n_merges) -> int:
        """Cuántas fusiones usar: entre 0 y todas las aprendidas (``None``: todas)."""
        return bits.clamped(n_merges, 0, len(self.merges), default=len(self.merges))[0]

    def encode(self, text: str, n_merges: int | None = None) -> list[int]:
        """Texto → ids, usando solo las primeras ``n_merges`` fusiones."""
        n = self.limit(n_merges)
        ids: list[int] = []
        for piece in pieces(text):
            ids.extend(self._encode_piece(piece, n))
        return ids

    def _encode_piece(self, piece: bytes, n: int) -> list[int]:
        key = (piece, n)
        ids = self._cache.get(key)  # leer una sola vez: otra sesión puede vaciar la caché entremedio
        if ids is None:
            if len(self._cache) > 50_000:  # un texto enorme no debe llenar la memoria
                self._cache.clear()
            ids = self._cache[key] = self._merge_piece(list(piece), n)
        return ids

    def _merge_piece(self, ids: list[int], n: int) -> list[int]:
        """Aplica las fusiones en el mismo orden en que se aprendieron (un trozo es corto: ≤ 64 bytes)."""
        never = len(self.merges)
        while len(ids) >= 2:
            rank = min(self.ranks.get(pair, never) for pair in zip(ids, ids[1:], strict=False))
            if rank >= n:
                break
            ids = merge(ids, self.merges[rank], 256 + rank)
        return ids

    def decode(self, ids: list[int]) -> str:
        return _from_bytes(b"".join(self.vocab.get(int(i), b"") for i in ids))

    def token_text(self, token_id: int) -> str:
        """Cómo se ve un token: su texto, o ‹c3› si es solo un pedazo de un carácter."""
        return self.vocab.get(int(token_id), b"").decode("utf-8", errors="taller_hex")


def pieces(text: str) -> list[bytes]:
    """El texto en trozos de bytes que nunca se fusionan entre sí: cada «palabra» (con su espacio
    delante, como GPT-2), y las palabras larguísimas, en trozos de hasta ``MAX_PIECE_BYTES``."""
    return [chunk for word in WORD_PATTERN.findall(text) for chunk in split_long(_to_bytes(word))]


def split_long(data: bytes, size: int = MAX_PIECE_BYTES) -> list[bytes]:
    """Corta ``data`` en trozos de hasta ``size`` bytes sin partir un carácter por la mitad."""
    chunks, start = [], 0
    while start < len(data):
        end = min(len(data), start + size)
        while start + 1 < end < len(data) and 0x80 <= data[end] < 0xC0:  # byte del medio de un carácter
            end -= 1
        chunks.append(data[start:end])
        start = end
    return chunks


def merge(ids: list[int], pair: tuple[int, int], new_id: int) -> list[int]:
    """Reemplaza cada aparición de ``pair`` (dos vecinos) por ``new_id``."""
    out, i = [], 0
    while i < len(ids):
        if i + 1 < len(ids) and (ids[i], ids[i + 1]) == pair:
            out.append(new_id)
            i += 2
        else:
            out.append(ids[i])
            i += 1
    return out


def train_bpe(text: str, n_merges: int = BPE_MERGES) -> BPE:
    """Aprende ``n_merges`` fusiones: cada vez, el par de vecinos más frecuente se vuelve un token nuevo.

    Para ir rápido contamos cada palabra distinta una sola vez (con cuántas veces aparece), y al
    fusionar solo recontamos las palabras que tenían ese par.
    """
    words = Counter(pieces(text))
    chunks = [list(piece) for piece in words]  # cada trozo como lista de bytes
    freq = list(words.values())
    pair_count: Counter = Counter()
    pair_words: defaultdict = defaultdict(set)  # par → palabras donde aparece
    for w, chunk in enumerate(chunks):
        _add_pairs(chunk, freq[w], w, pair_count, pair_words)
    merges, counts = [], []
    for new_id in range(256, 256 + n_merges):
        if not pair_count:
            break
        best, times = max(pair_count.items(), key=itemgetter(1))
        if times < 2:  # un par que aparece una sola vez no enseña nada
            break
        merges.append(best)
        counts.append(times)
        for w in pair_words.pop(best, ()):
            _add_pairs(chunks[w], -freq[w], w, pair_count, pair_words)  # saca los pares viejos
            chunks[w] = merge(chunks[w], best, new_id)
            _add_pairs(chunks[w], freq[w], w, pair_count, pair_words)  # y cuenta los nuevos
        pair_count.pop(best, None)
    return BPE(merges, counts)


def _add_pairs(piece, weight, w, pair_count, pair_words) -> None:
    for pair in zip(piece, piece[1:], strict=False):
        pair_count[pair] += weight
        if weight > 0:
            pair_words[pair].add(w)
        elif pair_count[pair] <= 0:
            del pair_count[pair]


@functools.lru_cache(maxsize=2)
def trained_bpe(n_merges: int = BPE_MERGES, train_chars: int = BPE_TRAIN_CHARS) -> BPE:
    """El BPE de la presentación: se entrena UNA vez (≈1 s) y queda guardado; el deslizador solo
    elige cuántas de sus fusiones aplicar."""
    text, _ = corpus.try_load_text()
    if text:
        bpe = train_bpe(text[:train_chars], n_merges)
        bpe.source = f"los primeros {thousands(min(train_chars, len(text)))} caracteres de El Quijote"
    else:
        bpe = train_bpe(FALLBACK_TEXT, n_merges)
        bpe.source = "un solo párrafo del Quijote (no pude leer el corpus completo)"
    return bpe


# ---------------------------------------------------------------- lo que se ve del BPE


def _escaped(text: str) -> str:
    """Listo para HTML, con los invisibles a la vista (un RLO no da vuelta la diapositiva)."""
    return html.escape(bits.printable(text))


def tokens_html(ids: list[int], to_text, limit: int = MAX_SHOWN_TOKENS) -> str:
    """El texto pintado por token (un color por token) con el id de cada uno debajo."""
    cells = []
    for i, token_id in enumerate(ids[:limit]):
        color = bits.SOFT_COLORS[i % len(bits.SOFT_COLORS)]
        cells.append(
            f"<span style='display:inline-block;text-align:center;background:{color};margin:1px;"
            f"padding:0 3px;border-radius:4px'><span dir='ltr' style='font-size:22px;white-space:pre;"
            f"unicode-bidi:isolate'>{_escaped(to_text(token_id))}</span><br>"
            f"<small style='font-size:19px;color:#495057'>{token_id}</small></span>")
    more = f"<span style='font-size:20px'> … (+{thousands(len(ids) - limit)} tokens)</span>" \
        if len(ids) > limit else ""
    return f"<div style='line-height:1.15;max-width:1150px'>{''.join(cells)}{more}</div>"


def merge_rows(bpe: BPE, n_merges: int, last: int = 6) -> list[dict]:
    """Las últimas fusiones en uso: «q» + «ue» → «que»."""
    n = bpe.limit(n_merges)
    return [{"número": i + 1, "izquierda": bpe.token_text(a), "derecha": bpe.token_text(b),
             "nuevo": bpe.token_text(256 + i), "id": 256 + i, "veces": bpe.counts[i] if i < len(bpe.counts) else 0}
            for i, (a, b) in list(enumerate(bpe.merges[:n]))[-last:]]


def merges_html(bpe: BPE, n_merges: int, last: int = 6) -> str:
    rows = merge_rows(bpe, n_merges, last)
    if not rows:
        return "<div style='font-size:20px'>Sin fusiones: cada byte es un token.</div>"
    items = "".join(
        f"<div>#{r['número']}: «{_escaped(r['izquierda'])}» + «{_escaped(r['derecha'])}» → "
        f"<b style='white-space:pre'>«{_escaped(r['nuevo'])}»</b> <span style='color:#495057'>(id {r['id']}, "
        f"{thousands(r['veces'])} veces)</span></div>" for r in rows)
    return f"<div style='font-size:20px;font-family:ui-monospace,monospace'>{items}</div>"


def text_counts(text: str, bpe: BPE, n_merges: int | None = None) -> dict:
    ids = bpe.encode(text, n_merges)
    return {"caracteres": len(text), "bytes": len(_to_bytes(text)), "tokens": len(ids), "ids": ids}


def for_tokens(text, what: str = "El texto") -> tuple[str, list[str]]:
    """El texto listo para tokenizar en una diapositiva: limpio y de hasta ``MAX_TEXT_CHARS`` caracteres."""
    text, notes = clean(text)
    if len(text) > MAX_TEXT_CHARS:
        notes.append(f"{what} tiene {thousands(len(text))} caracteres: cuento los tokens de los primeros "
                     f"{thousands(MAX_TEXT_CHARS)}.")
    return text[:MAX_TEXT_CHARS], notes


def merges_choice(bpe: BPE, n_merges) -> tuple[int, list[str]]:
    """Cuántas fusiones usar, y el aviso si lo pedido no existe (menos de 0 o más de las aprendidas)."""
    n, note = bits.clamped(n_merges, 0, len(bpe.merges), default=len(bpe.merges), unit=("fusión", "fusiones"))
    return n, [f"Ojo: {note}"] if note else []


def bpe_html(text, bpe: BPE, n_merges) -> str:
    """El texto en tokens de color, las cuentas y las últimas fusiones aprendidas."""
    text, notes = for_tokens(text)
    notes += bits.notes_about(text, limit=len(text)) if text else ["Escribe algo en la caja para verlo en tokens."]
    n, merge_notes = merges_choice(bpe, n_merges)
    counts = text_counts(text, bpe, n)
    if counts["tokens"] > MAX_SHOWN_TOKENS:
        notes.append(f"Son {thousands(counts['tokens'])} tokens: pinto solo los primeros {MAX_SHOWN_TOKENS}.")
    sizes = (count(counts["caracteres"], "carácter", "caracteres"), count(counts["bytes"], "byte", "bytes"),
             count(counts["tokens"], "token", "tokens"))
    summary = (f"<div style='font-size:20px'>{count(n, 'fusión', 'fusiones')} · "
               f"<b>{'</b> → <b>'.join(sizes)}</b> <span style='font-size:19px;color:#495057'>(aprendidas de "
               f"{html.escape(bpe.source or 'un texto')})</span></div>")
    # los avisos van arriba, como en «Bits»: si algo se corta, la sala lo lee primero
    return (f"<div style='display:flex;flex-direction:column;gap:10px'>{summary}"
            f"{bits.notes_html(merge_notes + notes)}{tokens_html(counts['ids'], bpe.token_text)}"
            f"{merges_html(bpe, n)}</div>")


# ---------------------------------------------------------------- castellano e inglés


def char_name(ch: str) -> str:
    """Cómo nombrar un carácter en un aviso: «k», o ␣ (espacio), ZWJ (unión de ancho cero), ␇ (U+0007)…"""
    label, name = visible_char(ch)
    if ch in INVISIBLE:
        return f"{label} ({name})"
    code = f"U+{ord(ch):04X}"
    if code in label:  # su dibujo ya es su punto de código: ⟨U+2063⟩
        return label
    if label != ch:  # controles, marcas combinables: con su punto de código
        return f"{label} ({code})"
    return f"«{ch}»"


def language_rows(texts: dict[str, str], bpe: BPE, char_tok: CharTokenizer | None = None) -> list[dict]:
    """Para cada idioma: caracteres, bytes y nuestros tokens (BPE aprendido en castellano)."""
    char_tok = char_tok or load_pretrained()[1]
    rows = []
    for language, text in texts.items():
        text, notes = for_tokens(text, f"La frase en {language}")
        counts = text_counts(text, bpe)
        rows.append({"idioma": language, "caracteres": counts["caracteres"], "bytes": counts["bytes"],
                     "tokens": counts["tokens"], "ids": counts["ids"],
                     "caracteres por token": counts["caracteres"] / counts["tokens"] if counts["tokens"] else 0.0,
                     "desconocidos": char_tok.unknown_chars(text), "avisos": notes})
    return rows


def languages_html(texts: dict[str, str], bpe: BPE) -> str:
    """Cada frase en tokens de color, con sus cuentas encima (caracteres, bytes, tokens).

    Sin tabla aparte: cada cuenta va junto a sus tokens, y así la diapositiva cabe con letra grande.
    """
    rows = language_rows(texts, bpe)
    strips = "".join(
        f"<div style='margin-top:8px'><div style='font-size:22px'><b>{html.escape(r['idioma'])}</b>: "
        f"{count(r['caracteres'], 'carácter', 'caracteres')} · {count(r['bytes'], 'byte', 'bytes')} → "
        f"<b>{count(r['tokens'], 'token', 'tokens')}</b> "
        f"({decimal(r['caracteres por token'])} caracteres por token)</div>"
        f"{tokens_html(r['ids'], bpe.token_text, limit=60)}</div>" for r in rows)
    return f"{strips}{bits.notes_html(language_notes(rows))}"


def language_notes(rows: list[dict]) -> list[str]:
    notes = [note for r in rows for note in r["avisos"]]
    unknown = [f"{r['idioma']}: {', '.join(char_name(c) for c in r['desconocidos'][:12])}"
               + (" …" if len(r["desconocidos"]) > 12 else "") for r in rows if r["desconocidos"]]
    if unknown:
        notes.append(f"Letras que nuestro modelo de caracteres nunca vio en el Quijote — {'; '.join(unknown)}.")
    if any(not r["caracteres"] for r in rows):
        notes.append("Una de las frases está vacía: escribe algo para comparar.")
    return notes


# ---------------------------------------------------------------- 3. embeddings del modelo incluido

KINDS = ["vocal", "consonante", "dígito", "puntuación", "espacio"]
VOWELS = set("aeiou")


def char_kind(ch: str) -> str:
    """¿Qué clase de carácter es? (para colorear el mapa)"""
    if ch.isspace():
        return "espacio"
    if ch.isdigit():
        return "dígito"
    if ch.isalpha():
        base = unicodedata.normalize("NFD", ch)[0].lower()
        return "vocal" if base in VOWELS else "consonante"
    return "puntuación"


@functools.lru_cache(maxsize=4)
def projection(model) -> torch.Tensor:
    """Los embeddings (V, C) aplastados a (V, 2) con PCA: las dos direcciones en que más varían."""
    weights = model.wte.weight.detach().float()
    centered = weights - weights.mean(dim=0)
    _, _, vh = torch.linalg.svd(centered, full_matrices=False)  # vh[:2]: las dos direcciones principales
    xy = centered @ vh[:2].T  # (V, 2)
    signs = torch.sign(xy[xy.abs().argmax(dim=0), torch.arange(2)])  # signo fijo: el mismo dibujo siempre
    return xy * signs


def embedding_rows(model, tokenizer: CharTokenizer) -> list[dict]:
    xy = projection(model).tolist()
    return [{"carácter": visible(ch), "x": round(x, 4), "y": round(y, 4), "clase": char_kind(ch)}
            for ch, (x, y) in zip(tokenizer.chars, xy, strict=True)]


def pick_char(text, tokenizer: CharTokenizer) -> tuple[str, list[str]]:
    """El carácter que eligió la sala, o uno parecido que el modelo conozca, con avisos."""
    text, notes = clean(text)
    text = unicodedata.normalize("NFC", text)
    if not text:
        return "a", notes + ["La caja está vacía: muestro la «a»."]
    ch = text[0]
    if len(text) > 1:
        notes.append(f"Escribiste {thousands(len(text))} caracteres: uso solo el primero, {char_name(ch)}.")
    known = tokenizer.known(ch)
    if known != ch:
        notes.append(f"El modelo nunca vio {char_name(ch)}: uso {char_name(known)} en su lugar.")
    return known, notes


def nearest(model, tokenizer: CharTokenizer, ch: str, k: int = 8) -> list[tuple[str, float]]:
    """Los k caracteres con el embedding más parecido (similitud coseno: 1 = misma dirección)."""
    with one_thread():  # 99 vectores chicos: repartirlos entre núcleos cuesta 10 veces más que hacerlo en uno
        weights = F.normalize(model.wte.weight.detach().float(), dim=1)  # (V, C), cada fila de largo 1
        i = tokenizer.stoi[ch]
        similarity = weights @ weights[i]  # (V,)
        similarity[i] = -2.0  # él mismo no cuenta
        values, ids = similarity.topk(min(k, len(tokenizer.chars) - 1))
    return [(tokenizer.chars[j], float(v)) for v, j in zip(values.tolist(), ids.tolist(), strict=True)]


def embedding_chart(model, tokenizer: CharTokenizer, chosen: str | None = None, width: int = 600,
                    height: int = 460) -> str:
    """SVG: cada carácter en su punto, coloreado por clase; el elegido y sus vecinos, con un halo."""
    rows = embedding_rows(model, tokenizer)
    marked = {chosen} | {c for c, _ in nearest(model, tokenizer, chosen)} if chosen in tokenizer.stoi else set()
    xs, ys = [r["x"] for r in rows], [r["y"] for r in rows]
    x = svgplot.Scale(min(xs), max(xs), 24, width - 24)
    y = svgplot.Scale(min(ys), max(ys), height - 70, 48)
    colors = dict(zip(KINDS, svgplot.PALETTE, strict=False))
    halos = "".join(svgplot.circle(x(r["x"]), y(r["y"]), 17, "#ffe066", 0.9)
                    for ch, r in zip(tokenizer.chars, rows, strict=True) if ch in marked)
    labels = "".join(svgplot.text(x(r["x"]), y(r["y"]) + 7, r["carácter"], 20, colors[r["clase"]], weight="bold")
                     for r in rows)
    legend, left = "", 30
    for kind in KINDS:  # cada rótulo empieza donde terminó el anterior
        legend += (svgplot.circle(left, height - 22, 7, colors[kind])
                   + svgplot.text(left + 12, height - 16, kind, 16, anchor="start"))
        left += 40 + 9 * len(kind)
    body = svgplot.title("Cada carácter, aplastado a 2 dimensiones") + halos + labels + legend
    return svgplot.svg(width, height, body, "Mapa de los embeddings de cada carácter")


def neighbours_html(model, tokenizer: CharTokenizer, text, k: int = 8) -> str:
    ch, notes = pick_char(text, tokenizer)
    vector = model.wte.weight[tokenizer.stoi[ch]].detach().float().tolist()
    preview = ", ".join(decimal(v, 2) for v in vector[:4])
    rows = "".join(
        f"<tr><td style='font-size:24px;padding:2px 12px'>{html.escape(visible(c))}</td>"
        f"<td style='padding:2px 12px'>{decimal(s, 2)}</td><td style='padding:2px 12px'>{char_kind(c)}</td></tr>"
        for c, s in nearest(model, tokenizer, ch, k))
    return (f"<div style='font-size:20px'><div>«<b>{html.escape(visible(ch))}</b>» = [{preview}, …] "
            f"<span style='color:#495057'>({len(vector)} números)</span></div><div>Sus vecinos más parecidos:</div>"
            f"<table style='border-collapse:collapse'>{rows}</table>{bits.notes_html(notes)}</div>")


# ---------------------------------------------------------------- en la terminal


def main(argv=None) -> int:
    parser = ArgumentParser(description="Texto → tokens → embeddings.")
    parser.add_argument("texto", nargs="*", help="el texto que quieres ver en tokens")
    parser.add_argument("--fusiones", type=int, default=None, help="cuántas fusiones del BPE aplicar")
    parser.add_argument("--vecinos", help="un carácter: muestra sus vecinos en los embeddings del modelo")
    args = parser.parse_args(argv)
    if args.vecinos is not None:
        gpt, tok = load_pretrained()
        ch, notes = pick_char(args.vecinos, tok)
        print(f"Vecinos de «{bits.printable(ch)}» en los embeddings del modelo incluido (similitud coseno):")
        for other, similarity in nearest(gpt, tok, ch):
            print(f"  «{bits.printable(other)}»  {decimal(similarity, 2)}  ({char_kind(other)})")
        for note in notes:
            print(f"Ojo: {note}")
        if not args.texto:
            return 0
    text, notes = clean(" ".join(args.texto) if args.texto else EXAMPLE)
    tok = load_pretrained()[1]
    print(f"Texto: {text[:200]!r}" + (" …" if len(text) > 200 else ""))
    print(f"Por carácter (modelo incluido, {tok.vocab_size} caracteres): {tok.encode(text[:60])}")
    bpe = trained_bpe()
    n, merge_notes = merges_choice(bpe, args.fusiones)
    for note in merge_notes:
        print(note)
    ids = bpe.encode(text, n)
    print(f"BPE con {n} fusiones (entrenado con {bpe.source}):")
    print("  " + " | ".join(bits.printable(bpe.token_text(i)) for i in ids[:60]) + (" …" if len(ids) > 60 else ""))
    print(f"  ids: {ids[:60]}" + (" …" if len(ids) > 60 else ""))
    print(f"{count(len(text), 'carácter', 'caracteres')} → {count(len(_to_bytes(text)), 'byte', 'bytes')}"
          f" → {count(len(ids), 'token', 'tokens')}")
    print("Ida y vuelta: " + ("el mismo texto ✔" if bpe.decode(ids) == text else "¡distinto!"))
    for note in notes + bits.notes_about(text, limit=200):
        print(f"Ojo: {note}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
