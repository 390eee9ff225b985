"""2. Trozos de palabra (BPE), como GPT: de los 256 bytes posibles, fusión tras fusión.

Se parte de los bytes y se fusiona, una y otra vez, el par de tokens vecinos más frecuente del
corpus. Como parte de bytes, cualquier texto se puede codificar (emojis, árabe, chino…) y vuelve
intacto. Aquí está el algoritmo (``train_bpe``, ``BPE``) y lo que muestra la diapositiva: el texto
pintado por token, las cuentas y las últimas fusiones (``bpe_html``).
"""

from __future__ import annotations

import codecs
import functools
import html
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from operator import itemgetter

from demos import bits, corpus
from demos.formatting import clean, count, thousands

BPE_MERGES = 400  # ¿cuántas fusiones aprende nuestro BPE? (GPT-2 aprendió 50.000)
BPE_TRAIN_CHARS = 400_000  # ¿con cuánto Quijote lo entrenamos? (más = mejor, pero más lento)
MAX_PIECE_BYTES = 64  # una «palabra» más larga se corta en trozos: así codificar tarda lo mismo por byte
MAX_SHOWN_TOKENS = 120  # ¿cuántos tokens de color caben en una diapositiva?
MAX_TEXT_CHARS = 2_000  # ¿cuánto texto tokenizamos por caja? (pegar 100.000 caracteres no debe trabar nada)
# Como GPT-2: primero se corta en «palabras» (con su espacio delante) y nunca se fusiona entre dos.
WORD_PATTERN = re.compile(r" ?\w+| ?[^\w\s]+|\s+(?!\S)|\s+")
EXAMPLE = "En un lugar de la Mancha, de cuyo nombre no quiero acordarme, vivía un hidalgo."
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


def to_bytes(text: str) -> bytes:
    """Los bytes UTF-8 de ``text``; con «surrogatepass» hasta un sustituto suelto (inválido) va y vuelve igual."""
    return text.encode("utf-8", errors="surrogatepass")


def _from_bytes(data: bytes) -> str:
    try:
        return data.decode("utf-8", errors="surrogatepass")
    except UnicodeDecodeError:  # una lista de ids cualquiera puede cortar un carácter a la mitad
        return data.decode("utf-8", errors="replace")


# ---------------------------------------------------------------- el algoritmo


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
    return [chunk for word in WORD_PATTERN.findall(text) for chunk in split_long(to_bytes(word))]


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
    return {"caracteres": len(text), "bytes": len(to_bytes(text)), "tokens": len(ids), "ids": ids}


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
