"""Answering "how is my case?" from a case code, for the ``case_status`` intent.

Only the status is ever returned, never details: whoever holds a code (a victim, or
the person who took their phone) learns nothing else. Wrong codes are slowed down per
pseudonymous sender with ``bot.cases.guessing``; every look-up of a well-formed code
is stored in ``code_attempts`` (sender pseudonym, time, found or not). Text that holds
no well-formed code ("malformed": a typo the check symbol caught, a 0/O/1/I, nothing
code-like) is not counted as a guess: it reveals nothing about which codes exist.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, or_, select

from bot.cases.codes import examine_code
from bot.cases.guessing import GuessPolicy, check_guess
from bot.db.models import Case, CodeAttempt
from bot.db.session import session_scope
from bot.db.types import utcnow

KINDS = ("found", "unknown", "malformed", "slow_down")
DEFAULT_POLICY = GuessPolicy()


@dataclass(frozen=True)
class StatusAnswer:
    kind: str                     # found | unknown | malformed | slow_down
    status: str | None = None     # the case's status code when found
    retry_after: float = 0.0      # seconds, when slow_down
    problem: str | None = None    # when malformed: none | check | confusable | several
    locked: bool = False          # slow_down because of the lock-out, not just a delay


def case_status_for_code(
    code: str,
    sender_pseudonym: str,
    *,
    now: datetime | None = None,
    policy: GuessPolicy = DEFAULT_POLICY,
    url: str | None = None,
) -> StatusAnswer:
    """The status of the case whose code is in ``code`` (the person's message), or why not.

    ``sender_pseudonym`` must be the keyed pseudonym (bot.privacy.pseudonym), never a
    phone number or chat id.
    """
    if not sender_pseudonym or len(sender_pseudonym) > 64:
        raise ValueError("sender_pseudonym: the sender's pseudonym (at most 64 characters) is required")
    now = now or utcnow()
    with session_scope(url) as db:
        since = now - timedelta(seconds=policy.window)
        failures = db.execute(
            select(CodeAttempt.at).where(CodeAttempt.sender == sender_pseudonym, CodeAttempt.ok.is_(False),
                                         CodeAttempt.at > since)
        ).scalars().all()
        decision = check_guess([t.timestamp() for t in failures], now.timestamp(), policy)
        if not decision.allowed:
            return StatusAnswer("slow_down", retry_after=decision.retry_after, locked=decision.locked)
        parsed = examine_code(code or "")
        if parsed.code is None:
            return StatusAnswer("malformed", problem=parsed.problem)
        status = db.execute(
            select(Case.status).where(or_(Case.code == parsed.code, Case.alt_code == parsed.code))
        ).scalar_one_or_none()
        db.add(CodeAttempt(sender=sender_pseudonym, at=now, ok=status is not None))
        if status is None:
            return StatusAnswer("unknown")
        return StatusAnswer("found", status=status)


def purge_attempts(older_than: timedelta = timedelta(days=7), *, now: datetime | None = None,
                   url: str | None = None) -> int:
    """Forget look-ups older than ``older_than`` (they only matter inside the guessing window)."""
    cutoff = (now or utcnow()) - older_than
    with session_scope(url) as db:
        return db.execute(delete(CodeAttempt).where(CodeAttempt.at < cutoff)).rowcount
