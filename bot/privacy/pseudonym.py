"""Pseudonymous identifiers: a keyed hash of channel + user id.

Logs, statistics and the tracker see only the pseudonym; the real address needed to
reply is stored encrypted beside it. A keyed hash (not a plain hash) so that nobody
can recompute a phone number's pseudonym from a list of numbers without the key.
"""
from __future__ import annotations

import hashlib
import hmac

from bot.config import get_settings


def pseudonym(channel: str, user_id: str, *, key: str | None = None) -> str:
    secret = (key or get_settings().pseudonym_key).encode("utf-8")
    message = f"{channel.strip().lower()}:{user_id.strip()}".encode("utf-8")
    return hmac.new(secret, message, hashlib.sha256).hexdigest()[:32]


def short(value: str) -> str:
    """A short, non-reversible tag for log lines (never log the raw id)."""
    return hashlib.sha256(value.encode("utf-8")).hexdigest()[:10]
