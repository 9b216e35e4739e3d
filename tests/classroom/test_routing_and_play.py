"""Routing of classroom messages (no model needed) and the actions' conversation with a student."""
from __future__ import annotations

import secrets

import pytest

from bot.classroom.nlu import classroom_intent, read_choice
from tests.actions.helpers import make_tracker, run


@pytest.mark.parametrize("text, intent", [
    ("a", "class_answer"), ("B", "class_answer"), ("c)", "class_answer"), ("2", "class_answer"),
    ("la b", "class_answer"), ("Opción 3", "class_answer"), ("b kaq", "class_answer"),
    ("salir", "leave_class"), ("/salir", "leave_class"), ("Lluqsiy", "leave_class"), ("lloqsiy!", "leave_class"),
    ("CLASE K4M 7P2", "join_class"), ("k4m-7p2", "join_class"), ("el código es r3d9a2", "join_class"),
    # not classroom
    ("hola", None), ("a ver", None), ("voy a Lima", None), ("5", None), ("K7M4-9QXT", None),
    ("quiero salir de aquí", None), ("no me dejan salir", None), ("/greet", None), ("", None),
])
def test_routing(text, intent):
    assert classroom_intent(text) == intent


def test_numbers_are_letters():
    assert [read_choice(t) for t in ("1", "2", "3", "4", "e", "11")] == ["a", "b", "c", "d", None, None]


@pytest.fixture()
def code(database_url):
    from bot.classroom import store
    from bot.console.users import create_user
    from bot.db.session import session_scope

    with session_scope() as db:
        teacher = create_user(db, f"doc-{secrets.token_hex(3)}", "correcto-caballo-7", "teacher", display_name="Doc")
        return store.create_session(db, teacher.id, "redes_sociales", "qu").join_code


def texts(messages):
    return [m.get("text") or "" for m in messages]


def test_a_student_plays_through_the_actions_in_the_session_language(code):
    from actions.classroom import ActionClassAnswer, ActionClassJoin, ActionClassLeave
    from bot.classroom.modules import get_module
    from bot.config import template_values

    who = f"alumno-{secrets.token_hex(5)}"
    module = get_module("redes_sociales")
    messages, events = run(ActionClassJoin(), make_tracker(f"clase {code}", intent="join_class", sender=who))
    assert "clasemanmi yaykurunki" in messages[0]["text"]  # the session is in Quechua
    assert events == [{"event": "slot", "timestamp": None, "name": "in_class", "value": True}]
    assert [b["payload"] for b in messages[-1]["buttons"]] == ["a", "b", "c"]
    assert module.questions[0].scenario["qu"][:30] in messages[-1]["text"]

    right = module.questions[0].correct.id
    messages, _ = run(ActionClassAnswer(), make_tracker(right, intent="class_answer", sender=who))
    assert messages[0]["text"].startswith("✅")
    assert "2 kaq tapukuy" in messages[-1]["text"]

    wrong = next(c for c in module.questions[1].choices if not c.correct)
    number = str("abcd".index(wrong.id) + 1)  # typed as a number
    messages, _ = run(ActionClassAnswer(), make_tracker(number, intent="class_answer", sender=who))
    assert messages[0]["text"].startswith("❌") and module.questions[1].correct.text["qu"] in messages[0]["text"]

    messages, events = run(ActionClassAnswer(), make_tracker("a", intent="class_answer", sender=who))
    assert events[-1]["name"] == "in_class" and events[-1]["value"] is True   # one question left
    messages, events = run(ActionClassAnswer(), make_tracker("a", intent="class_answer", sender=who))
    assert events[-1]["name"] == "in_class" and events[-1]["value"] is False  # finished
    final = " ".join(texts(messages))
    assert "4 kaqmanta" in final and template_values()["police_number"] in final

    messages, events = run(ActionClassLeave(), make_tracker("lluqsiy", intent="leave_class", sender=who))
    assert "lluqsirunki" in messages[0]["text"]
    assert events[-1]["name"] == "in_class" and events[-1]["value"] is False


def test_wrong_code_gets_a_kind_answer_and_no_code_gets_the_how_to(database_url):
    from actions.classroom import ActionClassJoin

    messages, _ = run(ActionClassJoin(), make_tracker("clase A2A2A2", intent="join_class"))
    assert "No encuentro una clase con el código A2A 2A2" in messages[0]["text"]
    messages, _ = run(ActionClassJoin(), make_tracker("quiero entrar a la clase", intent="join_class"))
    assert "escribe el código" in messages[0]["text"]


def test_outside_a_class_a_letter_or_salir_gets_the_menu(database_url):
    from actions.classroom import ActionClassAnswer, ActionClassLeave

    for action, text in ((ActionClassAnswer(), "b"), (ActionClassLeave(), "salir")):
        messages, events = run(action, make_tracker(text, intent="class_answer", slots={"in_class": True}))
        assert any(m.get("buttons") for m in messages), "the menu"
        assert events[0]["event"] == "rewind"
        assert events[-1]["name"] == "in_class" and events[-1]["value"] is False   # a stale slot heals


def test_in_class_the_fallback_asks_the_question_again(code):
    from actions.classroom import ActionClassAnswer, ActionClassJoin
    from actions.fallback import ActionFallback

    who = f"alumno-{secrets.token_hex(5)}"
    run(ActionClassJoin(), make_tracker(code, intent="join_class", sender=who))
    messages, events = run(ActionFallback(), make_tracker("no sé qué poner", intent="nlu_fallback", sender=who))
    assert "lluqsiy" in messages[0]["text"]  # how to answer or leave, in the class language
    assert [b["payload"] for b in messages[-1]["buttons"]] == ["a", "b", "c"]
    assert events[0]["event"] == "rewind"
    # "no sé" classified as deny reaches action_class_answer by a rule: the question again, not counted
    messages, _ = run(ActionClassAnswer(), make_tracker("no sé", intent="deny", sender=who))
    assert "1 kaq tapukuy" in messages[-1]["text"]


def test_guessing_codes_is_slowed_down_per_sender_and_kindly(database_url, code):
    from actions.classroom import ActionClassJoin
    from bot.classroom import guard

    guard.forget_all()
    wrong = "clase A2A2A2" if code != "A2A2A2" else "clase C3C3C3"
    guesser = make_tracker(wrong, intent="join_class", sender="guesser-1")
    for _ in range(guard.POLICY.free_attempts):
        messages, _ = run(ActionClassJoin(), guesser)
        assert "No encuentro una clase" in messages[0]["text"]
    messages, _ = run(ActionClassJoin(), guesser)
    assert "Espera" in messages[0]["text"] and "min" in messages[0]["text"]
    # While waiting, even the right code waits: that is what stops guessing.
    messages, _ = run(ActionClassJoin(), make_tracker(f"clase {code}", intent="join_class", sender="guesser-1"))
    assert "Espera" in messages[0]["text"]
    # Another phone in the same class is not affected.
    messages, _ = run(ActionClassJoin(), make_tracker(f"clase {code}", intent="join_class", sender="student-2"))
    assert "yaykurunki" in messages[0]["text"]   # the session is in Quechua
    guard.forget_all()


def test_the_guard_forgets_after_its_window_and_keeps_nothing_in_the_database():
    from bot.classroom import guard

    guard.forget_all()
    for i in range(guard.POLICY.lock_after):
        guard.record_failure("p", now=1000.0 + i)
    assert guard.check("p", now=1100.0).locked
    assert guard.check("p", now=1000.0 + guard.POLICY.lock_after + guard.POLICY.window).allowed
    assert guard.check("someone-else", now=1100.0).allowed
    guard.forget_all()
