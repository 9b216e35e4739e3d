"""Retention: after a case has been closed long enough, its personal data goes.

``purge_closed`` takes cases in a terminal status (``cerrado``, ``no_valida``) closed
more than N days ago and, in place:
  - empties the encrypted free text: the report's narrative and contact details, and
    the text of every timeline event (operator notes, reasons);
  - unlinks the person: ``contact_id`` and ``conversation_id`` become NULL, and a
    contact's encrypted reply address is erased once no case links to it and the
    person has not written since the cut-off;
  - keeps the structured, non-identifying report (age bands, purposes, places), the
    category, status, dates, derivations and the code, so statistics and a later
    status question still work;
  - writes a ``purged`` event on each case and one ``cases.purged`` line in the audit log.
A reopened case is not purged (its status is no longer terminal). The period comes
from ``WILLAKUY_CASE_RETENTION_DAYS`` (default 365), or the argument.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update

from bot import audit
from bot.cases.definitions import load
from bot.cases.store import record_event, update_case_if
from bot.config import ConfigError
from bot.db.models import Case, CaseEvent, Contact, Report as ReportRow
from bot.db.session import session_scope
from bot.db.types import utcnow

DEFAULT_RETENTION_DAYS = 365
BATCH = 200


@dataclass(frozen=True)
class PurgeResult:
    cases: int
    contacts: int                 # contacts whose reply address was erased
    case_ids: tuple[int, ...]
    older_than_days: int
    dry_run: bool = False


def retention_days(env: dict[str, str] | None = None) -> int:
    raw = (os.environ if env is None else env).get("WILLAKUY_CASE_RETENTION_DAYS", "")
    if not raw.strip():
        return DEFAULT_RETENTION_DAYS
    try:
        days = int(raw)
    except ValueError:
        raise ConfigError(f"WILLAKUY_CASE_RETENTION_DAYS must be a whole number of days, got {raw!r}") from None
    if days < 1:
        raise ConfigError("WILLAKUY_CASE_RETENTION_DAYS must be at least 1")
    return days


def purge_closed(
    older_than_days: int | None = None,
    *,
    now: datetime | None = None,
    user_id: int | None = None,
    dry_run: bool = False,
    url: str | None = None,
) -> PurgeResult:
    """Erase free text and contact data of cases closed more than ``older_than_days`` ago."""
    days = retention_days() if older_than_days is None else int(older_than_days)
    if days < 1:
        raise ValueError("older_than_days must be at least 1")
    now = now or utcnow()
    cutoff = now - timedelta(days=days)
    terminal = load().workflow.terminal
    eligible = Case.status.in_(terminal) & Case.purged_at.is_(None)
    with session_scope(url) as db:
        candidates = db.execute(
            select(Case.id, Case.contact_id).where(eligible, Case.closed_at < cutoff).order_by(Case.id)
        ).all()
    if dry_run:
        return PurgeResult(len(candidates), 0, tuple(c for c, _ in candidates), days, dry_run=True)

    purged: list[int] = []
    contact_ids: set[int] = set()
    for start in range(0, len(candidates), BATCH):
        with session_scope(url) as db:
            for case_id, contact_id in candidates[start:start + BATCH]:
                # Re-checked in the UPDATE: a case reopened meanwhile is left alone.
                if not update_case_if(db, case_id, eligible & (Case.closed_at < cutoff),
                                      contact_id=None, conversation_id=None, purged_at=now):
                    continue
                db.execute(update(ReportRow).where(ReportRow.case_id == case_id)
                           .values(narrative=None, contact_details=None)
                           .execution_options(synchronize_session=False))
                db.execute(update(CaseEvent).where(CaseEvent.case_id == case_id, CaseEvent.text.is_not(None))
                           .values(text=None).execution_options(synchronize_session=False))
                record_event(db, case_id, "purged", actor_type="operator" if user_id else "system",
                             actor_id=user_id, at=now,
                             details={"older_than_days": days,
                                      "erased": ["narrative", "contact_details", "event_text", "contact_link"]})
                purged.append(case_id)
                if contact_id is not None:
                    contact_ids.add(contact_id)
    contacts_cleared = 0
    with session_scope(url) as db:
        for contact_id in sorted(contact_ids):
            if db.execute(select(Case.id).where(Case.contact_id == contact_id).limit(1)).first():
                continue
            contacts_cleared += db.execute(
                update(Contact).where(Contact.id == contact_id, Contact.last_seen_at < cutoff,
                                      Contact.address.is_not(None))
                .values(address=None).execution_options(synchronize_session=False)
            ).rowcount
        audit.record(db, "cases.purged", actor_id=user_id, object_type="case",
                     details={"cases": len(purged), "contacts": contacts_cleared, "older_than_days": days})
    return PurgeResult(len(purged), contacts_cleared, tuple(purged), days)
