"""Cases in the database: submitting a report (with an outage spool) and reading a case.

``submit_report`` triages a ``Report`` and stores the case, its report and its first
timeline events in one transaction, under a fresh case code. The same idempotency key
always gives the same case (action retries, duplicate webhooks, a double press), also
when the submissions race: the key is unique in the table and the loser of the race
reads the winner's case. When the database cannot be reached the submission goes to
the local spool (bot.cases.spool) with its case code already assigned, and
``drain_spool`` writes it later.

The caller may tell the person "received" as soon as this returns: a result means the
report is durable, either committed or fsynced to the spool. If neither worked,
``SubmitFailed`` is raised and the person must be given the hotline number instead.

Every function opens and commits its own transaction and returns plain dataclasses,
never ORM objects. ``url`` selects the database (default: settings).
"""
from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import or_, select, update
from sqlalchemy.exc import DisconnectionError, IntegrityError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.orm import Session

from bot import contacts
from bot.cases import spool, stats
from bot.cases.codes import new_code
from bot.cases.definitions import load
from bot.cases.report import Report, ReportError
from bot.cases.triage import Triage, triage
from bot.db.models import Case, CaseEvent, Derivation, Report as ReportRow, User
from bot.db.session import session_scope
from bot.db.types import utcnow
from bot.privacy import crypto

log = logging.getLogger(__name__)

# What "the database is not there" looks like: connection refused, server gone, pool
# exhausted, SQLite file that cannot be opened or stays locked past the busy timeout.
OUTAGE_ERRORS = (OperationalError, InterfaceError, DisconnectionError, PoolTimeout)
MAX_CODE_TRIES = 8
ORIGINS = ("bot", "offline", "screener")
MAX_CONTACT_DETAILS = 2_000


class SubmitFailed(RuntimeError):
    """Neither the database nor the spool took the report: it is NOT saved."""


class CaseNotFound(LookupError):
    pass


@dataclass(frozen=True)
class SubmitResult:
    case_code: str
    case_id: int | None       # None while the report waits in the spool
    priority: str
    category: str
    created: bool             # False: this idempotency key had been submitted before
    spooled: bool = False     # True: saved to the local spool, not yet in the database


@dataclass(frozen=True)
class DrainResult:
    written: int              # new cases created from spool files
    duplicates: int           # files whose submission was already in the database
    failed: int               # unreadable files moved to failed/
    errors: int               # files kept because writing them failed for another reason
    remaining: int            # files still waiting (database still down, or another drainer)
    busy: bool = False        # another process was draining


@dataclass(frozen=True)
class EventView:
    id: int
    at: datetime
    action: str
    actor_type: str
    actor_id: int | None
    old_value: str | None
    new_value: str | None
    details: dict[str, Any] | None
    text: str | None = field(repr=False)     # decrypted note or reason: keep out of logs


@dataclass(frozen=True)
class DerivationView:
    id: int
    institution: str
    region: str | None
    derived_on: date
    reference: str | None
    created_by_id: int | None
    created_at: datetime


@dataclass(frozen=True)
class CaseDetail:
    id: int
    code: str
    alt_code: str | None
    category: str
    subtype: str | None
    priority: str
    status: str
    next_statuses: tuple[str, ...]
    language: str
    channel: str
    region: str | None
    origin: str
    definition_version: str
    conversation_id: str | None
    contact_id: int | None
    assigned_to_id: int | None
    assigned_to_name: str | None
    claimed_at: datetime | None
    waiting_for_operator: bool
    created_at: datetime
    updated_at: datetime
    closed_at: datetime | None
    purged_at: datetime | None
    report: Report | None
    narrative: str | None = field(repr=False)
    contact_details: str | None = field(repr=False)
    derivations: list[DerivationView]
    events: list[EventView]


def hash_key(idempotency_key: str) -> str:
    """What is stored for an idempotency key: callers may build keys from sender ids."""
    if not isinstance(idempotency_key, str) or not idempotency_key.strip():
        raise ValueError("an idempotency key is required (e.g. conversation id + form submission id)")
    return hashlib.sha256(idempotency_key.encode("utf-8")).hexdigest()


def record_event(
    db: Session,
    case_id: int,
    action: str,
    *,
    actor_type: str,
    actor_id: int | None = None,
    old: Any = None,
    new: Any = None,
    details: dict[str, Any] | None = None,
    text: str | None = None,
    at: datetime | None = None,
) -> CaseEvent:
    """Append one line to a case's timeline (the audit trail of every change)."""
    event = CaseEvent(
        case_id=case_id,
        at=at or utcnow(),
        actor_type=actor_type,
        actor_id=actor_id,
        action=action,
        old_value=None if old is None else str(old)[:255],
        new_value=None if new is None else str(new)[:255],
        details=details,
        text=text,
    )
    db.add(event)
    return event


def region_of(report: Report) -> str | None:
    """Department ubigeo of the facts (or "extranjero"), as the statistics count it."""
    region = stats.row_from_report(report, utcnow())["region"]
    return None if region == stats.MISSING else region


@dataclass
class _Pending:
    """Everything needed to write one submission, from a live call or a spool file."""

    key_hash: str
    code: str
    report: Report
    narrative: str | None
    contact_details: str | None
    conversation_id: str | None
    conversation_channel: str | None
    conversation_language: str | None
    origin: str
    received_at: datetime
    actor_id: int | None = None
    promised_code: str | None = None      # code the person was given from the spool
    spooled: bool = False

    @property
    def report_data(self) -> dict[str, Any]:
        data = self.report.to_dict()
        data.pop("narrative", None)        # encrypted in its own column
        return data


def _case_by_key(db: Session, key_hash: str) -> Case | None:
    return db.execute(select(Case).where(Case.idempotency_key == key_hash)).scalar_one_or_none()


def _code_taken(db: Session, code: str) -> bool:
    return db.execute(select(Case.id).where(or_(Case.code == code, Case.alt_code == code))).first() is not None


def _keep_promised_code(db: Session, case: Case, pending: _Pending) -> None:
    """A spooled duplicate of a submission that had reached the database: let its code work too."""
    code = pending.promised_code
    if not code or code in (case.code, case.alt_code) or case.alt_code is not None or _code_taken(db, code):
        return
    case.alt_code = code
    record_event(db, case.id, "code_alias_added", actor_type="system", new=code,
                 details={"why": "the same submission was given this code from the outage spool"})


def _write(pending: _Pending, url: str | None) -> tuple[SubmitResult, bool]:
    """Store one submission; returns (result, created). Raises OUTAGE_ERRORS when the DB is away."""
    tri: Triage = triage(pending.report)
    for _ in range(MAX_CODE_TRIES):
        with session_scope(url) as db:
            existing = _case_by_key(db, pending.key_hash)
            if existing is not None:
                _keep_promised_code(db, existing, pending)
                return _result(existing, created=False), False
            if _code_taken(db, pending.code):
                pending.code = new_code()
                continue
            contact = contacts.get(db, pending.conversation_id) if pending.conversation_id else None
            case = Case(
                code=pending.code,
                contact_id=contact.id if contact else None,
                conversation_id=pending.conversation_id,
                category=tri.category,
                subtype=tri.subtype,
                status=load(pending.report.definition_version).workflow.initial,
                priority=tri.priority,
                language=pending.report.language,
                channel=pending.report.channel,
                region=region_of(pending.report),
                origin=pending.origin,
                definition_version=pending.report.definition_version,
                waiting_for_operator=False,
                idempotency_key=pending.key_hash,
                created_at=pending.received_at,
                updated_at=utcnow(),
            )
            db.add(case)
            try:
                db.flush()
            except IntegrityError:
                # Either another submission with this key won the race, or (rarely) the
                # code was taken between our check and the insert.
                db.rollback()
                existing = _case_by_key(db, pending.key_hash)
                if existing is not None:
                    log.debug("lost an idempotency race; returning the existing case")
                    _keep_promised_code(db, existing, pending)
                    return _result(existing, created=False), False
                pending.code = new_code()
                continue
            db.add(ReportRow(
                case_id=case.id,
                data=pending.report_data,
                narrative=pending.narrative,
                contact_details=pending.contact_details,
                definition_version=pending.report.definition_version,
                created_at=pending.received_at,
            ))
            actor_type = "operator" if pending.actor_id else ("bot" if pending.origin == "bot" else "system")
            details = {
                "origin": pending.origin,
                "definition_version": pending.report.definition_version,
                "conversation_channel": pending.conversation_channel,
                "conversation_language": pending.conversation_language,
                "contact_linked": contact is not None,
                "spooled": pending.spooled,
            }
            if pending.promised_code and pending.promised_code != case.code:
                # The spooled code belongs to another case (odds about 1 in 1e10): the
                # person holds a code that is not theirs. Operators must tell them.
                details["spooled_code_was_taken"] = True
            record_event(db, case.id, "created", actor_type=actor_type, actor_id=pending.actor_id,
                         new=case.code, details=details, at=pending.received_at)
            record_event(db, case.id, "classified", actor_type="system",
                         new=f"{tri.category}/{tri.priority}",
                         details={"category": tri.category, "subtype": tri.subtype, "priority": tri.priority,
                                  "suggested_derivations": tri.derivations, "rules": tri.rules,
                                  "reasons": tri.reasons},
                         at=pending.received_at)
            result = _result(case, created=True)
        return result, True
    raise SubmitFailed("no free case code after several tries")


def _result(case: Case, *, created: bool) -> SubmitResult:
    return SubmitResult(case_code=case.code, case_id=case.id, priority=case.priority,
                        category=case.category, created=created)


def submit_report(
    report: Report,
    *,
    conversation_id: str | None,
    channel: str | None,
    language: str | None,
    idempotency_key: str,
    narrative: str | None = None,
    contact_details: str | None = None,
    origin: str = "bot",
    received_at: datetime | None = None,
    user_id: int | None = None,
    url: str | None = None,
    spool_directory: Path | None = None,
    use_spool: bool = True,
) -> SubmitResult:
    """Triage and store a report as a new case, once per idempotency key.

    ``channel`` and ``language`` are the conversation's (as the tracker has them); they
    are kept in the timeline, while the case itself takes ``report.channel`` and
    ``report.language`` (taxonomy codes). ``narrative`` (default: ``report.narrative``)
    and ``contact_details`` (what the person gave to be contacted back) are stored
    encrypted only. ``received_at`` backdates paper or offline intake; ``user_id`` is the
    operator who typed an ``origin="offline"`` report. With ``use_spool=False`` an
    unreachable database raises instead of spooling.
    """
    if origin not in ORIGINS:
        raise ValueError(f"origin must be one of {', '.join(ORIGINS)}, got {origin!r}")
    if contact_details is not None and len(contact_details) > MAX_CONTACT_DETAILS:
        raise ValueError(f"contact_details: longer than {MAX_CONTACT_DETAILS} characters")
    report.validate()
    text = narrative if narrative is not None else (report.narrative or None)
    if received_at is not None and received_at.tzinfo is None:
        raise ValueError("received_at must be timezone-aware")
    pending = _Pending(
        key_hash=hash_key(idempotency_key),
        code=new_code(),
        report=report,
        narrative=text,
        contact_details=contact_details or None,
        conversation_id=conversation_id,
        conversation_channel=(channel or None) and str(channel)[:20],
        conversation_language=(language or None) and str(language)[:8],
        origin=origin,
        received_at=received_at or utcnow(),
        actor_id=user_id,
    )
    try:
        result, _ = _write(pending, url)
        return result
    except OUTAGE_ERRORS as exc:
        if not use_spool:
            raise
        log.warning("case store unreachable (%s); spooling the report locally", type(exc).__name__)
        return _spool(pending, spool_directory)


# --- spool ----------------------------------------------------------------------------

def _enc(value: str | None) -> str | None:
    return crypto.encrypt(value) if value else None


def _spool(pending: _Pending, directory: Path | None) -> SubmitResult:
    tri = triage(pending.report)
    payload = {
        "key": pending.key_hash,
        "case_code": pending.code,
        "received_at": pending.received_at.isoformat(),
        "origin": pending.origin,
        "actor_id": pending.actor_id,
        "conversation_id": _enc(pending.conversation_id),
        "conversation_channel": pending.conversation_channel,
        "conversation_language": pending.conversation_language,
        "report": pending.report_data,
        "narrative": _enc(pending.narrative),
        "contact_details": _enc(pending.contact_details),
    }
    try:
        on_disk, created = spool.write(spool.spool_dir(directory), pending.key_hash, payload)
    except (spool.SpoolError, OSError) as exc:
        log.error("local spool not writable (%s): the report is NOT saved", type(exc).__name__)
        raise SubmitFailed("database unreachable and the local spool could not be written") from exc
    return SubmitResult(case_code=on_disk["case_code"], case_id=None, priority=tri.priority,
                        category=tri.category, created=created, spooled=True)


def _pending_from_spool(data: dict[str, Any]) -> _Pending:
    report = Report.from_dict({**data["report"], "narrative": ""})
    return _Pending(
        key_hash=data["key"],
        code=data["case_code"],
        promised_code=data["case_code"],
        report=report,
        narrative=crypto.decrypt(data["narrative"]) if data.get("narrative") else None,
        contact_details=crypto.decrypt(data["contact_details"]) if data.get("contact_details") else None,
        conversation_id=crypto.decrypt(data["conversation_id"]) if data.get("conversation_id") else None,
        conversation_channel=data.get("conversation_channel"),
        conversation_language=data.get("conversation_language"),
        origin=data.get("origin", "bot"),
        received_at=datetime.fromisoformat(data["received_at"]),
        actor_id=data.get("actor_id"),
        spooled=True,
    )


def drain_spool(*, url: str | None = None, spool_directory: Path | None = None) -> DrainResult:
    """Write spooled reports to the database, oldest first; safe to call often and from many processes.

    A file is removed only after its case is committed (or found already committed
    under the same idempotency key), so a crash in between only causes a harmless
    second pass. Stops at the first sign that the database is still away.
    """
    directory = spool.spool_dir(spool_directory)
    written = duplicates = failed = errors = 0
    with spool.drain_lock(directory) as mine:
        if not mine:
            return DrainResult(0, 0, 0, 0, len(spool.pending(directory)), busy=True)
        for path in spool.pending(directory):
            try:
                pending = _pending_from_spool(spool.read(path))
            except FileNotFoundError:
                continue
            except Exception as exc:  # noqa: BLE001 - a bad file must not block the others
                log.error("spool file %s unreadable (%s); moved to failed/", path.name, type(exc).__name__)
                spool.set_aside(path)
                failed += 1
                continue
            try:
                _, created = _write(pending, url)
            except OUTAGE_ERRORS as exc:
                log.warning("case store still unreachable (%s); spool kept", type(exc).__name__)
                break
            except Exception as exc:  # noqa: BLE001 - keep the file, try the next one
                log.error("spool file %s not written (%s); kept for the next drain", path.name, type(exc).__name__)
                errors += 1
                continue
            spool.remove(path)
            if created:
                written += 1
            else:
                duplicates += 1
    return DrainResult(written, duplicates, failed, errors, len(spool.pending(directory)))


def spooled_count(spool_directory: Path | None = None) -> int:
    """Reports waiting in the spool (for health checks)."""
    return len(spool.pending(spool.spool_dir(spool_directory)))


# --- reading ----------------------------------------------------------------------------

def get_case_row(db: Session, case_id: int) -> Case:
    case = db.get(Case, case_id)
    if case is None:
        raise CaseNotFound(f"no case with id {case_id}")
    return case


def case_detail(case_id: int, *, url: str | None = None) -> CaseDetail:
    """Everything about one case for the console, free text decrypted. Does not log a view.

    ``report`` is None when the stored report does not parse with this version."""
    with session_scope(url) as db:
        case = get_case_row(db, case_id)
        row = db.execute(select(ReportRow).where(ReportRow.case_id == case_id)).scalar_one_or_none()
        holder = db.get(User, case.assigned_to_id) if case.assigned_to_id else None
        events = db.execute(select(CaseEvent).where(CaseEvent.case_id == case_id)
                            .order_by(CaseEvent.at, CaseEvent.id)).scalars().all()
        derivations = db.execute(select(Derivation).where(Derivation.case_id == case_id)
                                 .order_by(Derivation.derived_on, Derivation.id)).scalars().all()
        report = None
        if row is not None and row.data:
            try:
                report = Report.from_dict({**row.data, "narrative": row.narrative or ""})
            except ReportError:
                # Written by another definition version (e.g. extra keys): the case must
                # stay readable for operators; the raw fields are in the timeline.
                log.warning("case %s: stored report does not parse with this version", case_id)
        return CaseDetail(
            id=case.id, code=case.code, alt_code=case.alt_code, category=case.category, subtype=case.subtype,
            priority=case.priority, status=case.status,
            next_statuses=load(case.definition_version).workflow.next_statuses(case.status),
            language=case.language, channel=case.channel, region=case.region, origin=case.origin,
            definition_version=case.definition_version, conversation_id=case.conversation_id,
            contact_id=case.contact_id, assigned_to_id=case.assigned_to_id,
            assigned_to_name=holder.display_name if holder else None, claimed_at=case.claimed_at,
            waiting_for_operator=case.waiting_for_operator, created_at=case.created_at,
            updated_at=case.updated_at, closed_at=case.closed_at, purged_at=case.purged_at,
            report=report,
            narrative=row.narrative if row else None,
            contact_details=row.contact_details if row else None,
            derivations=[DerivationView(d.id, d.institution, d.region, d.derived_on, d.reference,
                                        d.created_by_id, d.created_at) for d in derivations],
            events=[EventView(e.id, e.at, e.action, e.actor_type, e.actor_id, e.old_value, e.new_value,
                              e.details, e.text) for e in events],
        )


def update_case_if(db: Session, case_id: int, condition, **values) -> bool:
    """UPDATE one case only if ``condition`` still holds; True when it did (atomic on both backends)."""
    values.setdefault("updated_at", utcnow())
    result = db.execute(
        update(Case).where(Case.id == case_id, condition).values(**values)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def open_case_for_conversation(conversation_id: str, *, url: str | None = None) -> SubmitResult | None:
    """The newest case of a conversation that is not closed, if any."""
    with session_scope(url) as db:
        case = open_case_row(db, conversation_id)
        return _result(case, created=False) if case else None


def open_case_row(db: Session, conversation_id: str) -> Case | None:
    terminal = load().workflow.terminal
    return db.execute(
        select(Case).where(Case.conversation_id == conversation_id, Case.status.not_in(terminal))
        .order_by(Case.created_at.desc(), Case.id.desc()).limit(1)
    ).scalar_one_or_none()


PRIORITY_RANK = {"P1": 1, "P2": 2, "P3": 3}


def update_report(
    case_id: int,
    report: Report,
    *,
    narrative: str | None = None,
    contact_details: str | None = None,
    url: str | None = None,
) -> SubmitResult:
    """Complete a case's report after it was opened early (danger now goes in before the questions).

    Triage runs again: the priority may rise, never fall (an operator lowers it by hand);
    the category changes only while the case is still as received. A narrative given
    here is added to the stored one, never replaces it.
    """
    tri = triage(report)
    with session_scope(url) as db:
        case = get_case_row(db, case_id)
        row = db.execute(select(ReportRow).where(ReportRow.case_id == case_id)).scalar_one()
        data = report.to_dict()
        data.pop("narrative", None)
        changed = sorted(k for k in data if row.data.get(k) != data[k])
        row.data = data
        if narrative:
            row.narrative = narrative if not row.narrative else row.narrative + "\n\n" + narrative
        if contact_details:
            row.contact_details = contact_details
        if PRIORITY_RANK.get(tri.priority, 3) < PRIORITY_RANK.get(case.priority, 3):
            record_event(db, case.id, "priority_raised", actor_type="system", old=case.priority, new=tri.priority,
                         details={"rules": tri.rules, "reasons": tri.reasons})
            case.priority = tri.priority
        if case.status == load(report.definition_version).workflow.initial and case.category != tri.category:
            record_event(db, case.id, "recategorised", actor_type="system", old=case.category, new=tri.category)
            case.category, case.subtype = tri.category, tri.subtype
        case.region = region_of(report) or case.region
        case.updated_at = utcnow()
        record_event(db, case.id, "report_updated", actor_type="bot", details={
            "fields": changed, "narrative_added": bool(narrative),
            "suggested_derivations": tri.derivations, "reasons": tri.reasons,
        })
        return _result(case, created=False)


def record_screening(case_id: int, summary: dict[str, Any], *, url: str | None = None) -> None:
    """Keep the job-offer screener's result on a case (indicator ids, risk, score; no quoted text).

    The quotes from the offer stay in the encrypted narrative; the timeline only holds
    what the screener concluded, so operators see why the case was opened.
    """
    details = {
        "risk": summary.get("risk"),
        "score": summary.get("score"),
        "indicators": [str(i) for i in summary.get("indicators", [])][:40],
        "rules": [str(r) for r in summary.get("rules", [])][:20],
        "danger_now": bool(summary.get("danger_now")),
    }
    with session_scope(url) as db:
        get_case_row(db, case_id)
        record_event(db, case_id, "screened", actor_type="bot", new=details["risk"], details=details)
