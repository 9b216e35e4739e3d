"""Queue operations: ordering and filters, claiming under concurrency, workflow, audit trail."""
from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta

import pytest

from bot.cases import queue, store
from bot.cases.definitions import TransitionError
from bot.cases.report import Location, Victim
from bot.db.types import utcnow
from tests.cases_store.helpers import key, make_users, minor_report, question_report


def _submit(report, url=None, **kw):
    return store.submit_report(report, conversation_id=kw.pop("conversation_id", None), channel=report.channel,
                               language=report.language, idempotency_key=key(), url=url, **kw)


def _events(case_id, url=None):
    return [(e.action, e.actor_id, e.old_value, e.new_value) for e in store.case_detail(case_id, url=url).events]


def test_queue_is_ordered_by_priority_then_age_and_filters_work(fresh_url, unique):
    staff = make_users(fresh_url, unique)
    now = utcnow()
    old_p3 = _submit(question_report(), fresh_url, received_at=now - timedelta(hours=5))
    new_p1 = _submit(minor_report(), fresh_url, received_at=now - timedelta(minutes=5))
    old_p1 = _submit(minor_report(channel="sms", language="qu"), fresh_url, received_at=now - timedelta(hours=2))
    p2 = _submit(question_report(channel="web", language="es", category_hint="orientacion_oferta",
                                 offer_type="laboral", travel_imminent=True,
                                 destination=Location(ubigeo="210101")), fresh_url,
                 received_at=now - timedelta(hours=9))
    closed = _submit(question_report(), fresh_url, received_at=now - timedelta(days=3))
    queue.change_status(closed.case_id, "no_valida", staff.operator, reason="broma", url=fresh_url)

    ids = [item.id for item in queue.list_queue(url=fresh_url)]
    assert ids == [old_p1.case_id, new_p1.case_id, p2.case_id, old_p3.case_id]

    def ids_for(**kw):
        return [i.id for i in queue.list_queue(queue.QueueFilter(**kw), url=fresh_url)]

    assert ids_for(priority="P1") == [old_p1.case_id, new_p1.case_id]
    assert ids_for(category="orientacion_oferta") == [p2.case_id]
    assert ids_for(region="21") == [p2.case_id]                  # Puno
    assert ids_for(region="17") == [old_p1.case_id, new_p1.case_id]
    assert ids_for(language="qu") == [old_p1.case_id, old_p3.case_id]
    assert ids_for(channel="sms") == [old_p1.case_id]
    assert ids_for(status="no_valida") == [closed.case_id]
    # The closed P3 case is three days old: older than the open P3 one.
    assert ids_for(status=("recibido", "no_valida")) == [old_p1.case_id, new_p1.case_id, p2.case_id,
                                                        closed.case_id, old_p3.case_id]
    queue.claim(new_p1.case_id, staff.operator, url=fresh_url)
    assert ids_for(assignee=staff.operator) == [new_p1.case_id]
    assert ids_for(unassigned=True, priority="P1") == [old_p1.case_id]
    assert ids_for(waiting_for_operator=True) == []
    assert ids_for(waiting_for_operator=False)[:1] == [old_p1.case_id]
    item = queue.list_queue(queue.QueueFilter(assignee=staff.operator), url=fresh_url)[0]
    assert item.assigned_to_name == f"Operator {unique}" and item.code == new_p1.case_code
    assert queue.count_by_priority(url=fresh_url) == {"P1": 2, "P2": 1, "P3": 1}
    assert queue.count_by_priority(unassigned=True, url=fresh_url) == {"P1": 1, "P2": 1, "P3": 1}


def test_fifty_concurrent_claims_on_ten_cases_give_each_case_one_owner(database_url, unique):
    users = [make_users(database_url, f"{unique}{i}") for i in range(2)]
    operators = [users[0].operator, users[0].operator2, users[0].supervisor, users[1].operator, users[1].operator2]
    cases = [_submit(question_report()).case_id for _ in range(10)]
    jobs = [(c, u) for c in cases for u in operators]            # 50 claims, 5 per case
    barrier = threading.Barrier(len(jobs))

    def attempt(job):
        case_id, user_id = job
        barrier.wait(timeout=60)
        return queue.claim(case_id, user_id)

    with ThreadPoolExecutor(max_workers=len(jobs)) as pool:
        results = list(pool.map(attempt, jobs))

    for case_id in cases:
        mine = [r for r in results if r.case_id == case_id]
        winners = [r for r in mine if r.ok]
        assert len(winners) == 1, f"case {case_id} got {len(winners)} owners"
        holder = store.case_detail(case_id).assigned_to_id
        assert winners[0].holder_id == holder
        assert all(r.holder_id == holder for r in mine if not r.ok)   # refusals name the holder
        assert [a for a, *_ in _events(case_id)].count("claimed") == 1


def test_claim_release_and_reassign(database_url, staff):
    case_id = _submit(question_report()).case_id
    first = queue.claim(case_id, staff.operator)
    assert first.ok and not first.already and first.holder_id == staff.operator
    refused = queue.claim(case_id, staff.operator2)
    assert not refused.ok and refused.holder_id == staff.operator and refused.holder_name == first.holder_name
    again = queue.claim(case_id, staff.operator)
    assert again.ok and again.already
    with pytest.raises(queue.NotHolder):
        queue.release(case_id, staff.operator2)
    queue.release(case_id, staff.operator)
    assert store.case_detail(case_id).assigned_to_id is None
    assert queue.claim(case_id, staff.operator2).ok
    previous = queue.reassign(case_id, staff.operator, staff.supervisor, reason="turno de noche")
    assert previous == staff.operator2
    detail = store.case_detail(case_id)
    assert detail.assigned_to_id == staff.operator
    assert _events(case_id)[2:] == [
        ("claimed", staff.operator, None, str(staff.operator)),
        ("released", staff.operator, str(staff.operator), None),
        ("claimed", staff.operator2, None, str(staff.operator2)),
        ("reassigned", staff.supervisor, str(staff.operator2), str(staff.operator)),
    ]
    assert detail.events[-1].text == "turno de noche"
    with pytest.raises(store.CaseNotFound):
        queue.claim(10**9, staff.operator)


def test_allowed_and_refused_transitions(database_url, staff):
    case_id = _submit(question_report()).case_id
    with pytest.raises(TransitionError, match="allowed from 'recibido'"):
        queue.change_status(case_id, "derivado", staff.operator)
    with pytest.raises(TransitionError, match="needs a reason"):
        queue.change_status(case_id, "no_valida", staff.operator)
    assert queue.change_status(case_id, "clasificado", staff.operator) == queue.StatusChange(case_id, "recibido",
                                                                                              "clasificado")
    with pytest.raises(TransitionError, match="derivation"):
        queue.change_status(case_id, "derivado", staff.operator)
    queue.change_status(case_id, "orientado", staff.operator)
    queue.change_status(case_id, "cerrado", staff.operator)
    closed = store.case_detail(case_id)
    assert closed.status == "cerrado" and closed.closed_at is not None and closed.next_statuses == ("clasificado",)
    with pytest.raises(TransitionError, match="supervisor"):
        queue.change_status(case_id, "clasificado", staff.operator, reason="llamó de nuevo")
    with pytest.raises(TransitionError, match="reason"):
        queue.change_status(case_id, "clasificado", staff.supervisor)
    queue.change_status(case_id, "clasificado", staff.supervisor, reason="llamó de nuevo")
    reopened = store.case_detail(case_id)
    assert reopened.status == "clasificado" and reopened.closed_at is None
    # Refused moves left no trace; allowed ones each left one event, with the reason encrypted in text.
    moves = [(e.old_value, e.new_value, e.actor_id, e.text) for e in reopened.events if e.action == "status_changed"]
    assert moves == [
        ("recibido", "clasificado", staff.operator, None),
        ("clasificado", "orientado", staff.operator, None),
        ("orientado", "cerrado", staff.operator, None),
        ("cerrado", "clasificado", staff.supervisor, "llamó de nuevo"),
    ]


def test_concurrent_status_changes_apply_once(database_url, staff):
    case_id = _submit(question_report()).case_id
    barrier = threading.Barrier(10)

    def move(_):
        barrier.wait(timeout=30)
        try:
            queue.change_status(case_id, "clasificado", staff.operator)
            return "ok"
        except (queue.StaleCase, TransitionError):
            return "refused"

    with ThreadPoolExecutor(max_workers=10) as pool:
        outcomes = list(pool.map(move, range(10)))
    assert outcomes.count("ok") == 1
    assert [a for a, *_ in _events(case_id)].count("status_changed") == 1


def test_derivation_marks_derivado_and_labour_is_never_cem_alone(database_url, staff):
    labour = minor_report(purposes=["explotacion_laboral", "explotacion_sexual"])
    case_id = _submit(labour).case_id
    queue.change_status(case_id, "clasificado", staff.operator)
    with pytest.raises(queue.DerivationError):
        queue.add_derivation(case_id, "interpol", date(2026, 3, 2), None, staff.operator)
    cem = queue.add_derivation(case_id, "mimp_cem", date(2026, 3, 2), "OF-12-2026", staff.operator, region="17")
    assert not cem.status_changed and cem.status == "clasificado" and "CEM" in cem.warnings[0]
    pnp = queue.add_derivation(case_id, "pnp", date(2026, 3, 2), "DEN-4455", staff.operator, region="17")
    assert pnp.status_changed and pnp.status == "derivado" and pnp.warnings == ()
    detail = store.case_detail(case_id)
    assert [(d.institution, d.reference, d.region, d.derived_on, d.created_by_id) for d in detail.derivations] == [
        ("mimp_cem", "OF-12-2026", "17", date(2026, 3, 2), staff.operator),
        ("pnp", "DEN-4455", "17", date(2026, 3, 2), staff.operator),
    ]
    assert [(a, n) for a, _, _, n in _events(case_id)][-3:] == [
        ("derivation_added", "mimp_cem"), ("derivation_added", "pnp"), ("status_changed", "derivado")]
    # A further derivation of a derived case changes nothing else.
    third = queue.add_derivation(case_id, "mtpe_sunafil", date(2026, 3, 3), None, staff.operator)
    assert not third.status_changed and third.status == "derivado" and third.warnings == ()

    recibido = _submit(question_report()).case_id
    early = queue.add_derivation(recibido, "pnp", date(2026, 3, 2), None, staff.operator)
    assert not early.status_changed and "recibido" in early.warnings[0]


def test_every_change_writes_an_audit_event(database_url, staff):
    case_id = _submit(minor_report()).case_id
    queue.mark_viewed(case_id, staff.operator)
    queue.claim(case_id, staff.operator)
    queue.reclassify(case_id, staff.operator, category="orientacion_oferta", subtype="laboral", priority="P2",
                     reason="era una oferta")
    queue.add_note(case_id, staff.operator, "Volver a escribir mañana")
    queue.change_status(case_id, "clasificado", staff.operator)
    queue.add_derivation(case_id, "pnp", date(2026, 3, 2), None, staff.operator)
    queue.release(case_id, staff.operator)
    detail = store.case_detail(case_id)
    assert [(e.action, e.actor_type, e.actor_id, e.old_value, e.new_value) for e in detail.events] == [
        ("created", "bot", None, None, detail.code),
        ("classified", "system", None, None, "denuncia/P1"),
        ("viewed", "operator", staff.operator, None, None),
        ("claimed", "operator", staff.operator, None, str(staff.operator)),
        ("reclassified", "operator", staff.operator, "denuncia//P1", "orientacion_oferta/laboral/P2"),
        ("note_added", "operator", staff.operator, None, None),
        ("status_changed", "operator", staff.operator, "recibido", "clasificado"),
        ("derivation_added", "operator", staff.operator, None, "pnp"),
        ("status_changed", "operator", staff.operator, "clasificado", "derivado"),
        ("released", "operator", staff.operator, str(staff.operator), None),
    ]
    assert all(e.at is not None and e.at.tzinfo is not None for e in detail.events)
    assert [e.at for e in detail.events] == sorted(e.at for e in detail.events)
    assert detail.events[5].text == "Volver a escribir mañana"
    assert (detail.category, detail.subtype, detail.priority) == ("orientacion_oferta", "laboral", "P2")
    with pytest.raises(ValueError):
        queue.add_note(case_id, staff.operator, "   ")
    with pytest.raises(ValueError):
        queue.reclassify(case_id, staff.operator, priority="P0")
    assert len(store.case_detail(case_id).events) == len(detail.events)


def test_offline_intake_by_an_operator_is_attributed(database_url, staff):
    report = minor_report(channel="telefono", victims=[Victim(sex="hombre", age_band="25_mas")],
                          purposes=["explotacion_laboral"], ongoing_exploitation=False)
    result = _submit(report, origin="offline", user_id=staff.operator)
    created = store.case_detail(result.case_id).events[0]
    assert (created.actor_type, created.actor_id, created.details["origin"]) == ("operator", staff.operator, "offline")
