"""Human handoff state, and answering "how is my case?" by code with guessing slowed down."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.cases import codes, handoff, lookup, queue, store
from bot.db.models import CodeAttempt
from bot.db.session import session_scope
from bot.db.types import utcnow
from tests.cases_store.helpers import key, question_report


def _actions(case_id):
    return [(e.action, e.actor_type, e.old_value, e.new_value, (e.details or {}).get("reason"))
            for e in store.case_detail(case_id).events[2:]]


def test_request_operator_by_conversation_then_hand_back(database_url, staff, unique):
    conversation = f"conv-{unique}"
    result = store.submit_report(question_report(), conversation_id=conversation, channel="telegram",
                                 language="qu", idempotency_key=key())
    asked = handoff.request_operator(conversation_id=conversation, reason="asked")
    assert (asked.case_id, asked.case_code, asked.waiting, asked.changed) == (result.case_id, result.case_code,
                                                                             True, True)
    waiting = [i.id for i in queue.list_queue(queue.QueueFilter(waiting_for_operator=True))]
    assert result.case_id in waiting
    # Asking again changes nothing and writes nothing.
    assert not handoff.request_operator(case_id=result.case_id, reason="asked").changed
    back = handoff.hand_back_to_bot(conversation_id=conversation, user_id=staff.operator)
    assert back.changed and not back.waiting
    assert not handoff.hand_back_to_bot(case_id=result.case_id).changed
    assert result.case_id not in [i.id for i in queue.list_queue(queue.QueueFilter(waiting_for_operator=True))]
    assert _actions(result.case_id) == [
        ("operator_requested", "bot", "False", "True", "asked"),
        ("handed_back", "operator", "True", "False", None),
    ]


def test_request_operator_without_a_case_creates_one_in_the_queue(database_url, unique):
    conversation = f"lonely-{unique}"
    with pytest.raises(store.CaseNotFound):
        handoff.request_operator(conversation_id=conversation, reason="asked")
    first = handoff.request_operator(conversation_id=conversation, reason="emergency", channel="sms")
    assert first.created_case and first.changed
    case = store.case_detail(first.case_id)
    assert (case.category, case.status, case.channel, case.waiting_for_operator) == ("consulta", "recibido", "sms",
                                                                                     True)
    again = handoff.request_operator(conversation_id=conversation, reason="asked", channel="sms")
    assert again.case_id == first.case_id and not again.created_case and not again.changed
    with pytest.raises(ValueError):
        handoff.request_operator(case_id=first.case_id, reason="Por favor ayúdenme")   # never free text


def test_concurrent_handoff_requests_create_one_case(database_url, unique):
    from concurrent.futures import ThreadPoolExecutor

    conversation = f"race-{unique}"
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(lambda _: handoff.request_operator(conversation_id=conversation, reason="asked",
                                                                   channel="whatsapp"), range(8)))
    assert len({r.case_id for r in results}) == 1
    assert sum(r.changed for r in results) == 1


def test_status_by_code_answers_only_the_status(database_url, staff, unique):
    result = store.submit_report(question_report(), conversation_id=None, channel="telegram", language="qu",
                                 idempotency_key=key())
    queue.change_status(result.case_id, "clasificado", staff.operator)
    sender = f"p-{unique}"
    typed = result.case_code.lower().replace("-", " ")
    answer = lookup.case_status_for_code(f"mi código es {typed}", sender)
    assert answer == lookup.StatusAnswer("found", status="clasificado")
    free = codes.new_code()
    assert lookup.case_status_for_code(free, sender).kind == "unknown"
    assert lookup.case_status_for_code("no me acuerdo", sender) == lookup.StatusAnswer("malformed", problem="none")
    assert lookup.case_status_for_code("K7M4-9QX0", sender).problem == "confusable"
    # Same kind of symbol (digit for digit, letter for letter): an all-digit half would not
    # look like a code at all ("none"), which is another answer.
    last = result.case_code[-1]
    other = ("2", "3") if last.isdigit() else ("A", "B")
    wrong_check = result.case_code[:-1] + (other[0] if last != other[0] else other[1])
    assert lookup.case_status_for_code(wrong_check, sender).problem == "check"
    with session_scope() as db:
        stored = db.execute(select(CodeAttempt.ok).where(CodeAttempt.sender == sender)
                            .order_by(CodeAttempt.id)).scalars().all()
    assert stored == [True, False]          # malformed text is not counted as a guess


def test_wrong_codes_are_slowed_down_then_locked(database_url, unique):
    sender = f"guesser-{unique}"
    now = utcnow()
    kinds = [lookup.case_status_for_code(codes.new_code(), sender, now=now).kind for _ in range(3)]
    assert kinds == ["unknown"] * 3
    slow = lookup.case_status_for_code(codes.new_code(), sender, now=now)
    assert slow.kind == "slow_down" and slow.retry_after == 30 and not slow.locked
    # Even a malformed message waits: the check comes before reading the code.
    assert lookup.case_status_for_code("hola", sender, now=now).kind == "slow_down"
    # After the delay another guess is allowed, and the next delay doubles.
    later = now + timedelta(seconds=31)
    assert lookup.case_status_for_code(codes.new_code(), sender, now=later).kind == "unknown"
    assert lookup.case_status_for_code(codes.new_code(), sender, now=later).retry_after == 60
    # Another sender is not affected.
    assert lookup.case_status_for_code(codes.new_code(), f"other-{unique}", now=now).kind == "unknown"
    # Ten wrong codes in the window lock the sender out until they age out.
    t = later
    for _ in range(6):
        t += timedelta(hours=1, seconds=1)
        assert lookup.case_status_for_code(codes.new_code(), sender, now=t).kind == "unknown"
    locked = lookup.case_status_for_code(codes.new_code(), sender, now=t + timedelta(hours=1, seconds=1))
    assert locked.kind == "slow_down" and locked.locked
    assert lookup.case_status_for_code(codes.new_code(), sender, now=now + timedelta(days=2)).kind == "unknown"


def test_old_attempts_are_forgotten(database_url, unique):
    sender = f"old-{unique}"
    lookup.case_status_for_code(codes.new_code(), sender, now=utcnow() - timedelta(days=30))
    assert lookup.purge_attempts(timedelta(days=7)) >= 1
    with session_scope() as db:
        assert db.execute(select(CodeAttempt.id).where(CodeAttempt.sender == sender)).first() is None
