"""The operator queue: listing, claiming, status changes, notes, derivations.

Modelled on the hotline's (and Aselo's) work: cases wait in one queue ordered by
priority and age; an operator claims a case, works it along the status workflow of
its taxonomy version, writes notes and records where it was derived. Two operators
can never hold the same case: claiming is one conditional UPDATE (``... WHERE
assigned_to_id IS NULL``) whose row count says who won, which is atomic on SQLite
(one writer at a time) and on PostgreSQL (the second UPDATE waits for the first and
re-checks the condition). Status changes are conditional on the status read, so two
concurrent changes cannot both apply.

Every change appends a ``case_events`` row with the actor, old and new values and the
time, in the same transaction as the change. Permission checks belong to the console;
the functions take the acting user's id, and the workflow's "supervisor" requirement
is checked against that user's role here.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Sequence

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from bot.cases.definitions import TransitionError, load
from bot.cases.report import Report
from bot.cases.store import CaseNotFound, get_case_row, record_event, update_case_if
from bot.cases.triage import LABOUR_RECRUITMENT, PRIORITIES
from bot.db.models import Case, Derivation, Report as ReportRow, User
from bot.db.session import session_scope
from bot.db.types import utcnow

__all__ = [
    "QueueFilter", "QueueItem", "ClaimResult", "StatusChange", "DerivationResult",
    "NotHolder", "StaleCase", "TransitionError", "CaseNotFound", "DerivationError",
    "list_queue", "claim", "release", "reassign", "change_status", "reclassify",
    "add_note", "add_derivation", "mark_viewed", "count_by_priority",
]

SUPERVISOR_ROLES = frozenset({"supervisor", "admin"})
MAX_NOTE = 20_000
MAX_REFERENCE = 64


class NotHolder(PermissionError):
    """Only the operator holding a case may release it (supervisors reassign)."""


class StaleCase(RuntimeError):
    """The case changed between reading and writing (another operator acted): reload it."""


class DerivationError(ValueError):
    pass


@dataclass(frozen=True)
class QueueFilter:
    """All given fields must match. ``status=None`` means every status that is not terminal."""

    category: str | None = None
    status: str | Sequence[str] | None = None
    priority: str | None = None
    region: str | None = None               # department ubigeo ("08") or "extranjero"
    language: str | None = None
    channel: str | None = None
    assignee: int | None = None             # a user's id
    unassigned: bool = False                # only cases nobody holds
    waiting_for_operator: bool | None = None


@dataclass(frozen=True)
class QueueItem:
    id: int
    code: str
    category: str
    subtype: str | None
    priority: str
    status: str
    region: str | None
    language: str
    channel: str
    assigned_to_id: int | None
    assigned_to_name: str | None
    waiting_for_operator: bool
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class ClaimResult:
    ok: bool                    # True: the user holds the case now
    case_id: int
    holder_id: int | None       # who holds it (the user when ok; the other operator when refused)
    holder_name: str | None
    already: bool = False       # the user held it before this call


@dataclass(frozen=True)
class StatusChange:
    case_id: int
    old: str
    new: str


@dataclass(frozen=True)
class DerivationResult:
    derivation_id: int
    status: str
    status_changed: bool
    warnings: tuple[str, ...] = ()


def _terminal() -> frozenset[str]:
    return load().workflow.terminal


def list_queue(filters: QueueFilter | None = None, *, limit: int = 200, offset: int = 0,
               url: str | None = None) -> list[QueueItem]:
    """Cases for the queue: P1 first, then oldest first. No free text is read."""
    f = filters or QueueFilter()
    query = select(Case, User.display_name).outerjoin(User, User.id == Case.assigned_to_id)
    if f.status is None:
        query = query.where(Case.status.not_in(_terminal()))
    elif isinstance(f.status, str):
        query = query.where(Case.status == f.status)
    else:
        query = query.where(Case.status.in_(list(f.status)))
    for column, value in ((Case.category, f.category), (Case.priority, f.priority), (Case.region, f.region),
                          (Case.language, f.language), (Case.channel, f.channel),
                          (Case.assigned_to_id, f.assignee)):
        if value is not None:
            query = query.where(column == value)
    if f.unassigned:
        query = query.where(Case.assigned_to_id.is_(None))
    if f.waiting_for_operator is not None:
        query = query.where(Case.waiting_for_operator == f.waiting_for_operator)
    # "P1" < "P2" < "P3" as text, so the priority column sorts directly.
    query = query.order_by(Case.priority, Case.created_at, Case.id).limit(limit).offset(offset)
    with session_scope(url) as db:
        return [
            QueueItem(c.id, c.code, c.category, c.subtype, c.priority, c.status, c.region, c.language,
                      c.channel, c.assigned_to_id, name, c.waiting_for_operator, c.created_at, c.updated_at)
            for c, name in db.execute(query).all()
        ]


def _holder(db: Session, case_id: int) -> tuple[int | None, str | None]:
    row = db.execute(
        select(Case.assigned_to_id, User.display_name).outerjoin(User, User.id == Case.assigned_to_id)
        .where(Case.id == case_id)
    ).first()
    if row is None:
        raise CaseNotFound(f"no case with id {case_id}")
    return row[0], row[1]


def _user(db: Session, user_id: int) -> User:
    user = db.get(User, user_id)
    if user is None:
        raise ValueError(f"no console user with id {user_id}")
    return user


def claim(case_id: int, user_id: int, *, url: str | None = None) -> ClaimResult:
    """Take a case if nobody holds it. Refused (ok=False) with the current holder otherwise."""
    with session_scope(url) as db:
        user = _user(db, user_id)
        now = utcnow()
        if update_case_if(db, case_id, Case.assigned_to_id.is_(None),
                               assigned_to_id=user_id, claimed_at=now, updated_at=now):
            record_event(db, case_id, "claimed", actor_type="operator", actor_id=user_id, new=user_id, at=now)
            return ClaimResult(True, case_id, user_id, user.display_name)
        holder_id, holder_name = _holder(db, case_id)
        if holder_id == user_id:
            return ClaimResult(True, case_id, user_id, holder_name, already=True)
        return ClaimResult(False, case_id, holder_id, holder_name)


def release(case_id: int, user_id: int, *, url: str | None = None) -> None:
    """Give a case back to the queue. Only its holder may; a supervisor uses ``reassign``."""
    with session_scope(url) as db:
        if update_case_if(db, case_id, Case.assigned_to_id == user_id, assigned_to_id=None, claimed_at=None):
            record_event(db, case_id, "released", actor_type="operator", actor_id=user_id, old=user_id)
            return
        holder_id, holder_name = _holder(db, case_id)
        raise NotHolder(f"case {case_id} is held by {holder_name or 'nobody'}, not by user {user_id}")


def reassign(case_id: int, to_user_id: int | None, by_user_id: int, *, reason: str | None = None,
             url: str | None = None) -> int | None:
    """Give a case to another operator (or to nobody). Returns the previous holder's id."""
    with session_scope(url) as db:
        if to_user_id is not None:
            _user(db, to_user_id)
        old, _ = _holder(db, case_id)
        if old == to_user_id:
            return old
        condition = Case.assigned_to_id.is_(None) if old is None else Case.assigned_to_id == old
        if not update_case_if(db, case_id, condition, assigned_to_id=to_user_id,
                                   claimed_at=utcnow() if to_user_id else None):
            raise StaleCase(f"case {case_id} changed hands meanwhile; reload it")
        record_event(db, case_id, "reassigned", actor_type="operator", actor_id=by_user_id,
                     old=old, new=to_user_id, text=reason or None)
        return old


def _derivation_targets(db: Session, case_id: int) -> list[str]:
    return list(db.execute(select(Derivation.institution).where(Derivation.case_id == case_id)).scalars())


def _move(db: Session, case: Case, new_status: str, user: User, reason: str | None,
          derivations: list[str]) -> StatusChange:
    flow = load(case.definition_version).workflow
    old = case.status
    flow.check(old, new_status, reason=reason, is_supervisor=user.role in SUPERVISOR_ROLES,
               derivations=derivations)
    now = utcnow()
    closed_at = now if new_status in flow.terminal else None
    if not update_case_if(db, case.id, Case.status == old, status=new_status, closed_at=closed_at,
                               updated_at=now):
        raise StaleCase(f"case {case.id} changed status meanwhile; reload it")
    record_event(db, case.id, "status_changed", actor_type="operator", actor_id=user.id, old=old,
                 new=new_status, text=(reason or None), at=now)
    return StatusChange(case.id, old, new_status)


def change_status(case_id: int, new_status: str, user_id: int, reason: str | None = None, *,
                  url: str | None = None) -> StatusChange:
    """Move a case along its workflow; raises TransitionError saying what is missing.

    ``reason`` is free text (encrypted in the timeline). Moves that need a supervisor
    check the acting user's role; moves to ``derivado`` need a recorded derivation
    (``add_derivation`` does both in one step).
    """
    with session_scope(url) as db:
        case = get_case_row(db, case_id)
        return _move(db, case, new_status, _user(db, user_id), reason, _derivation_targets(db, case_id))


def reclassify(case_id: int, user_id: int, *, category: str | None = None, subtype: str | None = None,
               priority: str | None = None, reason: str | None = None, url: str | None = None) -> None:
    """Correct the category, subtype or priority the triage suggested."""
    with session_scope(url) as db:
        case = get_case_row(db, case_id)
        defs = load(case.definition_version)
        new_category = category or case.category
        if new_category not in defs["categories"]:
            raise ValueError(f"unknown category {new_category!r}")
        subtypes = defs.subtypes(new_category)
        new_subtype = subtype if subtype is not None else (case.subtype if new_category == case.category else None)
        if new_subtype is not None and new_subtype not in subtypes:
            raise ValueError(f"{new_subtype!r} is not a subtype of {new_category!r}")
        new_priority = priority or case.priority
        if new_priority not in PRIORITIES:
            raise ValueError(f"priority must be one of {', '.join(PRIORITIES)}")
        old = (case.category, case.subtype, case.priority)
        new = (new_category, new_subtype, new_priority)
        if old == new:
            return
        if not update_case_if(db, case_id, (Case.category == old[0]) & (Case.priority == old[2]),
                                   category=new_category, subtype=new_subtype, priority=new_priority):
            raise StaleCase(f"case {case_id} was reclassified meanwhile; reload it")
        record_event(db, case_id, "reclassified", actor_type="operator", actor_id=user_id,
                     old="/".join(v or "" for v in old), new="/".join(v or "" for v in new), text=reason or None)


def add_note(case_id: int, user_id: int, text: str, *, url: str | None = None) -> int:
    """An operator's note on the timeline (encrypted at rest). Returns the event id."""
    if not isinstance(text, str) or not text.strip():
        raise ValueError("a note needs text")
    if len(text) > MAX_NOTE:
        raise ValueError(f"a note is at most {MAX_NOTE} characters")
    with session_scope(url) as db:
        get_case_row(db, case_id)
        event = record_event(db, case_id, "note_added", actor_type="operator", actor_id=user_id, text=text)
        db.execute(update(Case).where(Case.id == case_id).values(updated_at=utcnow())
                   .execution_options(synchronize_session=False))
        db.flush()
        return event.id


def _is_labour(db: Session, case: Case) -> bool:
    data = db.execute(select(ReportRow.data).where(ReportRow.case_id == case.id)).scalar_one_or_none()
    if not data:
        return False
    report = Report.from_dict({**data, "narrative": ""})
    return "labour" in report.purpose_groups() or report.recruitment in LABOUR_RECRUITMENT


def add_derivation(case_id: int, institution: str, derived_on: date, reference: str | None, user_id: int, *,
                   region: str | None = None, mark_derived: bool = True,
                   url: str | None = None) -> DerivationResult:
    """Record that a case was sent to an institution, and move it to ``derivado`` when allowed.

    The institution must be a derivation target of the case's taxonomy version. A
    labour case is not marked ``derivado`` while the CEM is its only derivation (the
    CEM guide excludes labour-trafficking victims, PN L1271): the derivation is kept
    and a warning says what is missing.
    """
    if reference is not None and len(reference) > MAX_REFERENCE:
        raise DerivationError(f"reference: at most {MAX_REFERENCE} characters")
    if not isinstance(derived_on, date):
        raise DerivationError("derived_on must be a date")
    with session_scope(url) as db:
        case = get_case_row(db, case_id)
        defs = load(case.definition_version)
        if institution not in defs["derivation_targets"]:
            raise DerivationError(f"{institution!r} is not a derivation target "
                                  f"(expected one of: {', '.join(defs['derivation_targets'].codes)})")
        row = Derivation(case_id=case_id, institution=institution, region=region, derived_on=derived_on,
                         reference=reference or None, created_by_id=user_id, created_at=utcnow())
        db.add(row)
        db.flush()
        record_event(db, case_id, "derivation_added", actor_type="operator", actor_id=user_id, new=institution,
                     details={"derivation_id": row.id, "derived_on": derived_on.isoformat(),
                              "region": region, "reference": reference or None})
        targets = _derivation_targets(db, case_id)
        warnings: list[str] = []
        status, changed = case.status, False
        if mark_derived and case.status != "derivado":
            if defs.workflow.find(case.status, "derivado") is None:
                warnings.append(f"status stays {case.status!r}: it cannot move to 'derivado' from there")
            elif set(targets) <= {"mimp_cem"} and _is_labour(db, case):
                warnings.append("status stays: a labour case is never derived to the CEM alone; "
                                "add PNP or the Ministerio Público (PN L1271)")
            else:
                status = _move(db, case, "derivado", _user(db, user_id), None, targets).new
                changed = True
        else:
            db.execute(update(Case).where(Case.id == case_id).values(updated_at=utcnow())
                       .execution_options(synchronize_session=False))
        return DerivationResult(row.id, status, changed, tuple(warnings))


def mark_viewed(case_id: int, user_id: int, *, url: str | None = None) -> None:
    """Audit that a user opened a case (its free text is shown)."""
    with session_scope(url) as db:
        get_case_row(db, case_id)
        record_event(db, case_id, "viewed", actor_type="operator", actor_id=user_id)


def count_by_priority(*, unassigned: bool = False, url: str | None = None) -> dict[str, int]:
    """How many open cases per priority (for the console's header)."""
    query = select(Case.priority, func.count(Case.id)).where(Case.status.not_in(_terminal()))
    if unassigned:
        query = query.where(Case.assigned_to_id.is_(None))
    with session_scope(url) as db:
        counts = dict(db.execute(query.group_by(Case.priority)).all())
    return {p: counts.get(p, 0) for p in PRIORITIES}
