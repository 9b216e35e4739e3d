"""Human handoff state: a person waits for an operator, then goes back to the bot.

``request_operator`` marks the conversation's open case as waiting (the console shows
those first with the ``waiting_for_operator`` filter); a conversation without an open
case gets a minimal ``consulta`` case so that it appears in the queue at all.
``hand_back_to_bot`` clears the flag. Pausing and resuming Rasa itself happens
elsewhere; this module only keeps the state and its timeline.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import select

from bot.cases import store
from bot.cases.definitions import load
from bot.cases.report import Report
from bot.db.models import Case
from bot.db.session import session_scope

_REASON = re.compile(r"^[a-z_]{1,32}$")
# Reasons the bot uses; others of the same shape are accepted.
REASONS = ("asked", "emergency", "report", "bot_failed", "operator")


@dataclass(frozen=True)
class HandoffResult:
    case_id: int
    case_code: str
    waiting: bool
    changed: bool            # False: it already was in that state (no event written)
    created_case: bool = False


def _find(db, case_id: int | None, conversation_id: str | None) -> Case | None:
    if case_id is not None:
        return store.get_case_row(db, case_id)
    if conversation_id is None:
        raise ValueError("give case_id or conversation_id")
    return store.open_case_row(db, conversation_id)


def _set_waiting(case_id: int, waiting: bool, action: str, *, actor_type: str, actor_id: int | None,
                 details: dict | None, url: str | None) -> bool:
    with session_scope(url) as db:
        if not store.update_case_if(db, case_id, Case.waiting_for_operator == (not waiting),
                                   waiting_for_operator=waiting):
            return False
        store.record_event(db, case_id, action, actor_type=actor_type, actor_id=actor_id,
                           old=not waiting, new=waiting, details=details)
        return True


def request_operator(
    *,
    reason: str,
    case_id: int | None = None,
    conversation_id: str | None = None,
    channel: str | None = None,
    language: str = "es",
    url: str | None = None,
) -> HandoffResult:
    """Mark a case (by id, or the conversation's open case) as waiting for an operator.

    ``reason`` is a short code (see ``REASONS``), never free text. When the
    conversation has no open case and ``channel`` (a taxonomy channel code) is given,
    a minimal ``consulta`` case is created first; without ``channel`` that is a
    ``CaseNotFound``.
    """
    if not _REASON.match(reason or ""):
        raise ValueError("reason must be a short code like 'asked' or 'emergency'")
    created = False
    last_id = None
    with session_scope(url) as db:
        if case_id is not None:
            case = store.get_case_row(db, case_id)
            found = (case.id, case.code)
        elif conversation_id is None:
            raise ValueError("give case_id or conversation_id")
        else:
            # One statement, so the open case and the last id come from the same snapshot
            # (two queries could straddle another request's commit and make two cases).
            rows = db.execute(select(Case.id, Case.code, Case.status).where(Case.conversation_id == conversation_id)
                              .order_by(Case.id.desc())).all()
            terminal = load().workflow.terminal
            found = next(((i, c) for i, c, s in rows if s not in terminal), None)
            last_id = rows[0][0] if rows else None
    if found is None:
        if channel is None:
            raise store.CaseNotFound("this conversation has no open case; give channel to create one")
        # Keyed on the conversation's last case, so concurrent requests create one case,
        # and a request after that case is closed creates a new one.
        result = store.submit_report(
            Report(channel=channel, language=language, category_hint="consulta"),
            conversation_id=conversation_id, channel=channel, language=language,
            idempotency_key=f"handoff:{conversation_id}:{last_id or 0}", url=url, use_spool=False,
        )
        found, created = (result.case_id, result.case_code), result.created
    changed = _set_waiting(found[0], True, "operator_requested", actor_type="bot", actor_id=None,
                           details={"reason": reason}, url=url)
    return HandoffResult(found[0], found[1], True, changed, created)


def hand_back_to_bot(
    *,
    case_id: int | None = None,
    conversation_id: str | None = None,
    user_id: int | None = None,
    url: str | None = None,
) -> HandoffResult:
    """The person no longer waits for an operator (an operator finished, or the bot resumed)."""
    with session_scope(url) as db:
        case = _find(db, case_id, conversation_id)
        if case is None:
            raise store.CaseNotFound("this conversation has no open case")
        found = (case.id, case.code)
    changed = _set_waiting(found[0], False, "handed_back", actor_type="operator" if user_id else "bot",
                           actor_id=user_id, details=None, url=url)
    return HandoffResult(found[0], found[1], False, changed)


__all__ = ["HandoffResult", "REASONS", "request_operator", "hand_back_to_bot"]
