import pytest

from bot.language.detect import Detection, detect
from bot.language.policy import DEFAULT, decide, parse_language_request

# Quechua examples in these tests: review: pending-native-review
SHORT_REPLIES = ["arí", "ari", "manam", "ok", "sí", "si", "ya", "sulpayki", "👍", "gracias",
                 "muchas gracias", "manam munanichu", "arí chayqa", "ya pues", "por favor",
                 "jajaja", "ok gracias", "allinllachu", "hola", "está bien"]


@pytest.mark.parametrize("reply", SHORT_REPLIES)
@pytest.mark.parametrize("current", ["es", "qu"])
def test_short_replies_do_not_flip_an_established_language(reply, current):
    decision = decide(detect(reply), current=current)
    assert decision.lang == current
    assert decision.changed is False


def test_two_strongly_marked_words_switch_to_quechua():
    decision = decide(detect("yanapaway kunan"), current="es")
    assert (decision.lang, decision.changed) == ("qu", True)


def test_a_clear_sentence_switches():
    assert decide(detect("Ñuqaqa Qusqu llaqtapi llamk'achkani, yanapawankichu?"), current="es").lang == "qu"
    assert decide(detect("no entiendo nada, quiero que me hables en otro idioma que yo entienda"), current="qu").lang == "es"


def test_same_language_keeps_and_is_not_a_change():
    decision = decide(detect("quiero denunciar un caso de trata"), current="es")
    assert (decision.lang, decision.changed) == ("es", False)


def test_unsupported_language_keeps_the_current_one():
    decision = decide(detect("hello, how are you? I need help with a job offer"), current="qu")
    assert decision.lang == "qu"
    assert decision.changed is False


def test_weak_long_message_keeps_current():
    weak = Detection("qu", 0.7, {"qu": 0.7, "es": 0.3}, (), words=5, marked=1)
    assert decide(weak, current="es").lang == "es"


def test_explicit_choice_wins_and_sticks():
    first = decide(detect("hola"), current="es", explicit="qu")
    assert (first.lang, first.changed, first.reason) == ("qu", True, "explicit")
    # Later Spanish messages do not override it while the choice is passed on.
    later = decide(detect("quiero denunciar un caso de trata en mi comunidad"), current="qu", explicit="qu")
    assert (later.lang, later.changed) == ("qu", False)


def test_default_is_spanish_when_nothing_is_known():
    decision = decide(detect("👍"))
    assert decision.lang == DEFAULT == "es"
    assert decision.reason == "default"


def test_first_message_follows_a_confident_detection():
    assert decide(detect("allinllachu")).lang == "qu"
    assert decide(detect("denunciayta munani"), channel_hint="es").lang == "qu"
    assert decide(detect("quiero denunciar"), channel_hint="qu").lang == "es"


@pytest.mark.parametrize("hint, expected", [("qu", "qu"), ("es", "es"), ("es-PE", "es"), ("quz", "qu"), ("en", "es"), (None, "es")])
def test_telegram_language_code_is_a_weak_prior(hint, expected):
    # Nothing in the message itself: the channel hint decides, unsupported ones fall back to Spanish.
    assert decide(detect("👍"), channel_hint=hint).lang == expected


def test_channel_hint_beats_a_bare_set_phrase_on_the_first_message():
    assert decide(detect("ok"), channel_hint="qu").lang == "qu"
    assert decide(detect("hola"), channel_hint="qu").lang == "qu"


def test_channel_hint_never_overrides_an_established_language():
    assert decide(detect("ok"), current="es", channel_hint="qu").lang == "es"


def test_unsupported_explicit_value_is_ignored():
    assert decide(detect("quiero denunciar"), current="es", explicit="en").lang == "es"


@pytest.mark.parametrize(
    "text, expected",
    [
        ("en quechua por favor", "qu"),
        ("En Quechua, por favor", "qu"),
        ("quechuapi rimay", "qu"),
        ("castellanopi rimaway", "es"),
        ("runasimipi", "qu"),
        ("runa simipi rimaway", "qu"),
        ("hablame en español", "es"),
        ("Háblame en español", "es"),
        ("/idioma qu", "qu"),
        ("/idioma es", "es"),
        ("/quechua", "qu"),
        ("kichwa", "qu"),
        ("Quechua", "qu"),
        ("quechau", "qu"),
        ("en kechua porfa", "qu"),
        ("habla en quechua", "qu"),
        ("quiero hablar en quechua", "qu"),
        ("¿puedes hablarme en quechua?", "qu"),
        ("me puedes hablar en quechua?", "qu"),
        ("cambia a castellano", "es"),
        ("español por favor", "es"),
        ("mejor en castellano", "es"),
        ("no entiendo, en castellano por favor", "es"),
        ("ispañulpi", "es"),
        ("castellanota rimay", "es"),
    ],
)
def test_language_requests(text, expected):
    assert parse_language_request(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "¿qué es la trata?",
        "¿hablas quechua?",
        "¿sabes quechua?",
        "runasimita rimankichu?",
        "mi mamá habla quechua",
        "mi mamá habla en quechua",
        "no entiendo quechua",
        "de quechua a castellano",
        "quiero denunciar",
        "Qosqopi llamkani",
        "runa",
        "/idioma",
        "/lang en",
        "",
        None,
    ],
)
def test_not_language_requests(text):
    assert parse_language_request(text) is None
