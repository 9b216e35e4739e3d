"""Read-side queries the console needs beyond the case store's API, and the two events it writes.

Everything returns plain dataclasses or dicts. Case changes still go through
``bot.cases`` (store, queue, handoff); the console only appends its own timeline
events here (an operator's reply, taking a conversation over) with the store's
``record_event``, in the same shape as every other event.
"""
from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, Iterable

from sqlalchemy import and_, case as sql_case, func, or_, select

from bot.cases.definitions import load
from bot.cases.stats_queries import PERU
from bot.cases.store import get_case_row, record_event
from bot.db.models import AuditLog, Case, CaseEvent, Contact, Derivation, Report as ReportRow, User
from bot.db.session import session_scope
from bot.db.types import utcnow

STAFF_ROLES = ("operator", "supervisor", "admin")


@dataclass(frozen=True)
class UserRow:
    id: int
    username: str
    display_name: str
    role: str
    active: bool
    locked_until: datetime | None
    last_login_at: datetime | None
    created_at: datetime


@dataclass(frozen=True)
class Load:
    user_id: int
    display_name: str
    role: str
    held: int
    p1: int
    waiting: int


def users(*, active_only: bool = False, staff_only: bool = False) -> list[UserRow]:
    query = select(User).order_by(User.display_name, User.id)
    if active_only:
        query = query.where(User.active.is_(True))
    if staff_only:
        query = query.where(User.role.in_(STAFF_ROLES))
    with session_scope() as db:
        return [UserRow(u.id, u.username, u.display_name, u.role, u.active, u.locked_until, u.last_login_at,
                        u.created_at) for u in db.execute(query).scalars()]


def user_names(ids: Iterable[int | None]) -> dict[int, str]:
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    with session_scope() as db:
        return dict(db.execute(select(User.id, User.display_name).where(User.id.in_(wanted))).all())


def operator_load() -> list[Load]:
    """Open cases held per active staff member: all, P1, and waiting for an operator."""
    terminal = list(load().workflow.terminal)
    open_case = and_(Case.assigned_to_id == User.id, Case.status.not_in(terminal))
    query = (
        select(User.id, User.display_name, User.role,
               func.count(Case.id),
               func.coalesce(func.sum(sql_case((Case.priority == "P1", 1), else_=0)), 0),
               func.coalesce(func.sum(sql_case((Case.waiting_for_operator.is_(True), 1), else_=0)), 0))
        .select_from(User).outerjoin(Case, open_case)
        .where(User.active.is_(True), User.role.in_(STAFF_ROLES))
        .group_by(User.id, User.display_name, User.role)
        .order_by(func.count(Case.id).desc(), User.display_name)
    )
    with session_scope() as db:
        return [Load(uid, name, role, int(held), int(p1), int(waiting))
                for uid, name, role, held, p1, waiting in db.execute(query)]


def report_data(case_id: int) -> dict[str, Any] | None:
    """The stored structured report as JSON (includes keys the Report class may not know, e.g. screening)."""
    with session_scope() as db:
        return db.execute(select(ReportRow.data).where(ReportRow.case_id == case_id)).scalar_one_or_none()


def contact_channel(conversation_id: str | None) -> str | None:
    if not conversation_id:
        return None
    with session_scope() as db:
        return db.execute(select(Contact.channel).where(Contact.conversation_id == conversation_id)
                          ).scalar_one_or_none()


def held_cases(user_id: int) -> list[tuple[int, str, str, str]]:
    """(id, code, priority, status) of the open cases a user holds, P1 first."""
    terminal = list(load().workflow.terminal)
    with session_scope() as db:
        return [tuple(r) for r in db.execute(
            select(Case.id, Case.code, Case.priority, Case.status)
            .where(Case.assigned_to_id == user_id, Case.status.not_in(terminal))
            .order_by(Case.priority, Case.created_at))]


# --- events the console writes ------------------------------------------------------------

def record_reply(case_id: int, user_id: int, text: str, details: dict[str, Any]) -> int:
    """An operator's reply on the case timeline; the text is encrypted like notes."""
    with session_scope() as db:
        get_case_row(db, case_id)
        event = record_event(db, case_id, "operator_replied", actor_type="operator", actor_id=user_id,
                             new=details.get("status"), details=details, text=text)
        db.flush()
        return event.id


def record_takeover(case_id: int, user_id: int) -> None:
    with session_scope() as db:
        get_case_row(db, case_id)
        record_event(db, case_id, "taken_over", actor_type="operator", actor_id=user_id)


# --- statistics ---------------------------------------------------------------------------

def _bound(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=PERU)


def _median(values: list[float]) -> float | None:
    return statistics.median(values) if values else None


def response_times(start: date, end: date) -> dict[str, dict[str, Any]]:
    """Median time from a case's creation to the first operator reply and to the first derivation.

    Per priority and overall, for cases created in ``[start, end)`` (Peru's calendar).
    ``n`` counts the cases that have the event; cases still without one are left out.
    """
    lo, hi = _bound(start), _bound(end)
    with session_scope() as db:
        cases = db.execute(select(Case.id, Case.priority, Case.created_at)
                           .where(Case.created_at >= lo, Case.created_at < hi)).all()
        ids = [c.id for c in cases]
        replies = dict(db.execute(select(CaseEvent.case_id, func.min(CaseEvent.at))
                                  .where(CaseEvent.action == "operator_replied", CaseEvent.case_id.in_(ids))
                                  .group_by(CaseEvent.case_id)).all()) if ids else {}
        derived = dict(db.execute(select(Derivation.case_id, func.min(Derivation.created_at))
                                  .where(Derivation.case_id.in_(ids))
                                  .group_by(Derivation.case_id)).all()) if ids else {}
    groups: dict[str, dict[str, list[float]]] = {}
    for case_id, priority, created in cases:
        for key in (priority, "total"):
            bucket = groups.setdefault(key, {"first_reply": [], "derivation": [], "cases": []})
            bucket["cases"].append(1)
            if case_id in replies:
                bucket["first_reply"].append(max(0.0, (replies[case_id] - created).total_seconds()))
            if case_id in derived:
                bucket["derivation"].append(max(0.0, (derived[case_id] - created).total_seconds()))
    out = {}
    for key in ("P1", "P2", "P3", "total"):
        bucket = groups.get(key, {"first_reply": [], "derivation": [], "cases": []})
        out[key] = {
            "cases": len(bucket["cases"]),
            "first_reply": {"median_seconds": _median(bucket["first_reply"]), "n": len(bucket["first_reply"])},
            "derivation": {"median_seconds": _median(bucket["derivation"]), "n": len(bucket["derivation"])},
        }
    return out


# --- audit log ----------------------------------------------------------------------------

@dataclass(frozen=True)
class AuditEntry:
    at: datetime
    source: str              # case | account
    action: str
    actor_id: int | None
    actor_name: str | None
    case_id: int | None
    case_code: str | None
    object_label: str | None
    old: str | None
    new: str | None
    details: dict | None


@dataclass(frozen=True)
class AuditFilter:
    actor_id: int | None = None
    action: str | None = None
    case_id: int | None = None
    source: str | None = None      # case | account | None for both
    start: date | None = None      # Peru's calendar, included
    end: date | None = None        # included


def _times(column, f: AuditFilter) -> list:
    out = []
    if f.start:
        out.append(column >= _bound(f.start))
    if f.end:
        out.append(column < _bound(f.end + timedelta(days=1)))
    return out


def audit_entries(f: AuditFilter, *, limit: int = 100, offset: int = 0) -> list[AuditEntry]:
    """Case events and account events, newest first, merged. No free text is read."""
    take = offset + limit
    entries: list[AuditEntry] = []
    with session_scope() as db:
        if f.source in (None, "case"):
            q = (select(CaseEvent.at, CaseEvent.action, CaseEvent.actor_id, CaseEvent.case_id, Case.code,
                        CaseEvent.old_value, CaseEvent.new_value, CaseEvent.details, CaseEvent.actor_type)
                 .join(Case, Case.id == CaseEvent.case_id))
            conditions = _times(CaseEvent.at, f)
            if f.actor_id is not None:
                conditions.append(CaseEvent.actor_id == f.actor_id)
            if f.action:
                conditions.append(CaseEvent.action == f.action)
            if f.case_id is not None:
                conditions.append(CaseEvent.case_id == f.case_id)
            if conditions:
                q = q.where(*conditions)
            for at, action, actor_id, case_id, code, old, new, details, actor_type in db.execute(
                    q.order_by(CaseEvent.at.desc(), CaseEvent.id.desc()).limit(take)):
                entries.append(AuditEntry(at, "case", action, actor_id, None if actor_id else _actor_type(actor_type),
                                          case_id, code, None, old, new, _safe_details(details)))
        if f.source in (None, "account") and f.case_id is None:
            q = select(AuditLog)
            conditions = _times(AuditLog.at, f)
            if f.actor_id is not None:
                conditions.append(or_(AuditLog.actor_id == f.actor_id,
                                      and_(AuditLog.object_type == "user", AuditLog.object_id == str(f.actor_id))))
            if f.action:
                conditions.append(AuditLog.action == f.action)
            if conditions:
                q = q.where(*conditions)
            for row in db.execute(q.order_by(AuditLog.at.desc(), AuditLog.id.desc()).limit(take)).scalars():
                label = f"{row.object_type} {row.object_id}" if row.object_type else None
                entries.append(AuditEntry(row.at, "account", row.action, row.actor_id, None, None, None, label,
                                          None, None, _safe_details(row.details)))
    entries.sort(key=lambda e: e.at, reverse=True)
    page = entries[offset:offset + limit]
    names = user_names(e.actor_id for e in page)
    return [AuditEntry(e.at, e.source, e.action, e.actor_id, names.get(e.actor_id, e.actor_name), e.case_id,
                       e.case_code, e.object_label, e.old, e.new, e.details) for e in page]


def _actor_type(kind: str | None) -> str | None:
    return {"bot": "Asistente", "system": "Sistema"}.get(kind or "", kind)


# Details keys that may be shown in the audit log: codes, counts and dates, never free text.
_SAFE_KEYS = ("origin", "reason", "role", "old", "new", "failed_logins", "derived_on", "region", "status",
              "channel", "via", "token_id", "window_closed", "priority", "category", "export", "table")


def _safe_details(details: dict | None) -> dict | None:
    if not isinstance(details, dict):
        return None
    kept = {k: details[k] for k in _SAFE_KEYS if k in details and isinstance(details[k], (str, int, bool))}
    return kept or None


def audit_actions() -> list[str]:
    with session_scope() as db:
        case_actions = db.execute(select(CaseEvent.action).distinct()).scalars().all()
        account_actions = db.execute(select(AuditLog.action).distinct()).scalars().all()
    return sorted(set(case_actions) | set(account_actions))


def recent_case_views(case_id: int, limit: int = 5) -> tuple[int, list[tuple[datetime, int | None]]]:
    with session_scope() as db:
        total = db.execute(select(func.count(CaseEvent.id)).where(CaseEvent.case_id == case_id,
                                                                   CaseEvent.action == "viewed")).scalar_one()
        rows = db.execute(select(CaseEvent.at, CaseEvent.actor_id).where(
            CaseEvent.case_id == case_id, CaseEvent.action == "viewed").order_by(CaseEvent.at.desc()).limit(limit)).all()
    return int(total), [tuple(r) for r in rows]


def now() -> datetime:
    return utcnow()
