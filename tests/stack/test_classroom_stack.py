"""A class of 30 simulated students plays a whole module through Rasa's REST channel.

The trained model, the action server and the database are the real ones (tests/conftest.py
`stack`). Checked: every student gets the questions and the right feedback, typed letters
and numbers work like buttons, a stray message re-asks the question instead of the menu,
a student who reveals real danger gets the emergency numbers and is kept out of the class
results, aggregates are exact, wrong and expired codes get a kind answer, and after the
session ends no table holds any student's sender id (nor do the logs).
"""
from __future__ import annotations

import secrets
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from sqlalchemy import String, Text, inspect, select, text

from bot.classroom import store
from bot.classroom.modules import get_module
from bot.db.models import Case, ClassSession
from bot.db.session import get_engine, session_scope
from bot.db.types import utcnow

pytestmark = pytest.mark.stack

MODULE = "ofertas_enganosas"
STUDENTS = 30


def teacher_id() -> int:
    from bot.console.users import create_user

    with session_scope() as db:
        return create_user(db, f"docente-{secrets.token_hex(3)}", "correcto-caballo-7", "teacher",
                           display_name="Docente").id


def plan(i: int, module) -> list[str]:
    """Student i's choices: varied, deterministic, so the expected counts are known."""
    picks = []
    for n, q in enumerate(module.questions):
        ids = [c.id for c in q.choices]
        # two in three pick the safe answer on odd questions; the rest spread over the others
        if (i + n) % 3 != 0:
            picks.append(q.correct.id)
        else:
            picks.append(ids[(i + n) % len(ids)])
    return picks


def typed(i: int, choice: str) -> str:
    """How student i sends a choice: the button's payload, the letter typed, or its number."""
    style = i % 3
    if style == 0:
        return choice                                    # a button tap sends the payload
    if style == 1:
        return choice.upper() + ")"                      # "B)"
    return str("abcd".index(choice) + 1)                 # "2"


def join_text(i: int, code: str) -> str:
    return (f"CLASE {code[:3]} {code[3:]}", f"clase {code.lower()}", f"{code[:3]}-{code[3:]}")[i % 3]


def test_a_class_of_30_plays_a_module_with_exact_results_and_no_trace_afterwards(stack):
    module = get_module(MODULE)
    with session_scope() as db:
        session = store.create_session(db, teacher_id(), MODULE, "es")
        session_id, code = session.id, session.join_code
    run = secrets.token_hex(4)
    senders = [f"aula30-{run}-{i:02d}" for i in range(STUDENTS)]
    problems: list[str] = []

    def student(i: int) -> list[str]:
        who = senders[i]
        replies = stack.send(who, join_text(i, code))
        texts = " ".join(r.get("text", "") for r in replies)
        if "Te uniste a la clase" not in texts:
            problems.append(f"{i}: join -> {texts[:120]!r}")
            return []
        if [b.get("payload") for b in replies[-1].get("buttons", [])] != [c.id for c in module.questions[0].choices]:
            problems.append(f"{i}: no answer buttons after joining")
        picks = plan(i, module)
        for n, (q, choice) in enumerate(zip(module.questions, picks)):
            if i == 7 and n == 1:
                # a stray message in the middle: the question again, never the menu
                again = " ".join(r.get("text", "") for r in stack.send(who, "mmm no sé, qué era?"))
                if "Responde con una de las letras" not in again or "Pregunta 2 de 4" not in again:
                    problems.append(f"{i}: stray message -> {again[:160]!r}")
            replies = stack.send(who, typed(i, choice))
            first = replies[0].get("text", "") if replies else ""
            expected = "✅" if choice == q.correct.id else "❌"
            if not first.startswith(expected):
                problems.append(f"{i}: q{n + 1} {typed(i, choice)!r} -> {first[:80]!r}")
            if n + 1 < len(module.questions) and f"Pregunta {n + 2} de" not in " ".join(r.get("text", "") for r in replies):
                problems.append(f"{i}: q{n + 1} not followed by the next question")
        last = " ".join(r.get("text", "") for r in replies)
        correct = sum(c == q.correct.id for q, c in zip(module.questions, picks))
        if f"Acertaste {correct} de {len(module.questions)}" not in last:
            problems.append(f"{i}: final score missing in {last[:200]!r}")
        if i == 11:
            left = " ".join(r.get("text", "") for r in stack.send(who, "salir"))
            if "Saliste de la clase" not in left:
                problems.append(f"{i}: salir -> {left[:120]!r}")
        return picks

    with ThreadPoolExecutor(max_workers=5) as pool:
        all_picks = list(pool.map(student, range(STUDENTS)))
    assert not problems, problems[:10]

    # A 31st student reveals real danger right after joining: the numbers, privately, and a case.
    from bot.config import template_values

    reporter = f"aulareport-{run}"
    assert "Te uniste a la clase" in " ".join(stack.texts(reporter, f"CLASE {code}"))
    danger = stack.texts(reporter, "ayuda me tienen encerrada y no me dejan salir")
    assert template_values()["police_number"] in danger[0]
    with session_scope() as db:
        assert db.execute(select(Case).where(Case.conversation_id == reporter)).scalar_one().priority == "P1"

    # Wrong and expired codes get a kind answer.
    wrong = " ".join(stack.texts(f"aulawrong-{run}", "CLASE A2A 2A2"))
    assert "No encuentro una clase con el código A2A 2A2" in wrong and "Revisa el código" in wrong
    with session_scope() as db:
        old = store.create_session(db, teacher_id(), MODULE, "es", minutes=30, now=utcnow() - timedelta(hours=2))
        old_code = old.join_code
    expired = " ".join(stack.texts(f"aulaexp-{run}", f"CLASE {old_code}"))
    assert "ya no sirve" in expired or "ya terminó" in expired, expired

    # Exact aggregates: every answer counted once, the reporter's danger message in none.
    expected: dict[tuple[str, str], int] = {}
    for picks in all_picks:
        for q, c in zip(module.questions, picks):
            expected[(q.id, c)] = expected.get((q.id, c), 0) + 1
    with session_scope() as db:
        s = db.get(ClassSession, session_id)
        got = {(r.question.id, c): n for r in store.results(db, s) for c, n in r.counts.items() if n}
        assert got == expected
        assert (s.joined_count, s.finished_count) == (STUDENTS + 1, STUDENTS)
        assert store.active_count(db, s) == STUDENTS  # 31 joined, one left with "salir"
        purged = store.end_session(db, s, actor_id=None)
    assert purged == STUDENTS  # every student's conversation; the reporter's is kept for the case

    # Nothing identifies a student any more: no table holds a student's sender id.
    hits = _tables_mentioning(f"aula30-{run}")
    assert hits == {}, hits
    logs = stack.logs()
    assert logs and f"aula30-{run}" not in logs and code not in logs, "sender ids or the join code in the logs"
    assert _tables_mentioning(reporter), "the reporter's case must keep its conversation"


def _tables_mentioning(needle: str) -> dict[str, int]:
    engine = get_engine()
    found: dict[str, int] = {}
    insp = inspect(engine)
    with engine.connect() as conn:
        for table in insp.get_table_names():
            for column in insp.get_columns(table):
                if not isinstance(column["type"], (String, Text)) and "CHAR" not in str(column["type"]).upper() \
                        and "TEXT" not in str(column["type"]).upper() and "JSON" not in str(column["type"]).upper():
                    continue
                count = conn.execute(text(f'SELECT COUNT(*) FROM "{table}" WHERE CAST("{column["name"]}" AS TEXT) '
                                          f"LIKE :pattern"), {"pattern": f"%{needle}%"}).scalar_one()
                if count:
                    found[f"{table}.{column['name']}"] = count
    return found
