"""Sessions in the database: joining, scoring, exact counts, pseudonyms, expiry and the end purge."""
from __future__ import annotations

import secrets
from datetime import timedelta

import pytest
from sqlalchemy import select, text

from bot.classroom import store
from bot.classroom.modules import get_module
from bot.db.models import AuditLog, ClassAnswerCount, ClassParticipant, ClassSession, Contact
from bot.db.session import session_scope
from bot.db.types import utcnow


@pytest.fixture()
def teacher(database_url):
    from bot.console.users import create_user

    with session_scope() as db:
        return create_user(db, f"docente-{secrets.token_hex(3)}", "correcto-caballo-7", "teacher",
                           display_name="Rosa Docente").id


def new_session(teacher, module="ofertas_enganosas", language="es", **kw) -> tuple[int, str]:
    with session_scope() as db:
        s = store.create_session(db, teacher, module, language, **kw)
        return s.id, s.join_code


def sender() -> str:
    return f"alumno-{secrets.token_hex(6)}"


def play(sender_id: str, code: str, choices: list[str]) -> list[store.AnswerResult]:
    with session_scope() as db:
        assert store.join(db, code, sender_id).status == "joined"
    out = []
    for choice in choices:
        with session_scope() as db:
            out.append(store.answer(db, sender_id, choice))
    return out


def test_participant_key_is_a_keyed_hash_that_changes_with_the_salt():
    a = store.participant_key("s" * 64, "telegram-123")
    assert a == store.participant_key("s" * 64, "telegram-123")
    assert a != store.participant_key("t" * 64, "telegram-123")
    assert "telegram-123" not in a and len(a) == 64


def test_scoring_counts_only_correct_choices_and_each_question_once(teacher):
    _, code = new_session(teacher)
    module = get_module("ofertas_enganosas")
    right = [q.correct.id for q in module.questions]
    wrong = [next(c.id for c in q.choices if not c.correct) for q in module.questions]
    student = sender()
    answers = [right[0], wrong[1], right[2], wrong[3]]
    results = play(student, code, answers)
    assert [r.correct for r in results] == [True, False, True, False]
    assert [r.status for r in results] == ["counted", "counted", "counted", "finished"]
    assert results[-1].score == 2 and results[-1].total == 4
    assert results[0].next_question.id == module.questions[1].id and results[-1].next_question is None
    with session_scope() as db:
        again = store.answer(db, student, right[3])
    assert again.status == "done_already" and again.score == 2


def test_an_unknown_choice_is_not_counted_and_the_question_stays(teacher):
    session_id, code = new_session(teacher)
    student = sender()
    with session_scope() as db:
        store.join(db, code, student)
        result = store.answer(db, student, "d")  # the first question has a, b, c
    assert result.status == "invalid" and result.question.id == "plaza_madre_de_dios"
    with session_scope() as db:
        assert sum(r.count for r in db.execute(select(ClassAnswerCount).where(
            ClassAnswerCount.session_id == session_id)).scalars()) == 0


def test_aggregates_are_exact_for_a_class(teacher):
    session_id, code = new_session(teacher, "derechos_ayuda")
    module = get_module("derechos_ayuda")
    expected: dict[tuple[str, str], int] = {}
    for i in range(12):
        picks = [q.choices[(i + n) % len(q.choices)].id for n, q in enumerate(module.questions)]
        play(sender(), code, picks)
        for q, c in zip(module.questions, picks):
            expected[(q.id, c)] = expected.get((q.id, c), 0) + 1
    with session_scope() as db:
        session = db.get(ClassSession, session_id)
        got = {(r.question.id, c): n for r in store.results(db, session) for c, n in r.counts.items() if n}
        assert got == expected
        assert (session.joined_count, session.finished_count) == (12, 12)
        wrong = store.common_wrong_answers(store.results(db, session), limit=50)
        assert all(c != r.question.correct.id for r, c, _ in wrong)
        assert [n for _, _, n in wrong] == sorted((n for _, _, n in wrong), reverse=True)


def test_joining_twice_counts_one_student_and_keeps_the_place(teacher):
    session_id, code = new_session(teacher)
    student = sender()
    with session_scope() as db:
        assert store.join(db, code, student).status == "joined"
        store.answer(db, student, "b")
    with session_scope() as db:
        again = store.join(db, f"clase {code[:3]}-{code[3:].lower()}", student)
        assert again.status == "rejoined" and again.seat.participant.position == 1
        assert db.get(ClassSession, session_id).joined_count == 1


def test_wrong_and_expired_codes(teacher):
    now = utcnow()
    _, code = new_session(teacher, minutes=30, now=now - timedelta(minutes=45))
    with session_scope() as db:
        assert store.join(db, "hola profe", sender()).status == "unknown"
        assert store.join(db, "A2A2A2", sender()).status == "unknown"
        # The session has run out: it is ended (and its code freed) on the first look-up.
        result = store.join(db, code, sender())
        assert result.status in ("unknown", "expired")


def test_expiry_ends_the_session_and_forgets_participants(teacher):
    start = utcnow() - timedelta(minutes=100)
    session_id, code = new_session(teacher, minutes=60, now=start)
    student = sender()
    with session_scope() as db:
        s = db.get(ClassSession, session_id)
        db.add(ClassParticipant(session_id=s.id, participant_key=store.participant_key(s.salt, student),
                                position=0, correct_count=0, joined_at=start))
    with session_scope() as db:
        assert store.purge_expired(db) >= 1
    with session_scope() as db:
        s = db.get(ClassSession, session_id)
        assert (s.status, s.end_reason, s.salt, s.join_code) == ("ended", "expired", None, None)
        assert db.execute(select(ClassParticipant).where(ClassParticipant.session_id == session_id)).first() is None
        assert store.current_seat(db, student) is None


def test_end_purges_participants_and_their_conversations_but_keeps_counts_and_cases(teacher):
    from bot.contacts import record as record_contact

    session_id, code = new_session(teacher)
    students = [sender() for _ in range(3)]
    bystander = sender()
    for s in students:
        play(s, code, ["b", "c"])
    for conv in students + [bystander]:
        record_contact(conv, "rest", "es")
    with session_scope() as db:
        db.execute(text("INSERT INTO cases (code, conversation_id, category, status, priority, language, channel, "
                        "origin, definition_version, waiting_for_operator, created_at, updated_at) VALUES "
                        "(:code, :conv, 'denuncia', 'recibido', 'P1', 'es', 'web', 'bot', 'v1', false, :now, :now)"),
                   {"code": secrets.token_hex(4).upper()[:9], "conv": students[0], "now": utcnow()})
    with session_scope() as db:
        purged = store.end_session(db, db.get(ClassSession, session_id), actor_id=teacher)
    assert purged == 2  # the third student's conversation has a case and is kept
    with session_scope() as db:
        s = db.get(ClassSession, session_id)
        assert s.status == "ended" and s.salt is None and s.join_code is None and s.ended_at is not None
        assert db.execute(select(ClassParticipant).where(ClassParticipant.session_id == session_id)).first() is None
        left = set(db.execute(select(Contact.conversation_id).where(
            Contact.conversation_id.in_(students + [bystander]))).scalars())
        assert left == {students[0], bystander}
        counts = {(r.question.id, c): n for r in store.results(db, s) for c, n in r.counts.items() if n}
        assert counts == {("plaza_madre_de_dios", "b"): 3, ("deuda_mina", "c"): 3}
        actions = [a.action for a in db.execute(select(AuditLog).where(
            AuditLog.object_type == "class_session", AuditLog.object_id == str(session_id))).scalars()]
        assert actions == ["class_session_created", "class_session_ended"]


def test_a_student_who_leaves_is_no_longer_in_class_but_their_answers_stay(teacher):
    session_id, code = new_session(teacher)
    student = sender()
    play(student, code, ["a"])
    with session_scope() as db:
        assert store.leave(db, student) is not None
        assert store.current_seat(db, student) is None
        assert store.answer(db, student, "b").status == "not_in_class"
        assert store.leave(db, student) is None
        s = db.get(ClassSession, session_id)
        assert store.active_count(db, s) == 0
        assert sum(r.counts["a"] for r in store.results(db, s)[:1]) == 1


def test_joining_another_class_leaves_the_first(teacher):
    _, first = new_session(teacher)
    second_id, second = new_session(teacher, "redes_sociales")
    student = sender()
    play(student, first, [])
    with session_scope() as db:
        assert store.join(db, second, student).status == "joined"
    with session_scope() as db:
        assert store.current_seat(db, student).session.id == second_id


def test_a_module_cannot_start_in_a_language_it_lacks(teacher, monkeypatch):
    import dataclasses

    from bot.classroom import modules

    module = modules.get_module("redes_sociales")
    q0 = module.questions[0]
    broken_q = dataclasses.replace(q0, scenario={"es": q0.scenario["es"]})
    broken = dataclasses.replace(module, questions=(broken_q,) + module.questions[1:])
    monkeypatch.setattr(store, "get_module", lambda mid: broken)
    with session_scope() as db:
        with pytest.raises(store.ClassroomError) as info:
            store.create_session(db, teacher, "redes_sociales", "qu")
    assert "no está traducido al quechua" in str(info.value)
    assert "questions.modelo_desconocido.scenario" in str(info.value)


def test_the_runner_ends_expired_sessions(teacher):
    from bot.runner import end_expired_classes_quietly

    session_id, _ = new_session(teacher, minutes=10, now=utcnow() - timedelta(minutes=30))
    end_expired_classes_quietly()
    with session_scope() as db:
        s = db.get(ClassSession, session_id)
        assert (s.status, s.end_reason, s.salt) == ("ended", "expired", None)
