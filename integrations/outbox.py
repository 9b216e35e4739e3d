"""The outbox: outbound messages as rows, so a send survives errors and restarts.

Every message for a person is first written here (body encrypted), then a delivery
worker claims it, sends it and records the result; provider callbacks add to its status
history. Claiming is a conditional UPDATE, so several replicas can share the outbox
without sending a message twice in the normal case, and one conversation's messages go
out in order: a message waits while an earlier one for the same conversation is unsent.
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Iterable, Sequence

from sqlalchemy import func, select, update

from bot.db.models import OutboundMessage, OutboundStatus
from bot.db.session import session_scope
from bot.db.types import utcnow

PENDING = "pending"
RETRYING = "retrying"
CLAIMED = "claimed"
HELD = "held"  # WhatsApp: waiting for the person to reopen the 24-hour window
BLOCKED = "blocked"  # the person opted out (SMS STOP, blocked the Telegram bot)
ACCEPTED = "accepted"  # the provider has it (Twilio queued/accepted)
SENT = "sent"
DELIVERED = "delivered"
READ = "read"
UNDELIVERED = "undelivered"
FAILED = "failed"

# Earlier unfinished messages hold back later ones of the same conversation.
UNFINISHED = (PENDING, RETRYING, CLAIMED)
TERMINAL_FAILURES = (FAILED, UNDELIVERED, BLOCKED)
_RANK = {PENDING: 0, RETRYING: 0, CLAIMED: 1, HELD: 1, ACCEPTED: 2, SENT: 3, DELIVERED: 4, READ: 5}

# Twilio's message statuses (delivery callbacks and API answers) in our terms.
PROVIDER_STATUS = {
    "accepted": ACCEPTED, "scheduled": ACCEPTED, "queued": ACCEPTED, "sending": ACCEPTED,
    "sent": SENT, "delivered": DELIVERED, "read": READ,
    "undelivered": UNDELIVERED, "failed": FAILED, "canceled": FAILED,
}


@dataclass(frozen=True)
class Part:
    """One provider message to send."""

    body: str | None
    kind: str = "text"  # text | template
    extra: dict[str, Any] | None = None


@dataclass(frozen=True)
class Claimed:
    id: int
    batch_id: str
    conversation_id: str
    channel: str
    kind: str
    body: str | None
    extra: dict[str, Any] | None
    attempts: int
    bypass_opt_out: bool
    origin: str


@dataclass(frozen=True)
class BatchView:
    message_id: str
    status: str
    parts: tuple[str, ...]
    history: tuple[tuple[str, datetime, str | None], ...]


def _history(db, row: OutboundMessage, status: str, source: str, error_code: str | None = None) -> None:
    db.add(OutboundStatus(outbound_id=row.id, status=status[:24], at=utcnow(), error_code=error_code, source=source))


def enqueue(conversation_id: str, channel: str, parts: Sequence[Part], *, origin: str = "bot",
            bypass_opt_out: bool = False, status: str = PENDING) -> tuple[str, list[int]]:
    """Write the parts of one message; returns its batch id (the public message id) and row ids."""
    batch_id = uuid.uuid4().hex
    now = utcnow()
    ids = []
    with session_scope() as db:
        for part in parts:
            row = OutboundMessage(
                batch_id=batch_id, conversation_id=conversation_id, channel=channel, origin=origin,
                kind=part.kind, body=part.body, extra=part.extra, status=status, attempts=0,
                next_attempt_at=now, bypass_opt_out=bypass_opt_out, created_at=now, updated_at=now,
            )
            db.add(row)
            db.flush()
            _history(db, row, status, "worker")
            ids.append(row.id)
    return batch_id, ids


def _claimed(row: OutboundMessage) -> Claimed:
    return Claimed(row.id, row.batch_id, row.conversation_id, row.channel, row.kind, row.body, row.extra,
                   row.attempts, row.bypass_opt_out, row.origin)


def _first_unfinished(db, conversation_ids: Iterable[str]) -> dict[str, int]:
    rows = db.execute(
        select(OutboundMessage.conversation_id, func.min(OutboundMessage.id))
        .where(OutboundMessage.conversation_id.in_(list(conversation_ids)), OutboundMessage.status.in_(UNFINISHED))
        .group_by(OutboundMessage.conversation_id)
    ).all()
    return {conversation: first for conversation, first in rows}


def _try_claim(db, row: OutboundMessage, now: datetime, lease: timedelta) -> bool:
    """Conditional UPDATE: only one worker (of any replica) wins a row."""
    condition = [OutboundMessage.id == row.id, OutboundMessage.status == row.status]
    if row.status == CLAIMED:
        condition.append(OutboundMessage.claimed_until == row.claimed_until)
    result = db.execute(
        update(OutboundMessage)
        .where(*condition)
        .values(status=CLAIMED, claimed_until=now + lease, attempts=OutboundMessage.attempts + 1, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def claim_due(*, limit: int = 20, lease: timedelta = timedelta(seconds=60), channels: Sequence[str] | None = None,
              only_ids: Sequence[int] | None = None) -> list[Claimed]:
    """Claim messages that are due, at most one per conversation (the earliest unsent)."""
    now = utcnow()
    with session_scope() as db:
        query = select(OutboundMessage).where(
            (OutboundMessage.status.in_((PENDING, RETRYING)) & (OutboundMessage.next_attempt_at <= now))
            | ((OutboundMessage.status == CLAIMED) & (OutboundMessage.claimed_until < now))
        )
        if channels is not None:
            query = query.where(OutboundMessage.channel.in_(list(channels)))
        if only_ids is not None:
            query = query.where(OutboundMessage.id.in_(list(only_ids)))
        candidates = db.execute(query.order_by(OutboundMessage.id).limit(limit * 5)).scalars().all()
        if not candidates:
            return []
        first = _first_unfinished(db, {row.conversation_id for row in candidates})
        claimed, seen = [], set()
        for row in candidates:
            if row.conversation_id in seen or first.get(row.conversation_id) != row.id:
                continue
            seen.add(row.conversation_id)
            if _try_claim(db, row, now, lease):
                db.refresh(row)
                claimed.append(_claimed(row))
            if len(claimed) >= limit:
                break
        return claimed


def mark(row_id: int, status: str, *, provider_id: str | None = None, error: str | None = None,
         next_attempt_at: datetime | None = None, source: str = "worker") -> None:
    """Record the worker's result for a claimed row."""
    now = utcnow()
    with session_scope() as db:
        row = db.get(OutboundMessage, row_id)
        if row is None:
            return
        row.status = status
        row.updated_at = now
        row.claimed_until = None
        row.next_attempt_at = next_attempt_at
        if provider_id:
            row.provider_id = provider_id[:64]
        if error is not None:
            row.error = error[:64]
        if status in (ACCEPTED, SENT, DELIVERED, READ, FAILED, UNDELIVERED, BLOCKED):
            # The provider has it (or never will): the outbox is not an archive of texts.
            row.body = None
        _history(db, row, status, source, error_code=(error or None) and error[:16])


def record_callback(provider_id: str, provider_status: str, error_code: str | None = None) -> bool:
    """A delivery status callback: always kept in the history; the status only moves forward."""
    status = PROVIDER_STATUS.get(provider_status)
    if status is None:
        return False
    with session_scope() as db:
        row = db.execute(
            select(OutboundMessage).where(OutboundMessage.provider_id == provider_id).order_by(OutboundMessage.id.desc())
        ).scalars().first()
        if row is None:
            return False
        known = {(s.status, s.error_code) for s in row.statuses if s.source == "callback"}
        if (provider_status, error_code) in known:
            return True  # a repeated callback
        _history(db, row, provider_status, "callback", error_code=error_code)
        current = row.status
        if status in TERMINAL_FAILURES:
            if current not in (DELIVERED, READ):
                row.status = status
                row.error = (error_code or provider_status)[:64]
        elif current not in TERMINAL_FAILURES and _RANK.get(status, 0) > _RANK.get(current, 0):
            row.status = status
        row.updated_at = utcnow()
        row.body = None
        return True


def hold(row_id: int, reason: str) -> None:
    mark(row_id, HELD, error=reason)


def release_held(conversation_id: str) -> int:
    """The person wrote again: held messages go out now (before the assistant's answer)."""
    now = utcnow()
    with session_scope() as db:
        rows = db.execute(
            select(OutboundMessage).where(OutboundMessage.conversation_id == conversation_id,
                                          OutboundMessage.status == HELD)
        ).scalars().all()
        for row in rows:
            row.status = PENDING
            row.next_attempt_at = now
            row.updated_at = now
            _history(db, row, PENDING, "worker")
        return len(rows)


def recent_template(conversation_id: str, since: datetime) -> bool:
    """Was a template already sent (or queued) for this conversation since ``since``?"""
    with session_scope() as db:
        found = db.execute(
            select(OutboundMessage.id).where(
                OutboundMessage.conversation_id == conversation_id,
                OutboundMessage.kind == "template",
                OutboundMessage.created_at >= since,
                OutboundMessage.status.notin_(TERMINAL_FAILURES),
            ).limit(1)
        ).first()
        return found is not None


def _aggregate(statuses: Sequence[str]) -> str:
    """One status for a message sent in several parts: the most worrying, then the least advanced."""
    for status in (BLOCKED, FAILED, UNDELIVERED, HELD, RETRYING):
        if status in statuses:
            return status
    if CLAIMED in statuses or PENDING in statuses:
        return PENDING
    return min(statuses, key=lambda s: _RANK.get(s, 0))


def batch(message_id: str) -> BatchView | None:
    """A message's delivery state as the console shows it."""
    with session_scope() as db:
        rows = db.execute(
            select(OutboundMessage).where(OutboundMessage.batch_id == message_id).order_by(OutboundMessage.id)
        ).scalars().all()
        if not rows:
            return None
        history = tuple((s.status, s.at, s.error_code) for row in rows for s in row.statuses)
        parts = tuple(row.status for row in rows)
        return BatchView(message_id, _aggregate(parts), parts, history)
