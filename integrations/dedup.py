"""Durable de-duplication of webhook deliveries, and the inbound journal, shared by every replica.

Telegram re-sends an update until it gets a 2xx; Twilio can deliver the same message
twice. The first replica to insert "<channel>:<id>" wins; the unique constraint settles
races between replicas. Rows expire after ``TTL``, and expired rows are purged now and
then by whoever is inserting.

The same row journals the message: it is inserted with the message (``payload``,
encrypted) before the provider gets its answer, and the payload is cleared when
processing has finished. A row still holding a payload after ``GRACE`` belongs to a
process that died (or to a message whose processing failed): ``claim_stale`` hands it
to one replica to process again, at most ``MAX_ATTEMPTS`` runs in all. Processing is
therefore at-least-once: a crash after Rasa answered but before ``done`` repeats that
answer once.
"""
from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from datetime import timedelta
from typing import Collection, Iterable

from sqlalchemy import Text, delete, select, type_coerce, update
from sqlalchemy.exc import IntegrityError

from bot.db.models import ChannelDedup
from bot.db.session import session_scope
from bot.db.types import utcnow
from bot.privacy import crypto
from bot.privacy.pseudonym import short

logger = logging.getLogger(__name__)

TTL = timedelta(hours=48)
PURGE_EVERY_SECONDS = 600.0
GRACE = timedelta(seconds=120)  # a live replica renews its rows well within this (see renew)
MAX_ATTEMPTS = 3  # processing runs of one message (the first on arrival) before it is given up

_purge_lock = threading.Lock()
_last_purge = 0.0


def key(channel: str, external_id: str) -> str:
    return f"{channel}:{external_id}"[:96]


def first_time(channel: str, external_id: str, *, ttl: timedelta = TTL, payload: str | None = None) -> bool:
    """Record a delivery (with its message, to process); True the first time, False for every repeat."""
    _maybe_purge()
    now = utcnow()
    try:
        # A normal (synchronous) commit, also on PostgreSQL: once the provider has its
        # answer this row is the only copy of the message, so it must survive a crash.
        with session_scope() as db:
            db.add(ChannelDedup(key=key(channel, external_id), expires_at=now + ttl, payload=payload,
                                received_at=now, attempts=1))
    except IntegrityError:
        return False
    return True


def done(full_key: str) -> None:
    """Processing finished: forget the message, keep the key (de-duplication until expiry)."""
    _clear(full_key)


def give_up(full_key: str, reason: str) -> None:
    """A message that cannot be processed: forget it too, so it cannot loop forever."""
    _clear(full_key)
    _given_up(full_key, reason)


def _given_up(full_key: str, reason: str) -> None:
    # The short tag only: the key holds the provider's message id.
    logger.warning("inbound %s given up: %s", short(full_key), reason)


def _clear(full_key: str) -> None:
    with session_scope() as db:
        db.execute(update(ChannelDedup).where(ChannelDedup.key == full_key, ChannelDedup.payload.is_not(None))
                   .values(payload=None).execution_options(synchronize_session=False))


def renew(keys: Iterable[str]) -> int:
    """Extend the lease on messages this process still has queued, so no replica takes them."""
    keys = sorted(keys)
    renewed = 0
    for start in range(0, len(keys), 500):
        with session_scope() as db:
            renewed += db.execute(
                update(ChannelDedup)
                .where(ChannelDedup.key.in_(keys[start:start + 500]), ChannelDedup.payload.is_not(None))
                .values(received_at=utcnow()).execution_options(synchronize_session=False)
            ).rowcount or 0
    return renewed


@dataclass(frozen=True)
class Claim:
    key: str
    payload: str  # decrypted JSON of the message
    attempts: int  # runs so far, this one included


def claim_stale(prefix: str, *, grace: timedelta = GRACE, skip: Collection[str] = (), limit: int = 100,
                max_attempts: int = MAX_ATTEMPTS) -> list[Claim]:
    """Take pending rows whose key starts with ``prefix`` and nobody has touched for ``grace``.

    Oldest first (a conversation's messages keep their order). The claim is a conditional
    UPDATE on the attempts seen and the row still being stale, so of two replicas racing
    for a row one gets it; it also moves ``received_at`` to now, which keeps other
    replicas off while this one works.
    Rows whose ``max_attempts`` runs all failed to finish are given up instead.
    """
    now = utcnow()
    cutoff = now - grace
    with session_scope() as db:
        rows = db.execute(
            select(ChannelDedup.id, ChannelDedup.key, ChannelDedup.attempts,
                   type_coerce(ChannelDedup.payload, Text))  # decrypted one by one below
            .where(ChannelDedup.payload.is_not(None), ChannelDedup.received_at < cutoff,
                   ChannelDedup.key.startswith(prefix, autoescape=True))
            .order_by(ChannelDedup.received_at, ChannelDedup.id).limit(limit + len(skip))
        ).all()
    claims: list[Claim] = []
    for row_id, full_key, seen, sealed in rows:
        if full_key in skip:
            continue  # still queued in this process
        if len(claims) >= limit:
            break
        # Still as seen: nobody claimed, finished or renewed it since the SELECT.
        taken = (ChannelDedup.id == row_id, ChannelDedup.attempts == seen, ChannelDedup.payload.is_not(None),
                 ChannelDedup.received_at < cutoff)
        if seen >= max_attempts:
            if _update(taken, payload=None):
                _given_up(full_key, f"unfinished after {seen} attempts")
            continue
        try:
            payload = crypto.decrypt(sealed)
        except crypto.DecryptionError:
            if _update(taken, payload=None):
                _given_up(full_key, "payload cannot be decrypted")
            continue
        if _update(taken, attempts=seen + 1, received_at=utcnow()):
            claims.append(Claim(full_key, payload, seen + 1))
    return claims


def _update(where, **values) -> bool:
    with session_scope() as db:
        result = db.execute(update(ChannelDedup).where(*where).values(**values)
                            .execution_options(synchronize_session=False))
        return result.rowcount == 1


def purge_expired() -> int:
    with session_scope() as db:
        return db.execute(delete(ChannelDedup).where(ChannelDedup.expires_at < utcnow())).rowcount or 0


def _maybe_purge() -> None:
    global _last_purge
    now = time.monotonic()
    if now - _last_purge < PURGE_EVERY_SECONDS:
        return
    with _purge_lock:
        if now - _last_purge < PURGE_EVERY_SECONDS:
            return
        _last_purge = now
    purge_expired()
