"""De texto a vectores: cada palabra de El Quijote descrita por las palabras que la acompañan.

Los pasos, todos con NumPy: partir en palabras (``tokenize``), elegir el vocabulario
(``choose_vocabulary``), contar vecinas (``cooccurrences``), pesarlas con PPMI (``ppmi``) y resumir
cada fila en ``DIMENSIONS`` números con una SVD aproximada (``truncated_svd``). ``compute`` hace todo;
``WordVectors`` busca las palabras más parecidas (coseno) y explica en castellano las que no encuentra.
"""

from __future__ import annotations

import difflib
import functools
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field

import numpy as np

from demos.formatting import thousands

# ---------------------------------------------------------------- hiperparámetros
VOCAB_SIZE = 3_000  # ¿de cuántas palabras aprendemos un vector? (las más frecuentes: 9 apariciones o más)
CONTEXT_SIZE = 3_000  # ¿con cuántas palabras distintas describimos a las demás? (las más frecuentes, con «de»)
WINDOW = 6  # ¿cuántas palabras a cada lado cuentan como «cerca»? (la que está a distancia d suma 1/d)
SMOOTHING = 0.75  # ¿cuánto le bajamos el peso a las vecinas muy frecuentes? (0,75, como word2vec; 1 = nada)
DIMENSIONS = 100  # ¿con cuántos números describimos cada palabra?
SVD_ROUNDS = 6  # ¿cuántas vueltas da la SVD aproximada? (más = más exacta y más lenta)
SVD_EXTRA = 100  # ¿cuántas direcciones de más explora la SVD aproximada para acertar con las que guardamos?
SEED = 0  # ¿qué azar usa la SVD aproximada? (fijo: los mismos vectores cada vez)
NEIGHBOURS = 8  # ¿cuántas palabras parecidas mostramos?
CACHE_FORMAT = 1  # cambia si cambia lo que guardamos en la caché (así no se lee una caché vieja)

# Palabras funcionales: artículos, preposiciones, pronombres, conjunciones y los verbos «ser»,
# «estar» y «haber». Aparecen junto a casi todas las demás, así que sus vecinas no dicen nada de
# ellas: no les aprendemos un vector. Sí las usamos como *vecinas*: «el rey» y «la reina» enseñan
# algo (medido: quitarlas también de las vecinas empeora los resultados).
FUNCTION_WORDS = frozenset("""
    el la lo los las un una unos unas
    a al ante con contra de del desde en entre hacia hasta para por según sin so sobre tras
    dél della dello dellos dellas deste desta desto destos destas dese desa deso desos desas
    y e ni o u que pero mas sino aunque porque pues si como cuando donde mientras luego
    cual cuales quien quienes cuyo cuya cuyos cuyas cuanto cuanta cuantos cuantas
    qué quién quiénes cuál cuáles cómo dónde cuándo cuánto cuánta cuántos cuántas
    yo me mí conmigo tú te ti contigo él ella ello ellos ellas le les se sí consigo
    nos nosotros nosotras os vos vosotros vosotras
    mi mis tu tus su sus nuestro nuestra nuestros nuestras vuestro vuestra vuestros vuestras
    mío mía míos mías tuyo tuya tuyos tuyas suyo suya suyos suyas
    este esta esto estos estas ese esa eso esos esas aquel aquella aquello aquellos aquellas
    éste ésta éstos éstas ése ésa ésos ésas aquél aquélla aquéllos aquéllas
    es son era eran fue fueron ser sea sean fuese fuesen fuera fueran sido siendo soy eres somos
    será serán sería serían está están estaba estaban estar estoy estás estuvo
    ha han he has había habían hay hubo haya hayan habrá hubiera hubiese habiendo habido hemos haber
    no ya más menos muy tan tanto tanta tantos tantas mucho mucha muchos muchas
    todo toda todos todas otro otra otros otras mismo misma mismos mismas
    algo alguno alguna algunos algunas algún nada nadie ningún ninguno ninguna
    aquí allí allá ahí acá así también tampoco aun aún
""".split())

WORD_PATTERN = re.compile(r"[^\W\d_]+")  # letras seguidas (con tildes y ñ); números y signos separan
ACCENTS = str.maketrans("áéíóúüà", "aeiouua")  # para encontrar «frio» aunque falte la tilde (la ñ se queda)
EXAMPLES = ("rey", "hambre", "Rocinante")


# ---------------------------------------------------------------- 1. de texto a palabras
def tokenize(text: str) -> list[str]:
    """Las palabras del texto tal como están escritas (NFC: «á» es un solo carácter)."""
    return WORD_PATTERN.findall(unicodedata.normalize("NFC", text))


def clean_query(text: str) -> str:
    """Lo que escribió la persona, listo para buscar: sin espacios ni comillas, en minúsculas."""
    return " ".join(tokenize(text or "")).lower()


def without_accents(word: str) -> str:
    return word.translate(ACCENTS)


def display_forms(tokens: list[str], vocabulary: list[str]) -> list[str]:
    """Cómo mostrar cada palabra: «Rocinante» con mayúscula si casi siempre se escribe así."""
    wanted = set(vocabulary)
    capitalized = Counter(t for t in tokens if t[0].isupper() and t.lower() in wanted)
    lower = Counter(t for t in tokens if t.islower() and t in wanted)
    return [w.capitalize() if capitalized[w.capitalize()] > lower[w] else w for w in vocabulary]


# ---------------------------------------------------------------- 2. el vocabulario
def frequencies(tokens: list[str]) -> list[tuple[str, int]]:
    """Cada palabra (en minúsculas) con sus apariciones, de la más a la menos frecuente."""
    counts = Counter(t.lower() for t in tokens)
    return sorted(counts.items(), key=lambda item: (-item[1], item[0]))


def choose_vocabulary(ranked: list[tuple[str, int]]) -> tuple[list[str], list[str]]:
    """Las palabras que tendrán vector (sin las funcionales) y las que servirán de vecinas (todas)."""
    words = [w for w, _ in ranked if w not in FUNCTION_WORDS][:VOCAB_SIZE]
    contexts = [w for w, _ in ranked[:CONTEXT_SIZE]]
    return words, contexts


# ---------------------------------------------------------------- 3. contar vecinas
def cooccurrences(tokens: list[str], words: list[str], contexts: list[str]) -> np.ndarray:
    """Tabla palabras × vecinas: cuánto aparece cada vecina cerca de cada palabra.

    Mira hasta ``WINDOW`` palabras a cada lado; una vecina a distancia d suma 1/d.
    """
    lowered = [t.lower() for t in tokens]
    row = _positions(lowered, words)
    column = _positions(lowered, contexts)
    pairs, weights = [], []
    for distance in range(1, WINDOW + 1):
        left, right = slice(None, -distance), slice(distance, None)
        for rows, columns in ((row[left], column[right]), (row[right], column[left])):  # a la derecha y a la izquierda
            both = (rows >= 0) & (columns >= 0)
            pairs.append(rows[both] * len(contexts) + columns[both])
            weights.append(np.full(both.sum(), 1.0 / distance))
    table = np.bincount(np.concatenate(pairs), np.concatenate(weights), minlength=len(words) * len(contexts))
    return table.reshape(len(words), len(contexts))


def _positions(tokens: list[str], vocabulary: list[str]) -> np.ndarray:
    """El número de cada palabra del texto en ``vocabulary`` (-1 si no está)."""
    index = {w: i for i, w in enumerate(vocabulary)}
    return np.array([index.get(t, -1) for t in tokens], dtype=np.int64)


# ---------------------------------------------------------------- 4. PPMI
def ppmi(table: np.ndarray) -> np.ndarray:
    """PMI positiva: log( P(palabra y vecina juntas) / (P(palabra) · P(vecina)) ), o 0 si es negativa.

    Vale 0 cuando aparecen juntas lo que el azar predice, y crece cuando se buscan. Las
    probabilidades de las vecinas se suavizan (``SMOOTHING``) para no premiar a las muy raras.
    """
    total = table.sum()
    p_word = table.sum(axis=1) / total
    p_context = table.sum(axis=0) ** SMOOTHING
    p_context /= p_context.sum()
    rows, columns = np.nonzero(table)  # solo las parejas que sí aparecieron (log 0 no existe)
    pmi = np.log(table[rows, columns] / total / p_word[rows] / p_context[columns])
    result = np.zeros(table.shape, dtype=np.float32)
    result[rows, columns] = np.maximum(pmi, 0.0)
    return result


# ---------------------------------------------------------------- 5. SVD: de 3.000 números a 100
def truncated_svd(matrix: np.ndarray, rank: int) -> tuple[np.ndarray, np.ndarray]:
    """Las ``rank`` direcciones principales de las filas (U y S de la SVD), por el método aleatorio.

    En vez de la SVD completa (lenta), multiplicamos la matriz por unos vectores al azar, unas
    cuantas veces, y así encontramos el subespacio que más importa; la SVD de ese trozo es barata.
    """
    sketch = min(rank + SVD_EXTRA, *matrix.shape)
    rng = np.random.default_rng(SEED)
    basis = orthonormal(matrix @ rng.standard_normal((matrix.shape[1], sketch), dtype=matrix.dtype))
    for _ in range(SVD_ROUNDS):
        basis = orthonormal(matrix @ (matrix.T @ basis))
    summary = (basis.T @ matrix).astype(np.float64)  # la matriz vista desde el subespacio: chica
    values, directions = np.linalg.eigh(summary @ summary.T)  # su SVD, a partir de su matriz de Gram
    best = np.argsort(values)[::-1][:rank]
    return basis @ directions[:, best], np.sqrt(np.maximum(values[best], 0.0))


def orthonormal(basis: np.ndarray) -> np.ndarray:
    """Columnas de largo 1 y perpendiculares entre sí, que generan lo mismo (como la Q de una QR).

    Se calcula con la matriz de Gram (columnas × columnas, chica): varias veces más rápido que
    la QR cuando la computadora está ocupada. Las direcciones repetidas (valor propio ~0) se descartan.
    """
    wide = basis.astype(np.float64)
    values, vectors = np.linalg.eigh(wide.T @ wide)
    keep = values > values.max() * 1e-10
    return (wide @ (vectors[:, keep] / np.sqrt(values[keep]))).astype(basis.dtype)


def fix_signs(vectors: np.ndarray) -> np.ndarray:
    """Cada dirección de la SVD vale igual al revés: elegimos el signo para que su mayor valor sea positivo."""
    biggest = np.abs(vectors).argmax(axis=0)
    signs = np.sign(vectors[biggest, np.arange(vectors.shape[1])])
    return vectors * np.where(signs == 0, 1.0, signs)


def unit_rows(vectors: np.ndarray) -> np.ndarray:
    """Cada vector dividido por su largo: así el producto de dos vectores es su coseno."""
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return (vectors / np.where(norms == 0, 1.0, norms)).astype(np.float32)


def as_stored(vectors: np.ndarray) -> np.ndarray:
    """Largo 1 y redondeados como en la caché (float16): el cálculo recién hecho y el leído dan lo mismo."""
    return unit_rows(vectors).astype(np.float16).astype(np.float32)


# ---------------------------------------------------------------- los vectores, listos para usar
@dataclass(frozen=True)
class Answer:
    """La respuesta a una palabra escrita: sus vecinas, o un mensaje que explica por qué no hay."""

    query: str  # lo que se escribió
    word: str | None  # la palabra encontrada, tal como se muestra («Rocinante»), o None
    neighbours: list[tuple[str, float]] = field(default_factory=list)  # (palabra, coseno), de más a menos
    message: str = ""  # en castellano, listo para mostrar

    @property
    def found(self) -> bool:
        return self.word is not None


@dataclass(frozen=True, eq=False)
class WordVectors:
    """Un vector de largo 1 por palabra, y lo necesario para buscar y explicar."""

    words: list[str]  # en minúsculas, de la más a la menos frecuente
    shown: list[str]  # cómo se muestran («Rocinante»)
    vectors: np.ndarray  # (palabras, DIMENSIONS), float32, cada fila de largo 1 (redondeado a float16)
    corpus_counts: dict[str, int]  # cuántas veces aparece cada palabra del texto (para explicar las que faltan)

    @functools.cached_property
    def index(self) -> dict[str, int]:
        return {w: i for i, w in enumerate(self.words)}

    @functools.cached_property
    def accentless(self) -> dict[str, int]:
        """«frio» → la posición de «frío» (la más frecuente, si hay varias que se escriben igual sin tilde)."""
        found: dict[str, int] = {}
        for i, w in enumerate(self.words):
            found.setdefault(without_accents(w), i)
        return found

    def lookup(self, query: str) -> tuple[int | None, str]:
        """La posición de la palabra escrita, o ``None`` y un mensaje que explica por qué no está."""
        word = clean_query(query)
        if not word:
            return None, f"Escribe una palabra (por ejemplo: {', '.join(EXAMPLES)})."
        if " " in word:
            return None, f"Escribe una sola palabra: «{word}» son {len(word.split())}."
        if word in self.index:
            return self.index[word], ""
        if word in FUNCTION_WORDS:
            return None, (f"«{word}» es una palabra funcional (como «de», «que» o «la»): aparece junto a casi "
                          "todas, así que sus vecinas no dicen nada de ella y no le aprendimos un vector.")
        if without_accents(word) in self.accentless:
            i = self.accentless[without_accents(word)]
            return i, f"No encontré «{word}», pero sí «{self.shown[i]}»."
        return None, self._missing(word)

    def _missing(self, word: str) -> str:
        times = self.corpus_counts.get(word, 0)
        if times:
            least = self.corpus_counts.get(self.words[-1], 0)
            veces = "vez" if times == 1 else "veces"
            message = (f"«{word}» aparece solo {times} {veces} en El Quijote: muy pocas para aprender su "
                       f"significado (tenemos vector para las {thousands(len(self.words))} palabras más "
                       f"frecuentes, que aparecen {least} veces o más).")
        else:
            message = f"No conozco «{word}»: no aparece en El Quijote."
        close = difflib.get_close_matches(word, self.words, n=3, cutoff=0.75)
        if close:
            message += " ¿Quisiste decir " + " o ".join(f"«{self.shown[self.index[w]]}»" for w in close) + "?"
        return message

    def neighbours(self, query: str, k: int = NEIGHBOURS) -> Answer:
        """Las ``k`` palabras más parecidas (mayor coseno) a la escrita. Nunca lanza excepciones."""
        position, note = self.lookup(query)
        if position is None:
            return Answer(query, None, [], note)
        k = max(0, min(int(k), len(self.words) - 1))
        similarity = self.vectors @ self.vectors[position]
        similarity[position] = -np.inf  # la palabra misma no cuenta
        best = np.argpartition(-similarity, k)[:k] if k else np.array([], dtype=int)
        best = best[np.argsort(-similarity[best], kind="stable")]
        word = self.shown[position]
        message = (note + " " if note else "") + f"Las palabras más parecidas a «{word}» en El Quijote:"
        return Answer(query, word, [(self.shown[i], float(similarity[i])) for i in best], message)

    def similarity(self, first: str, second: str) -> float | None:
        """El coseno entre dos palabras (entre -1 y 1), o ``None`` si alguna no tiene vector."""
        a, _ = self.lookup(first)
        b, _ = self.lookup(second)
        return None if a is None or b is None else float(self.vectors[a] @ self.vectors[b])


def compute(text: str) -> WordVectors:
    """Todo el cálculo, de texto a vectores (unos segundos)."""
    tokens = tokenize(text)
    ranked = frequencies(tokens)
    words, contexts = choose_vocabulary(ranked)
    if len(words) < 10:
        raise ValueError("el texto es demasiado corto para aprender vectores de palabras")
    u, singular = truncated_svd(ppmi(cooccurrences(tokens, words, contexts)), DIMENSIONS)
    vectors = as_stored(fix_signs(u * singular))
    return WordVectors(words, display_forms(tokens, words), vectors, dict(ranked))


# ---------------------------------------------------------------- la huella de los parámetros
def parameters() -> dict:
    """Todo lo que cambia el resultado: si algo cambia, la caché vieja ya no sirve."""
    return {
        "format": CACHE_FORMAT, "vocab": VOCAB_SIZE, "contexts": CONTEXT_SIZE, "window": WINDOW,
        "smoothing": SMOOTHING, "dimensions": DIMENSIONS, "svd_rounds": SVD_ROUNDS,
        "svd_extra": SVD_EXTRA, "seed": SEED,
        "function_words": sorted(FUNCTION_WORDS),
    }
