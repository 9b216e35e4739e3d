"""submit_report: one transaction, field-by-field storage, idempotency, encryption at rest."""
from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select, text

from bot import contacts
from bot.cases import codes, store
from bot.cases.report import ReportError
from bot.cases.triage import triage
from bot.db.models import Case, CaseEvent
from bot.db.session import get_engine, session_scope
from tests.cases_store.helpers import key, minor_report, question_report


def test_submit_stores_case_report_and_first_events(database_url, unique):
    conversation = f"conv-{unique}"
    contact = contacts.record(conversation, "whatsapp", "es", address="+51987650001")
    report = minor_report()
    result = store.submit_report(report, conversation_id=conversation, channel="whatsapp", language="es",
                                 idempotency_key=key(), contact_details="Rosa, llamar al 987650001")
    assert result.created and not result.spooled
    assert (result.category, result.priority) == ("denuncia", "P1")
    assert codes.is_valid(result.case_code)

    case = store.case_detail(result.case_id)
    assert case.code == result.case_code
    assert (case.category, case.subtype, case.priority, case.status) == ("denuncia", None, "P1", "recibido")
    assert (case.channel, case.language, case.origin, case.definition_version) == ("whatsapp", "es", "bot", "v1")
    assert case.region == "17"                      # Madre de Dios, where the facts happen
    assert case.contact_id == contact.id and case.conversation_id == conversation
    assert case.assigned_to_id is None and not case.waiting_for_operator and case.closed_at is None
    # The report comes back equal, field by field, narrative included.
    assert case.report == report
    assert case.report.victims[0].age_band == "13_17" and case.report.victims[0].is_minor is True
    assert case.report.destination.ubigeo == "170201"
    assert case.narrative == report.narrative
    assert case.contact_details == "Rosa, llamar al 987650001"

    created, classified = case.events
    assert (created.action, created.actor_type, created.new_value) == ("created", "bot", result.case_code)
    assert created.details["contact_linked"] is True and created.details["spooled"] is False
    expected = triage(report)
    assert (classified.action, classified.actor_type, classified.new_value) == ("classified", "system", "denuncia/P1")
    assert classified.details["rules"] == expected.rules
    assert classified.details["reasons"] == expected.reasons
    assert classified.details["suggested_derivations"] == expected.derivations
    assert "p1_minor_victim" in classified.details["rules"]


def test_unknown_conversation_is_stored_without_a_contact(database_url, unique):
    result = store.submit_report(question_report(), conversation_id=f"nobody-{unique}", channel="telegram",
                                 language="qu", idempotency_key=key())
    case = store.case_detail(result.case_id)
    assert case.contact_id is None and case.conversation_id == f"nobody-{unique}"
    assert (case.category, case.priority, case.language, case.region) == ("consulta", "P3", "qu", None)
    assert case.events[0].details["contact_linked"] is False


def test_same_key_twice_returns_the_existing_case(database_url):
    k = key()
    first = store.submit_report(minor_report(), conversation_id=None, channel="whatsapp", language="es",
                                idempotency_key=k)
    second = store.submit_report(minor_report(narrative="otra vez"), conversation_id=None, channel="whatsapp",
                                 language="es", idempotency_key=k)
    assert first.created and not second.created
    assert (second.case_id, second.case_code) == (first.case_id, first.case_code)
    with session_scope() as db:
        assert db.execute(select(func.count(Case.id)).where(Case.idempotency_key == store.hash_key(k))).scalar() == 1
        assert db.execute(select(func.count(CaseEvent.id)).where(CaseEvent.case_id == first.case_id)).scalar() == 2
    assert store.case_detail(first.case_id).narrative == minor_report().narrative


def test_twenty_concurrent_submits_with_one_key_make_one_case(database_url):
    k = key()
    barrier = threading.Barrier(20)

    def submit(_):
        barrier.wait(timeout=30)
        return store.submit_report(minor_report(), conversation_id=None, channel="whatsapp", language="es",
                                   idempotency_key=k)

    with ThreadPoolExecutor(max_workers=20) as pool:
        results = list(pool.map(submit, range(20)))
    assert not any(r.spooled for r in results)
    assert sum(r.created for r in results) == 1
    assert len({(r.case_id, r.case_code) for r in results}) == 1
    with session_scope() as db:
        assert db.execute(select(func.count(Case.id)).where(Case.idempotency_key == store.hash_key(k))).scalar() == 1


def test_a_taken_code_is_replaced_by_a_fresh_one(database_url, monkeypatch):
    taken = store.submit_report(question_report(), conversation_id=None, channel="telegram", language="qu",
                                idempotency_key=key()).case_code
    fresh = codes.new_code()
    offered = iter([taken, taken, fresh])
    monkeypatch.setattr(store, "new_code", lambda: next(offered))
    result = store.submit_report(question_report(), conversation_id=None, channel="telegram", language="qu",
                                 idempotency_key=key())
    assert result.created and result.case_code == fresh


def test_free_text_and_keys_are_not_stored_in_clear(database_url, unique):
    from bot.cases import queue
    from tests.cases_store.helpers import make_users

    staff = make_users(database_url, unique)
    k = f"whatsapp:+51987650002:{unique}"
    result = store.submit_report(minor_report(), conversation_id=None, channel="whatsapp", language="es",
                                 idempotency_key=k, contact_details="Rosa Quispe 987650002")
    queue.add_note(result.case_id, staff.operator, "La tía de Rosa dice que el bar se llama El Dorado")
    with get_engine().connect() as conn:
        narrative, details, data = conn.execute(
            text("SELECT narrative, contact_details, data FROM reports WHERE case_id = :i"), {"i": result.case_id}
        ).one()
        notes = conn.execute(text("SELECT text FROM case_events WHERE case_id = :i AND text IS NOT NULL"),
                             {"i": result.case_id}).scalars().all()
        stored_key = conn.execute(text("SELECT idempotency_key FROM cases WHERE id = :i"),
                                  {"i": result.case_id}).scalar_one()
        events = " ".join(str(r) for r in conn.execute(
            text("SELECT old_value, new_value, details FROM case_events WHERE case_id = :i"), {"i": result.case_id}))
    for raw in (narrative, details, *notes):
        assert raw.startswith("enc1:")
    assert len(notes) == 1
    everything = " ".join([narrative, details, str(data), *notes, stored_key, events])
    for secret in ("Rosa", "Mazuko y no", "987650002", "El Dorado"):
        assert secret not in everything


def test_invalid_input_writes_nothing(database_url):
    with session_scope() as db:
        before = db.execute(select(func.count(Case.id))).scalar()
    with pytest.raises(ValueError):
        store.submit_report(question_report(), conversation_id=None, channel="telegram", language="qu",
                            idempotency_key=key(), origin="fax")
    with pytest.raises(ValueError):
        store.submit_report(question_report(), conversation_id=None, channel="telegram", language="qu",
                            idempotency_key="  ")
    report = question_report()
    report.purposes = ["no_such_purpose"]
    with pytest.raises(ReportError):
        store.submit_report(report, conversation_id=None, channel="telegram", language="qu", idempotency_key=key())
    with session_scope() as db:
        assert db.execute(select(func.count(Case.id))).scalar() == before


def test_case_detail_repr_leaks_no_free_text(database_url, staff):
    from bot.cases import queue

    result = store.submit_report(minor_report(), conversation_id=None, channel="whatsapp", language="es",
                                 idempotency_key=key(), contact_details="Rosa 987650004")
    queue.add_note(result.case_id, staff.operator, "Nota sobre Rosa")
    shown = repr(store.case_detail(result.case_id))
    for secret in ("Rosa", "Mazuko y no", "987650004"):
        assert secret not in shown
