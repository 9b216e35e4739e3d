import pytest

from bot.language.normalize import (
    move_span,
    normalize,
    normalize_aligned,
    normalize_quechua,
    normalize_quechua_aligned,
)
from bot.language.spelling import fold_word


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("¿Qué   es la TRATA?", "¿que es la trata?"),
        ("Año, señora, ÑAÑA", "año, señora, ñaña"),
        ("está  bien\n\tgracias ", "esta bien gracias"),
        ("p’unchay p‘unchay p`unchay p´unchay pʼunchay", "p'unchay p'unchay p'unchay p'unchay p'unchay"),
        ("“hola” — ya…", '"hola" - ya...'),
        ("K7M4-9QXT", "k7m4-9qxt"),
        ("pingüino café", "pinguino cafe"),
        ("ＡＢＣ　１２３", "abc 123"),
        ("a\u200bb\u0000c", "abc"),
        ("👍🏽 ok", "👍🏽 ok"),
        ("", ""),
        ("   ", ""),
    ],
)
def test_normalize(raw, expected):
    assert normalize(raw) == expected


def test_normalize_decomposed_accents_equal_composed():
    assert normalize("Que\u0301 nin\u0303o") == normalize("Qué niño") == "que niño"


def test_normalize_keeps_non_latin_letters_intact():
    # Only Latin accents are stripped: Cyrillic й must not become и.
    assert normalize("Привет, й") == "привет, й"


def test_normalize_accepts_non_text():
    assert normalize(None) == ""  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "variants",
    [
        ("llamk'ay", "llank'ay", "llankay", "Llamk’ay", "LLANKAY"),
        ("qosqo", "qusqu", "Qosqo", "QOSQO"),
        ("ñoqa", "ñuqa", "Ñoqa"),
        ("qhari", "qari"),
        ("p'unchay", "punchay", "p’unchay"),
        ("tupananchiskama", "tupananchikkama"),
        ("manam", "manan"),
        ("kausay", "kawsay"),
        ("chhika", "chika"),
        ("yusulpayki", "yusolpayki"),
    ],
)
def test_quechua_spelling_variants_meet(variants):
    folded = {normalize_quechua(v) for v in variants}
    assert len(folded) == 1, folded


def test_fold_keeps_k_and_q_apart():
    assert fold_word("kiru") != fold_word("qiru")


@pytest.mark.parametrize(
    "text",
    [
        "quiero denunciar, me ofrecieron trabajo como modelo",
        "¿qué es la trata de personas?",
        "ok, tengo el código K7M4-9QXT",
        "okey, kilo, whatsapp, tiktok",
        "the weekend is okay",
        "escríbeme a maria@example.com o http://qosqo.pe/info",
    ],
)
def test_spanish_and_other_text_gets_only_generic_normalisation(text):
    assert normalize_quechua(text) == normalize(text)


def test_code_switching_folds_only_the_quechua_words():
    assert normalize_quechua("Trabajota maskachkani Qosqopi, señora") == "trabajota maskachkani qusqupi, señora"
    assert normalize_quechua("denunciayta munani") == "denunciayta munani"
    assert normalize_quechua("voy a Qosqo mañana") == "voy a qusqu mañana"


SAMPLES = [
    "Llamk’ay  Qosqopi\tÑoqa",
    "¿Qué   es la TRATA?",
    "İstanbul ΣΟΦΟΣ",
    "Que\u0301 ni\u0303o … “hola”",
    "ＡＢＣ\u200b x\u0000y",
    "  tupananchiskama  manam  ",
    "K7M4-9QXT p'unchay",
]


@pytest.mark.parametrize("text", SAMPLES)
def test_aligned_variants_agree_with_plain_ones(text):
    assert normalize_aligned(text)[0] == normalize(text)
    assert normalize_quechua_aligned(text)[0] == normalize_quechua(text)


@pytest.mark.parametrize("text", SAMPLES)
def test_aligned_sources_point_into_the_input(text):
    out, sources = normalize_quechua_aligned(text)
    assert len(out) == len(sources)
    assert sources == sorted(sources)
    assert all(0 <= s < len(text) for s in sources)


def test_move_span_follows_a_word_through_normalisation():
    text = "Háblame  en   Qhichwapi, por favor"
    out, sources = normalize_quechua_aligned(text)
    start = text.index("Qhichwapi")
    span = move_span(sources, start, start + len("Qhichwapi"))
    assert span is not None
    assert out[span[0] : span[1]] == "qichwapi"


def test_move_span_of_removed_text_is_none():
    text = "hola \u200b\u200b chau"
    out, sources = normalize_aligned(text)
    assert move_span(sources, 5, 7) is None
