"""Monthly statistics rows from the database, and the retention purge."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import select, text

from bot import contacts
from bot.cases import lookup, queue, retention, stats, store
from bot.cases.report import Location, Victim
from bot.cases.stats_queries import monthly_rows
from bot.cli import main as cli_main
from bot.config import ConfigError
from bot.db.models import AuditLog, Case, Contact
from bot.db.session import get_engine, session_scope
from bot.db.types import utcnow
from tests.cases_store.helpers import key, make_users, minor_report, question_report

UTC = timezone.utc


def _submit(report, url, at, **kw):
    return store.submit_report(report, conversation_id=kw.pop("conversation_id", None), channel=report.channel,
                               language=report.language, idempotency_key=key(), url=url, received_at=at, **kw)


def test_monthly_rows_feed_the_statistics_tables(fresh_url, unique):
    staff = make_users(fresh_url, unique)
    # 23:30 on 31 March in Lima is already 1 April in UTC: it counts in March.
    _submit(minor_report(), fresh_url, datetime(2026, 4, 1, 4, 30, tzinfo=UTC))
    _submit(minor_report(victims=[Victim(sex="hombre", age_years=30), Victim(sex="mujer", age_band="7_12")],
                         purposes=["explotacion_laboral"], channel="sms"),
            fresh_url, datetime(2026, 3, 10, 15, 0, tzinfo=UTC))
    invalid = _submit(question_report(), fresh_url, datetime(2026, 3, 2, 12, 0, tzinfo=UTC))
    queue.reclassify(invalid.case_id, staff.operator, category="no_valida", url=fresh_url)
    _submit(question_report(destination=Location(country="AR")), fresh_url, datetime(2026, 4, 2, 12, tzinfo=UTC))
    _submit(question_report(), fresh_url, datetime(2026, 2, 28, 12, tzinfo=UTC))     # outside

    rows = monthly_rows(date(2026, 3, 1), date(2026, 5, 1), url=fresh_url)
    assert [r["month"] for r in rows] == ["2026-03", "2026-03", "2026-03", "2026-04"]
    assert rows[0] == {"month": "2026-03", "category": "no_valida", "purposes": [], "region": "sin_dato",
                       "channel": "telegram", "language": "qu", "victims": []}
    assert rows[1] == {"month": "2026-03", "category": "denuncia", "purposes": ["explotacion_laboral"],
                       "region": "17", "channel": "sms", "language": "es",
                       "victims": [{"sex": "hombre", "age_band": "25_mas"}, {"sex": "mujer", "age_band": "7_12"}]}
    assert rows[2]["month"] == "2026-03" and rows[2]["victims"] == [{"sex": "mujer", "age_band": "13_17"}]
    assert rows[3]["region"] == "extranjero"
    for row in rows:
        assert set(row) == {"month", "category", "purposes", "region", "channel", "language", "victims"}

    by_category = stats.contacts_by_category(rows)
    assert by_category.get("2026-03", "denuncia") == 2 and by_category.get("2026-03", "no_valida") == 1
    assert by_category.get("2026-04", "consulta") == 1 and by_category.total == 4
    by_age = stats.by_age_band(rows)
    assert by_age.get("2026-03", "13_17") == 1 and by_age.get("2026-03", "25_mas") == 1
    by_region = stats.by_region(rows)
    assert by_region.get("2026-03", "Madre de Dios") == 2
    assert stats.suppress_small(by_category).total == "<5"


def test_purge_erases_free_text_and_contact_data_of_old_closed_cases_only(database_url, unique):
    staff = make_users(database_url, unique)
    now = utcnow()
    conversation = f"purge-{unique}"
    contacts.record(conversation, "whatsapp", "es", address="+51987650009")
    with session_scope() as db:
        contact = db.execute(select(Contact).where(Contact.conversation_id == conversation)).scalar_one()
        contact.last_seen_at = now - timedelta(days=400)

    def closed_case(conversation_id=None):
        result = store.submit_report(minor_report(), conversation_id=conversation_id, channel="whatsapp",
                                     language="es", idempotency_key=key(), contact_details="Rosa 987650009")
        queue.add_note(result.case_id, staff.operator, "Rosa volvió a su casa")
        queue.change_status(result.case_id, "no_valida", staff.operator, reason="Rosa dijo que era broma")
        return result

    old = closed_case(conversation)
    recent = closed_case()
    still_open = store.submit_report(minor_report(), conversation_id=None, channel="whatsapp", language="es",
                                     idempotency_key=key())
    # Pretend "old" was closed 400 days ago.
    with session_scope() as db:
        db.get(Case, old.case_id).closed_at = now - timedelta(days=400)

    dry = retention.purge_closed(365, dry_run=True)
    assert old.case_id in dry.case_ids and recent.case_id not in dry.case_ids
    assert store.case_detail(old.case_id).narrative is not None        # dry run touched nothing

    result = retention.purge_closed(365)
    assert old.case_id in result.case_ids
    assert recent.case_id not in result.case_ids and still_open.case_id not in result.case_ids
    assert result.contacts >= 1

    purged = store.case_detail(old.case_id)
    assert purged.narrative is None and purged.contact_details is None
    assert purged.conversation_id is None and purged.contact_id is None and purged.purged_at is not None
    assert all(e.text is None for e in purged.events)
    assert purged.events[-1].action == "purged" and purged.events[-1].actor_type == "system"
    # What statistics and the person's code need stays.
    assert purged.report.victims[0].age_band == "13_17" and purged.status == "no_valida"
    assert lookup.case_status_for_code(purged.code, f"s-{unique}").status == "no_valida"
    with get_engine().connect() as conn:
        raw = conn.execute(text("SELECT narrative, contact_details FROM reports WHERE case_id = :i"),
                           {"i": old.case_id}).one()
        texts = conn.execute(text("SELECT text FROM case_events WHERE case_id = :i AND text IS NOT NULL"),
                             {"i": old.case_id}).all()
        address = conn.execute(text("SELECT address FROM contacts WHERE conversation_id = :c"),
                               {"c": conversation}).scalar_one()
    assert tuple(raw) == (None, None) and texts == [] and address is None

    kept = store.case_detail(recent.case_id)
    assert kept.narrative and kept.contact_details and any(e.text for e in kept.events)
    with session_scope() as db:
        line = db.execute(select(AuditLog).where(AuditLog.action == "cases.purged")
                          .order_by(AuditLog.id.desc())).scalars().first()
    assert line.details["cases"] == result.cases
    # Running again purges nothing new.
    assert old.case_id not in retention.purge_closed(365).case_ids


def test_retention_period_comes_from_configuration(database_url, capsys):
    assert retention.retention_days({}) == 365
    assert retention.retention_days({"WILLAKUY_CASE_RETENTION_DAYS": "90"}) == 90
    with pytest.raises(ConfigError):
        retention.retention_days({"WILLAKUY_CASE_RETENTION_DAYS": "un año"})
    assert cli_main(["cases", "purge", "--older-than-days", "100000", "--dry-run"]) == 0
    assert "100000" in capsys.readouterr().out
