"""Diálogos de El Quijote para el refinamiento: quién habla, qué dice y a quién responde.

En el libro, cada parlamento empieza con una raya («–», «-» o «—») y el narrador se mete en
medio con otra raya: ``–Señor –respondió Sancho–, que el retirar no es huir…``. Aquí quitamos
esos incisos del narrador y nos quedamos solo con lo que dice cada personaje:
``Señor, que el retirar no es huir…``.

Con los parlamentos armamos conversaciones: dos parlamentos seguidos son un intercambio
(el primero hace de usuario y el segundo de asistente) y una tanda de parlamentos seguidos es
una conversación de varios turnos. El último 10 % de los intercambios del libro (por posición)
queda aparte: el modelo nunca lo ve al entrenar y con él medimos si aprendió.

Todo es determinista: el mismo texto da siempre los mismos datos.

Uso: ``python -m demos.finetuning --datos`` muestra cuántos hay y tres ejemplos.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from demos import corpus
from demos.formatting import thousands

DASHES = "–—-"  # raya, raya larga y guion: el libro usa las tres
HELD_OUT_FRACTION = 0.1  # el último 10 % de los intercambios: para medir, nunca para entrenar
PRETRAINED_FRACTION = 0.9  # QuijoteGPT se preentrenó con el primer 90 % del libro (demos.corpus.split)
MAX_REPLY_CHARS = 320  # respuestas más largas se cortan al final de una oración
MIN_TURN_CHARS = 2

# Un inciso abre con espacio + raya pegada a la palabra siguiente (« –dijo»).
_OPENER = re.compile(rf"(?<=\s)[{DASHES}](?=\S)")
# Y cierra con una raya pegada a la palabra anterior, seguida de espacio, puntuación o el final
# («Sancho–,»). Un guion entre letras («ven-ganza», de una palabra partida) no cierra nada.
_CLOSER = re.compile(rf"(?<=\S)[{DASHES}](?=[\s,.;:!?»”’)]|$)")
_SENTENCE_END = re.compile(r"[.!?…»](?=\s|$)")
_CLAUSE_END = re.compile(r"[;:](?=\s)")
_SAYING = r"(?:le |les |me )?(?:dijo|respondió|respondieron|replicó|preguntó|prosiguió|añadió|dije|respondí|repliqué)\b"
# una raya con espacios mal puestos antes del verbo de decir («Diego– respondió», «personaje – respondió»)
_LOOSE_OPENER = re.compile(rf"\s*[{DASHES}]\s+(?={_SAYING})")
_SAYING_ANYWHERE = re.compile(r"\b(?:dijo|respondió|replicó|preguntó|prosiguió|añadió|decía|dice)\b")
_LAST_SENTENCE = re.compile(r"(?:^[–—-]|[.!?»]\s+)([^.!?]*:)$")
_WORD_BREAK = re.compile(r"(?<=[a-záéíóúñü])-(?=[a-záéíóúñü])")
_NARRATION_AFTER = re.compile(r"[.;:!?]\s+\S")  # otra oración después del verbo de decir


@dataclass(frozen=True)
class Turn:
    """Un parlamento ya limpio y dónde empieza en el libro (para ordenar y separar)."""

    text: str
    position: int


@dataclass
class Dataset:
    """Tandas de parlamentos seguidos, separadas en entrenamiento, desarrollo y prueba."""

    train: list[list[Turn]]
    dev: list[list[Turn]]
    test: list[list[Turn]]
    stats: dict = field(default_factory=dict)


# ---------------------------------------------------------------- un párrafo → parlamentos


def split_paragraph(paragraph: str) -> list[tuple[str, bool]]:
    """Los parlamentos de un párrafo que empieza con raya, sin los incisos del narrador.

    Devuelve pares ``(texto, sigue_la_charla)``: ``sigue_la_charla`` es falso cuando entre el
    parlamento anterior y este el narrador contó algo más que «dijo Fulano» (entonces quizá
    cambió el interlocutor y no lo tratamos como respuesta al anterior).
    """
    paragraph = paragraph.strip()
    if not paragraph or paragraph[0] not in DASHES:
        return []
    paragraph = _drop_trailing_introduction(paragraph[0] + _LOOSE_OPENER.sub(" –", paragraph[1:]))
    turns, pieces, linked = [], [], True
    rest: str | None = paragraph[1:].lstrip()
    while rest is not None:
        opener = _OPENER.search(rest)
        if opener is None:
            pieces.append(rest)
            break
        pieces.append(rest[: opener.start()])
        after = rest[opener.end() :]
        if _starts_speech(after):  # «… –Gurapas son galeras»: habla otro, sin inciso en medio
            turns.append((_finish(pieces), linked))
            pieces, linked, rest = [], True, after
            continue
        rest, ended, narrated = _skip_insert(after)
        if ended:  # el inciso cerró el parlamento: «–dijo don Quijote.»
            turns.append((_finish(pieces), linked))
            pieces, linked = [], not narrated
    if pieces:
        turns.append((_finish(pieces), linked))
    return [t for t in turns if len(t[0]) >= MIN_TURN_CHARS]


def _drop_trailing_introduction(paragraph: str) -> str:
    """Quita la última oración si es narración que presenta al siguiente y le falta la raya:
    «–Lea más vuestra merced –dijo Sancho–, que… satisfaga. Volvió la hoja don Quijote y dijo:»."""
    if not paragraph.endswith(":"):
        return paragraph
    last = _LAST_SENTENCE.search(paragraph)
    if last and _SAYING_ANYWHERE.search(last.group(1)) and not any(d in last.group(1) for d in DASHES):
        return paragraph[: last.start(1)].rstrip()
    return paragraph


def _starts_speech(text: str) -> bool:
    """¿Empieza aquí un parlamento nuevo (mayúscula, «¿» o «¡») y no un inciso («dijo…»)?"""
    return bool(text) and (text[0].isupper() or text[0] in "¿¡«")


def _skip_insert(text: str) -> tuple[str | None, bool, bool]:
    """Salta el inciso que empieza en ``text``.

    Devuelve ``(lo_que_sigue, terminó_el_parlamento, hubo_narración)``. Si el inciso se cierra
    con otra raya, el parlamento sigue después de ella (con su puntuación: «–dijo–, que…»).
    Si no se cierra, el parlamento terminó: lo que sigue es narración hasta la próxima raya que
    abra un parlamento nuevo (``lo_que_sigue`` empieza ahí, o es ``None`` si no hay).
    """
    closer, opener = _CLOSER.search(text), _OPENER.search(text)
    if closer is not None and (opener is None or closer.start() < opener.start()):
        return text[closer.end() :], False, False
    for opener in _OPENER.finditer(text):
        following = text[opener.end() :]
        if _starts_speech(following):
            narrated = bool(_NARRATION_AFTER.search(text[: opener.start()]))
            return following, True, narrated
    return None, True, False


def _finish(pieces: list[str]) -> str:
    """Une los trozos de un parlamento y le pone un final de oración si el inciso se lo quitó."""
    text = ""
    for piece in pieces:
        text = _join(text, piece)
    text = " ".join(text.split())
    text = _WORD_BREAK.sub("", text)  # «ca-mino» → «camino»: palabras partidas en la edición
    text = text.rstrip(",;: ")
    if text and not _SENTENCE_END.search(text[-1:]) and text[-1] not in ".!?…»”’)":
        text += "."
    return text


def _join(before: str, after: str) -> str:
    """«Señor» + «, que…» → «Señor, que…»; «¡Ay, señora mía!» + «. Y…» → «¡Ay, señora mía! Y…»."""
    before = before.rstrip()
    after = after.lstrip() if after[:2].strip()[:1] in tuple(",.;:") else after
    if not before:
        return after.lstrip(",.;: ")
    if after.startswith(".") and before[-1] in ".!?…":
        after = after[1:]
    if after[:1] in tuple(",.;:!?"):
        return before + after
    return before + " " + after.lstrip()


def trim_reply(text: str, limit: int = MAX_REPLY_CHARS) -> str | None:
    """Corta un parlamento largo al final de la última oración que cabe en ``limit``.

    Un asistente de chat contesta en un párrafo, no con los discursos de dos páginas de don
    Quijote; y un modelo que ve 128 caracteres no puede contar cuánto lleva escrito. Si ninguna
    oración termina antes del límite, corta en el último «;» o «:» (que pasa a ser un punto);
    si tampoco hay, devuelve ``None``.
    """
    if len(text) <= limit:
        return text
    for pattern, closing in ((_SENTENCE_END, ""), (_CLAUSE_END, ".")):
        ends = [m.end() for m in pattern.finditer(text[: limit + 1]) if m.end() >= limit // 4]
        if ends:
            return text[: ends[-1] - len(closing)].rstrip() + closing
    return None


# ---------------------------------------------------------------- el libro → tandas de parlamentos


def book_runs(text: str) -> list[list[Turn]]:
    """Todas las tandas de parlamentos seguidos del libro, en orden.

    Un párrafo breve de narración que presenta al que habla («A lo que respondió Sancho:») no
    corta la tanda: lo que sigue es la respuesta. Cualquier otra narración la corta. Un párrafo
    de narración que termina en un parlamento («… le dijo: –Señor, …») aporta ese parlamento.
    """
    runs: list[list[Turn]] = []
    current: list[Turn] = []
    offset = 0
    for paragraph in text.split("\n"):
        position, offset = offset, offset + len(paragraph) + 1
        if paragraph.strip()[:1] in tuple(DASHES):
            for spoken, linked in split_paragraph(paragraph):
                if not linked and current:
                    runs.append(current)
                    current = []
                current.append(Turn(spoken, position))
            continue
        if not paragraph.strip() or _introduces_speaker(paragraph):
            continue
        spoken, introduction = _closing_speech(paragraph)
        if current and not (spoken and len(introduction) <= MAX_INTRODUCTION_CHARS):
            runs.append(current)
            current = []
        current += [Turn(t, position) for t in spoken]
    if current:
        runs.append(current)
    return [run for run in runs if run]


MAX_INTRODUCTION_CHARS = 400  # una presentación más larga ya es un episodio que corta la charla
_INTRODUCED = re.compile(rf":\s*[{DASHES}](?=[A-ZÁÉÍÓÚÑ¿¡«])")


def _introduces_speaker(paragraph: str) -> bool:
    """¿Es un párrafo breve de narración que presenta el parlamento siguiente («… le dijo:»)?"""
    paragraph = paragraph.strip()
    return paragraph.endswith(":") and len(paragraph) <= MAX_INTRODUCTION_CHARS


def _closing_speech(paragraph: str) -> tuple[list[str], str]:
    """El parlamento con que termina un párrafo de narración («… le dijo: –Señor, …»), si hay,
    y la narración que lo presenta."""
    matches = list(_INTRODUCED.finditer(paragraph))
    if not matches:
        return [], paragraph
    start = matches[-1].end() - 1
    spoken = split_paragraph(paragraph[start:])
    return [t for t, _ in spoken[-1:]], paragraph[:start]


def _trim_runs(runs: list[list[Turn]], limit: int) -> tuple[list[list[Turn]], int, int]:
    """Recorta los parlamentos largos; uno que no se puede recortar corta la tanda en dos."""
    trimmed = broken = 0
    result = []
    for run in runs:
        current: list[Turn] = []
        for turn in run:
            short = trim_reply(turn.text, limit)
            if short is None:
                broken += 1
                if current:
                    result.append(current)
                current = []
                continue
            trimmed += short != turn.text
            current.append(Turn(short, turn.position))
        if current:
            result.append(current)
    return result, trimmed, broken


def exchange_count(runs: list[list[Turn]]) -> int:
    return sum(len(run) - 1 for run in runs)


def split_runs(runs: list[list[Turn]], held_out: float = HELD_OUT_FRACTION,
               dev_from: int | None = None) -> tuple[list, list, list]:
    """Entrenamiento, desarrollo y prueba, sin partir ninguna tanda.

    Prueba: las tandas desde la que contiene el intercambio del 90 % en adelante (el final del
    libro). Desarrollo: las tandas que empiezan en el carácter ``dev_from`` o después, antes de
    la prueba; sirven para decidir cuándo parar sin mirar la prueba. Con ``dev_from`` en el
    comienzo del 10 % que QuijoteGPT no vio al preentrenarse, ni la prueba ni el desarrollo
    son texto que el modelo base ya conozca.
    """
    runs = [run for run in runs if len(run) >= 2]
    target = (1 - held_out) * exchange_count(runs)
    seen, cut = 0, len(runs)
    for i, run in enumerate(runs):
        if seen + len(run) - 1 > target:
            cut = i
            break
        seen += len(run) - 1
    before, test = runs[:cut], runs[cut:]
    if dev_from is None:
        return before, [], test
    train = [run for run in before if run[0].position < dev_from]
    dev = [run for run in before if run[0].position >= dev_from]
    return train, dev, test


def build(text: str, max_reply_chars: int = MAX_REPLY_CHARS) -> Dataset:
    """El conjunto de datos completo a partir del libro (ya normalizado a NFC)."""
    raw = book_runs(text)
    runs, trimmed, broken = _trim_runs(raw, max_reply_chars)
    train, dev, test = split_runs(runs, dev_from=int(PRETRAINED_FRACTION * len(text)))
    stats = {
        "párrafos con raya": sum(1 for p in text.split("\n") if p.strip()[:1] in tuple(DASHES)),
        "parlamentos": sum(len(r) for r in raw),
        "parlamentos recortados": trimmed,
        "parlamentos descartados por largos": broken,
        "tandas de 2 o más": sum(1 for r in runs if len(r) >= 2),
        "intercambios de entrenamiento": exchange_count(train),
        "intercambios de desarrollo": exchange_count(dev),
        "intercambios de prueba": exchange_count(test),
        "la prueba empieza en el carácter": test[0][0].position if test else len(text),
        "caracteres del libro": len(text),
    }
    return Dataset(train, dev, test, stats)


@lru_cache(maxsize=2)
def load(max_reply_chars: int = MAX_REPLY_CHARS) -> Dataset:
    """El conjunto de datos del corpus del taller (se arma una vez por proceso)."""
    return build(corpus.load_text(), max_reply_chars)


# ---------------------------------------------------------------- tandas → conversaciones con roles


def pairs(runs: list[list[Turn]]) -> list[tuple[str, str]]:
    """Cada par de parlamentos seguidos: (lo que dice el usuario, lo que responde el asistente)."""
    return [(a.text, b.text) for run in runs for a, b in zip(run, run[1:], strict=False)]


def conversations(runs: list[list[Turn]]) -> list[list[dict]]:
    """Conversaciones de varios turnos con roles alternados, dos por tanda.

    En una tanda A, B, C, D el asistente puede ser B y D (empezando por A) o C (empezando por B):
    así cada parlamento, salvo el primero, es respuesta del asistente exactamente una vez.
    Cada conversación termina en un turno del asistente.
    """
    result = []
    for run in runs:
        for first in (0, 1):
            turns = run[first:]
            if len(turns) % 2:
                turns = turns[:-1]
            if len(turns) >= 2:
                roles = ("user", "assistant") * (len(turns) // 2)
                result.append([{"role": r, "content": t.text} for r, t in zip(roles, turns, strict=True)])
    return result


def describe(dataset: Dataset, examples: int = 3) -> str:
    """Las cuentas del conjunto de datos y algunos intercambios de prueba, para la terminal."""
    lines = ["Diálogos de El Quijote para el refinamiento:"]
    lines += [f"  {name}: {thousands(value)}" for name, value in dataset.stats.items()]
    held = pairs(dataset.test)
    step = max(len(held) // max(examples, 1), 1)
    for number, (user, reply) in enumerate(held[::step][:examples], start=1):
        lines += [f"\nEjemplo {number} (de la prueba):", f"  usuario:   {user}", f"  asistente: {reply}"]
    return "\n".join(lines)
