"""Durable de-duplication of webhook deliveries, shared by every replica.

Telegram re-sends an update until it gets a 2xx; Twilio can deliver the same message
twice. The first replica to insert "<channel>:<id>" wins; the unique constraint settles
races between replicas. Rows expire after ``TTL``, and expired rows are purged now and
then by whoever is inserting.
"""
from __future__ import annotations

import threading
import time
from datetime import timedelta

from sqlalchemy import delete, text
from sqlalchemy.exc import IntegrityError

from bot.db.models import ChannelDedup
from bot.db.session import session_scope
from bot.db.types import utcnow

TTL = timedelta(hours=48)
PURGE_EVERY_SECONDS = 600.0

_purge_lock = threading.Lock()
_last_purge = 0.0


def key(channel: str, external_id: str) -> str:
    return f"{channel}:{external_id}"[:96]


def first_time(channel: str, external_id: str, *, ttl: timedelta = TTL) -> bool:
    """Record a delivery; True the first time it is seen, False for every repeat."""
    _maybe_purge()
    now = utcnow()
    try:
        with session_scope() as db:
            if db.get_bind().dialect.name == "postgresql":
                # A row lost in a crash costs at most one repeated answer; not worth an fsync.
                db.execute(text("SET LOCAL synchronous_commit = off"))
            db.add(ChannelDedup(key=key(channel, external_id), expires_at=now + ttl))
    except IntegrityError:
        return False
    return True


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
