import pytest

from bot.cases import intake
from bot.cases.intake import build_report


@pytest.mark.parametrize("text,expected", [
    ("opt:danger", "danger"), ("sí, hay peligro ahora", "danger"), ("kunan wichqasqa kachkan", "danger"),
    ("sí, todavía", "ongoing"), ("ya pasó hace un año", "past"), ("no", "past"), ("no sé", "unknown"),
    ("manam yachanichu", "unknown"), ("1", "danger"), ("3", "past"),
])
def test_now(text, expected):
    assert intake.parse_now(text) == expected


@pytest.mark.parametrize("text,expected", [
    ("yo", "victima"), ("a mí", "victima"), ("mi hermana", "familiar_o_cuidador"), ("ñañay", "familiar_o_cuidador"),
    ("una amiga del colegio", "testigo"), ("opt:testigo", "testigo"), ("2", "familiar_o_cuidador"),
])
def test_who(text, expected):
    assert intake.parse_who(text) == expected


@pytest.mark.parametrize("text,expected", [
    ("15", ("13_17", 15)), ("tiene 15 años", ("13_17", 15)), ("9 wata", ("7_12", 9)), ("30", ("25_mas", 30)),
    ("opt:13_17", ("13_17", None)), ("es menor", ("menor_sin_edad", None)), ("3", ("adulto_sin_edad", None)),
    ("mayor de edad", ("adulto_sin_edad", None)),
])
def test_age(text, expected):
    assert intake.parse_age(text) == expected


@pytest.mark.parametrize("text,expected", [
    ("1 y 3", ["explotacion_sexual", "explotacion_domestica"]),
    ("1, 2", ["explotacion_sexual", "explotacion_laboral"]),
    ("la hacen trabajar en un bar", ["explotacion_sexual", "explotacion_laboral"]),
    ("en una mina", ["explotacion_laboral"]),
    ("no sé", ["desconocida"]),
    ("7 y 1", ["explotacion_sexual"]),  # "no sé" next to a known purpose drops out
])
def test_purposes(text, expected):
    assert intake.parse_purposes(text) == expected


def test_place_is_forgiving_and_reports_ambiguity():
    assert intake.parse_place("pto maldonado").ubigeo == "170101"
    assert intake.parse_place("Chile").abroad
    cusco = intake.parse_place("Cusco")
    assert cusco.ubigeo == "08" and cusco.choices  # the department everyone shares, choices to refine
    assert intake.parse_place("qwrtpz") is None


def test_commands():
    assert intake.is_skip("SALTAR") and intake.is_skip("prefiero no decir") and intake.is_skip("opt:skip")
    assert intake.is_stop("Cancelar") and intake.is_stop("ya no quiero seguir") and intake.is_stop("sayay")
    assert not intake.is_stop("mi hermana no para de llorar")
    assert intake.is_fix("corregir")


def test_report_from_answers_is_valid_and_complete():
    report = build_report({
        "report_what": "mi prima trabaja en un bar", "report_now": "ongoing", "report_where": "170101",
        "report_who": "familiar_o_cuidador", "report_age": "13_17:16",
        "report_purposes": "explotacion_sexual,explotacion_laboral", "report_recruitment": "internet_redes",
        "report_contact": "yes",
    }, channel="telegram", language="qu")
    assert report.has_minor and report.victims[0].age_years == 16
    assert report.destination.ubigeo == "170101" and report.ongoing_exploitation is True
    assert report.purposes == ["explotacion_sexual", "explotacion_laboral"]
    assert report.recruitment == "internet_redes" and report.reporter_role == "familiar_o_cuidador"
    assert report.contact_back and not report.anonymous and report.contact_channel == "telegram"
    assert report.language == "qu" and report.category_hint == "denuncia"


def test_skipped_answers_leave_fields_unknown_and_web_channels_map_to_web():
    report = build_report({slot: intake.SKIP for slot in intake.QUESTIONS}, channel="rest", language="es")
    assert report.channel == "web" and report.anonymous and report.purposes == []
    assert report.victims[0].age_band == "sin_dato" and report.ongoing_exploitation is None


def test_the_form_never_asks_a_minor_for_proof_of_means():
    """For a child it is trata without any "means": no question about violence or deception."""
    words = ("violencia", "engaño", "enga", "amenaz", "obligaron", "prueba", "maqa", "llulla")
    for slot in (*intake.QUESTIONS, intake.CONFIRM):
        for lang in ("es", "qu"):
            text, _ = intake.question(slot, lang, summary="")
            assert not any(w in text.lower() for w in words), (slot, lang, text)


def test_every_question_has_both_languages_and_button_payloads_parse_back():
    parsers = {"report_now": intake.parse_now, "report_who": intake.parse_who, "report_age": intake.parse_age,
               "report_recruitment": intake.parse_recruitment, "report_contact": intake.parse_contact}
    for slot, parse in parsers.items():
        for lang in ("es", "qu"):
            _, buttons = intake.question(slot, lang)
            assert buttons, slot
            for button in buttons:
                assert parse(button["payload"]) is not None, (slot, button)


def test_summary_shows_answers_in_the_persons_language():
    text = intake.summary({"report_where": "170101", "report_contact": "no", "report_now": "past"}, "qu")
    assert "Tambopata" in text and "Manam, mana sutiyuq" in text and "(mana kutichisqa)" in text
