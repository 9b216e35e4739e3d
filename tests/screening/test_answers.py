"""Guided questions: answers become indicators and merge with the text's."""
import pytest

from bot.screening import indicators_from_answers, load_questions, next_question, screen, screen_with_answers


def ids(inds):
    return {i.id for i in inds}


def test_the_short_form_has_the_six_questions_with_buttons_in_both_languages():
    q = load_questions()
    assert [x.id for x in q.questions] == ["who", "destination", "job", "trip", "documents", "age"]
    for question in q.questions:
        assert question.text["es"] and question.text["qu"] and question.text["es"] != question.text["qu"]
        for lang in ("es", "qu"):
            buttons = question.buttons(lang, q.skip_label)
            assert buttons[-1]["id"] == "skip" and len(buttons) >= 3
            assert all(b["title"] for b in buttons)


def test_choices_map_to_indicators():
    assert ids(indicators_from_answers({"trip": "they_pay_discount"})) == {"travel_paid", "debt"}
    assert ids(indicators_from_answers({"documents": "yes"})) == {"documents_kept"}
    assert ids(indicators_from_answers({"age": "under_18", "destination": "puno_mining"})) == {
        "minor", "risk_destination", "travel"}
    assert indicators_from_answers({"job": "other", "trip": "i_pay", "documents": "no"}) == []


def test_skipped_and_empty_answers_add_nothing():
    assert indicators_from_answers({"age": "skip", "job": None, "who": ""}) == []


def test_typed_age_and_typed_destination():
    assert ids(indicators_from_answers({"age": 15})) == {"minor"}
    assert ids(indicators_from_answers({"age": "tengo 16"})) == {"minor"}
    assert indicators_from_answers({"age": "19"}) == []
    got = indicators_from_answers({"destination": "a Mazuko, cerca de Puerto Maldonado"})
    assert ids(got) == {"risk_destination", "travel"}
    assert ids(indicators_from_answers({"destination": "Arequipa"})) == {"travel"}
    assert indicators_from_answers({"destination": "aquí mismo en mi pueblo"}) == []


def test_answer_indicators_carry_the_question_and_choice():
    (ind,) = indicators_from_answers({"documents": "yes"})
    assert ind.source == "answer" and ind.answer == ("documents", "yes") and ind.weight == 6


@pytest.mark.parametrize("answers,message", [
    ({"colour": "red"}, "unknown question 'colour'"),
    ({"job": "astronaut"}, "'astronaut' is not one of"),
    ({"age": "purple"}, "neither a choice nor an age"),
    ({"age": 200}, "neither a choice nor an age"),
])
def test_bad_answers_raise_clear_errors(answers, message):
    with pytest.raises(ValueError, match=message):
        indicators_from_answers(answers)


def test_screen_with_answers_merges_and_prefers_the_texts_words():
    text = "Me ofrecen trabajo en Puerto Maldonado"
    assert screen(text).risk == "low"
    r = screen_with_answers(text, {"destination": "madre_de_dios", "age": "under_18"})
    assert r.risk == "high" and "minor_on_the_move" in r.rules
    dest = next(i for i in r.indicators if i.id == "risk_destination")
    assert dest.source == "text" and dest.evidence == "Puerto Maldonado"
    assert r.ids.count("risk_destination") == 1


def test_answers_alone_without_text():
    r = screen_with_answers("", {"job": "nightlife", "trip": "they_pay"})
    assert r.risk == "high" and r.lang == "es"


def test_next_question_skips_answered_and_already_known():
    assert next_question({}).id == "who"
    assert next_question({"who": "skip"}).id == "destination"
    r = screen("Se necesita personal para bar en Juliaca, pasajes pagados, tengo 17 años")
    asked = []
    answers = {}
    while (q := next_question(answers, r)) is not None:
        asked.append(q.id)
        answers[q.id] = "skip"
    assert asked == ["who", "documents"]
