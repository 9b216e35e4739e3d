"""GSM 03.38 arithmetic and the SMS composer, on real Spanish and Quechua answers."""
from __future__ import annotations

import pytest

from bot.content.topics import all_topics, render
from integrations import gsm, sms, texts
from integrations.formatting import numbered


def test_basic_table_is_gsm_03_38_in_order():
    assert len(gsm.BASIC) == 128
    spots = {0x00: "@", 0x01: "£", 0x02: "$", 0x04: "è", 0x05: "é", 0x0A: "\n", 0x1B: "\x1b", 0x1F: "É",
             0x24: "¤", 0x40: "¡", 0x5B: "Ä", 0x5D: "Ñ", 0x5F: "§", 0x60: "¿", 0x7D: "ñ", 0x7E: "ü", 0x7F: "à"}
    for code, char in spots.items():
        assert gsm.BASIC[code] == char, hex(code)
    assert set(gsm.EXTENSION) == set("\f^{}\\[~]|€")


@pytest.mark.parametrize("text, encoding", [
    ("¿Dónde queda la comisaría?", gsm.UCS2),  # ó is not GSM-7
    ("¿Qué pasó? ¡Ayuda!", gsm.UCS2),
    ("¿Qué es? ¡Ayuda! Ñuqa, ñaña, mañana", gsm.GSM7),  # ¿ ¡ é ñ Ñ are in the basic set
    ("Imaynataq ch'usaqyachinku? Manam allinchu", gsm.GSM7),  # Quechua apostrophes: plain '
    ("Manaña qhawankuchu’", gsm.UCS2),  # a curly apostrophe is not
    ("Te ayudo 👋", gsm.UCS2),
])
def test_encoding_follows_the_real_table(text, encoding):
    assert gsm.segment_info(text).encoding == encoding


def test_segment_boundaries():
    assert gsm.segments("a" * 160) == 1 and gsm.segments("a" * 161) == 2
    assert gsm.segments("a" * 306) == 2 and gsm.segments("a" * 307) == 3
    assert gsm.segments("€" * 80) == 1 and gsm.segments("€" * 81) == 2  # extension characters count twice
    assert gsm.segments("a" * 152 + "€") == 1 and gsm.segments("a" * 159 + "€") == 2
    # In a multipart message an escape pair never straddles two segments:
    assert gsm.segments("a" * 152 + "€" + "a" * 153) == 3
    assert gsm.segments("á" * 70) == 1 and gsm.segments("á" * 71) == 2 and gsm.segments("á" * 135) == 3
    assert gsm.segment_info("🙂" * 35).units == 70 and gsm.segments("🙂" * 35) == 1
    assert gsm.segments("a" * 66 + "🙂" + "a" * 66) == 3  # a surrogate pair is not split either
    assert gsm.segments("") == 0


def test_prepare_folds_typography_and_accents_only_when_that_reaches_gsm7():
    assert gsm.prepare("“Trabajo” en la mina… ¿cuánto pagan? – 👋") == '"Trabajo" en la mina... ¿cuanto pagan? -'
    assert gsm.prepare("Ñuqa mana riqsinichu, ¿qué es?") == "Ñuqa mana riqsinichu, ¿qué es?"  # already GSM-7
    # A character with no GSM-7 form keeps the accents: the message is UCS-2 anyway.
    assert gsm.prepare("Capitán de la nave 中") == "Capitán de la nave 中"
    assert gsm.prepare("Capitán", fold_accents=False) == "Capitán"


def _replies(lang: str, level: str) -> list[tuple[str, str]]:
    return [(topic.id, "\n\n".join(render(topic.id, lang, level))) for topic in all_topics()]


@pytest.mark.parametrize("lang", ["es", "qu"])
def test_every_short_answer_is_one_gsm7_reply_of_at_most_three_segments(lang):
    for topic_id, text in _replies(lang, "short"):
        composed = sms.compose(text, texts.text("more_hint", lang))
        assert composed.encoding == gsm.GSM7, topic_id
        assert composed.segments <= 3 and composed.rest == "", topic_id


@pytest.mark.parametrize("lang", ["es", "qu"])
def test_long_answers_are_cut_into_parts_of_at_most_three_segments_and_nothing_is_lost(lang):
    hint = texts.text("more_hint", lang)
    for topic_id, text in _replies(lang, "more"):
        sent, rest = [], text
        while rest:
            composed = sms.compose(rest, hint)
            assert composed.segments <= 3, topic_id
            sent.append(composed.text)
            rest = composed.rest
        assert all(gsm.segment_info(part).encoding == gsm.GSM7 for part in sent), topic_id
        assert all(part.endswith(gsm.prepare(hint)) for part in sent[:-1]), topic_id
        words = [w for w in gsm.prepare(text).split() if w]
        received = " ".join(part.replace(gsm.prepare(hint), "") for part in sent).split()
        assert received == words, topic_id


def test_segment_counts_table_for_spanish_and_quechua():
    # The numbers docs/channels.md quotes: whole "more" answers, composed for SMS.
    counts = {}
    for lang in ("es", "qu"):
        parts = []
        for _, text in _replies(lang, "more"):
            rest, n = text, 0
            while rest:
                composed = sms.compose(rest, texts.text("more_hint", lang))
                n += 1
                rest = composed.rest
            parts.append(n)
        counts[lang] = max(parts)
    assert max(counts.values()) <= 3, counts  # any topic in full with at most two "MÁS"


def test_numbered_options_in_gsm7():
    text = numbered("¿En qué idioma prefieres conversar?", [{"title": "Castellano"}, {"title": "Runasimi"}],
                    texts.text("choose_number", "es"))
    composed = sms.compose(text, texts.text("more_hint", "es"))
    assert composed.text == ("¿En qué idioma prefieres conversar?\n\n1. Castellano\n2. Runasimi\n"
                             "Responde con el numero.")  # é is GSM-7; ú is folded
    assert (composed.encoding, composed.segments) == (gsm.GSM7, 1)


@pytest.mark.parametrize("text, expected", [
    ("STOP", "stop"), (" stop ", "stop"), ("Baja", "stop"), ("START", "start"), ("ayuda", "help"),
    ("HELP", "help"), ("más", "more"), ("MAS", "more"), ("astawan", "more"),
    ("¡Ayuda!", None), ("ayuda por favor", None), ("no stop", None), ("", None), ("1", None),
])
def test_sms_keywords_are_whole_messages_only(text, expected):
    assert sms.keyword(text) == expected
