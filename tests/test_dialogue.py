"""Los diálogos del refinamiento: pasajes reales del libro, con sus incisos del narrador."""

import re

from demos.finetuning import dialogue
from demos.finetuning.dialogue import split_paragraph


def spoken(paragraph):
    return [text for text, _ in split_paragraph(paragraph)]


def test_insert_in_the_middle_keeps_the_comma():
    # Primera parte, capítulo 23
    assert spoken("–Señor –respondió Sancho–, que el retirar no es huir, ni el esperar es cordura.") == [
        "Señor, que el retirar no es huir, ni el esperar es cordura."]


def test_insert_without_punctuation_joins_with_a_space():
    # Segunda parte, capítulo 59
    assert spoken("–¿Quién ha de ser –respondió Sancho– sino el mismo don Quijote de la Mancha, que hará "
                  "bueno cuanto ha dicho, y aun cuanto dijere?; que al buen pagador no le duelen prendas.") == [
        "¿Quién ha de ser sino el mismo don Quijote de la Mancha, que hará bueno cuanto ha dicho, y aun "
        "cuanto dijere?; que al buen pagador no le duelen prendas."]


def test_insert_with_hyphens_and_colon():
    # Primera parte, capítulo 29 (esta edición usa guiones en la primera parte)
    assert spoken("-Eso no consentiré yo en ningún modo -dijo el cura-: estése la vuestra grandeza a caballo, "
                  "pues estando a caballo acaba las mayores fazañas.") == [
        "Eso no consentiré yo en ningún modo: estése la vuestra grandeza a caballo, pues estando a caballo "
        "acaba las mayores fazañas."]


def test_insert_after_exclamation_does_not_double_the_period():
    # Primera parte, capítulo 34
    assert spoken("-¡Ay, señora mía! -respondió la sagaz y advertida Leonela-. Y ¿qué es lo que quieres hacer "
                  "con esta daga?") == ["¡Ay, señora mía! Y ¿qué es lo que quieres hacer con esta daga?"]


def test_insert_at_the_end_gets_a_period():
    # Segunda parte, capítulo 26
    assert spoken("–Así es la verdad –replicó don Quijote.") == ["Así es la verdad."]


def test_narration_after_the_insert_is_dropped():
    # Segunda parte, capítulo 40
    assert spoken("–Y ¿cuántos caben en ese caballo? –preguntó Sancho. La Dolorida respondió:") == [
        "Y ¿cuántos caben en ese caballo?"]


def test_narration_without_dash_that_introduces_the_next_speaker_is_dropped():
    # Primera parte, capítulo 23: en el libro falta la raya antes de «Volvió»
    assert spoken("–Lea más vuestra merced –dijo Sancho–, que ya hallará algo que nos satisfaga. "
                  "Volvió la hoja don Quijote y dijo:") == [
        "Lea más vuestra merced, que ya hallará algo que nos satisfaga."]


def test_several_speakers_in_one_paragraph():
    # Primera parte, capítulo 22
    paragraph = ("–Sí, señor –respondió el galeote–, que no hay peor cosa que cantar en el ansia. –Antes, he yo "
                 "oído decir –dijo don Quijote– que quien canta sus males espanta. –Acá es al revés –dijo el "
                 "galeote–, que quien canta una vez llora toda la vida. –No lo entiendo –dijo don Quijote.")
    assert spoken(paragraph) == [
        "Sí, señor, que no hay peor cosa que cantar en el ansia.",
        "Antes, he yo oído decir que quien canta sus males espanta.",
        "Acá es al revés, que quien canta una vez llora toda la vida.",
        "No lo entiendo.",
    ]


def test_misplaced_dash_before_the_verb():
    # Segunda parte, capítulo 17: la raya quedó pegada a «Diego» y separada de «respondió»
    assert spoken("–Tengo el ofrecimiento a gran favor y merced, señor don Diego– respondió don Quijote.") == [
        "Tengo el ofrecimiento a gran favor y merced, señor don Diego."]


def test_runs_pair_consecutive_turns_and_hold_out_the_end():
    book = "\n".join([
        "Narración inicial.",
        "–Hola –dijo Sancho–, señor.",
        "–Salud, Sancho –respondió don Quijote.",
        "A lo que respondió Sancho:",
        "–Vamos.",
        "Otra narración larga que corta la charla. " * 3,
        "–Uno –dijo el cura.",
        "–Dos –dijo el barbero.",
    ])
    runs = dialogue.book_runs(book)
    assert [[t.text for t in run] for run in runs] == [["Hola, señor.", "Salud, Sancho.", "Vamos."], ["Uno.", "Dos."]]
    train, dev, test = dialogue.split_runs(runs, held_out=0.3)
    assert dialogue.pairs(test) == [("Uno.", "Dos.")]
    assert dialogue.pairs(train) == [("Hola, señor.", "Salud, Sancho."), ("Salud, Sancho.", "Vamos.")]


def test_long_replies_are_cut_at_a_sentence_end():
    text = "Primera oración bastante larga. " * 20
    trimmed = dialogue.trim_reply(text.strip(), limit=100)
    assert len(trimmed) <= 100 and trimmed.endswith(".")


def test_conversations_give_each_turn_one_assistant_role():
    runs = dialogue.book_runs("\n".join(["–A uno.", "–B dos.", "–C tres.", "–D cuatro."]))
    conversations = dialogue.conversations(runs)
    replies = sorted(m["content"] for c in conversations for m in c if m["role"] == "assistant")
    assert replies == ["B dos.", "C tres.", "D cuatro."]
    assert all(c[-1]["role"] == "assistant" for c in conversations)


def test_the_book_gives_the_dataset_the_issue_sized(tmp_path):
    """Con el libro entero: cientos de tandas, la prueba al final y nunca antes del 90 %."""
    data = dialogue.load()
    stats = data.stats
    assert stats["intercambios de entrenamiento"] > 1_500 and stats["intercambios de prueba"] > 150
    exchanges = sum(stats[f"intercambios de {part}"] for part in ("entrenamiento", "desarrollo", "prueba"))
    held_out = stats["intercambios de prueba"] / exchanges
    assert 0.09 <= held_out <= 0.11
    assert min(t.position for run in data.test for t in run) > max(t.position for run in data.train for t in run)
    assert min(t.position for run in data.test for t in run) >= 0.9 * stats["caracteres del libro"]
    # ningún parlamento guarda la raya de un inciso del narrador con su verbo de decir
    said = re.compile(r"[–—-](?:dijo|respondió|replicó|preguntó) ")
    assert not [t.text for run in data.train for t in run if said.search(t.text)][:3]
