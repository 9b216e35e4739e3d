from concurrent.futures import ThreadPoolExecutor
from datetime import timezone

from alembic import command
from sqlalchemy import inspect, select, text

from bot import contacts
from bot.db import migrate
from bot.db.models import Base, Contact, Report, Case
from bot.db.session import get_engine, session_scope


def test_migrations_run_forward_on_an_empty_database_and_match_the_models(empty_database_url):
    migrate.upgrade(empty_database_url)
    assert migrate.current_revision(empty_database_url) == migrate.head_revision()
    tables = set(inspect(get_engine(empty_database_url)).get_table_names())
    assert set(Base.metadata.tables) <= tables
    # Autogenerate finds nothing left to migrate: models and migrations agree.
    command.check(migrate.alembic_config(empty_database_url))


def test_upgrade_twice_is_harmless(empty_database_url):
    migrate.upgrade(empty_database_url)
    migrate.upgrade(empty_database_url)
    assert migrate.is_up_to_date(empty_database_url)


def test_sensitive_columns_are_encrypted_at_rest(database_url, unique):
    with session_scope() as db:
        contact = Contact(conversation_id=f"c-{unique}", pseudonym="p", channel="sms", address="+51987650000")
        case = Case(code=f"T{unique[:4].upper()}-ABCD"[:9], category="denuncia", priority="P2", channel="sms")
        db.add_all([contact, case])
        db.flush()
        db.add(Report(case_id=case.id, data={"purposes": ["explotacion_laboral"]},
                      narrative="Mi hermana trabaja en un bar de Mazuko y no la dejan salir"))
        contact_id, case_id = contact.id, case.id
    with get_engine().connect() as conn:
        raw_address = conn.execute(text("SELECT address FROM contacts WHERE id = :i"), {"i": contact_id}).scalar_one()
        raw_narrative = conn.execute(text("SELECT narrative FROM reports WHERE case_id = :i"), {"i": case_id}).scalar_one()
    assert "987650000" not in raw_address and raw_address.startswith("enc1:")
    assert "Mazuko" not in raw_narrative and raw_narrative.startswith("enc1:")
    with session_scope() as db:
        assert db.get(Contact, contact_id).address == "+51987650000"
        report = db.execute(select(Report).where(Report.case_id == case_id)).scalar_one()
        assert "Mazuko" in report.narrative


def test_timestamps_come_back_timezone_aware(database_url, unique):
    view = contacts.record(f"tz-{unique}", "rest", "es")
    with session_scope() as db:
        seen = db.get(Contact, view.id).first_seen_at
    assert seen.tzinfo is not None and seen.utcoffset() == timezone.utc.utcoffset(None)


def test_recording_a_contact_twice_keeps_one_row_and_follows_language(database_url, unique):
    first = contacts.record(f"conv-{unique}", "telegram", "es", language_source="detected")
    second = contacts.record(f"conv-{unique}", "telegram", "qu", language_source="explicit")
    assert first.created and not second.created and first.id == second.id
    with session_scope() as db:
        row = db.get(Contact, first.id)
        assert (row.language, row.language_source) == ("qu", "explicit")
        assert row.pseudonym != f"conv-{unique}"


def test_concurrent_first_messages_create_one_contact(database_url, unique):
    conversation = f"race-{unique}"
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(lambda _: contacts.record(conversation, "whatsapp", "es"), range(8)))
    assert len({r.id for r in results}) == 1
    with session_scope() as db:
        count = db.execute(select(Contact).where(Contact.conversation_id == conversation)).scalars().all()
    assert len(count) == 1
