"""API tokens: one or more per console user, for /api/v1 (scripts, tests, integrations).

A token is 32 random bytes shown once; the table keeps only its SHA-256 (a slow hash
adds nothing for a secret with 256 bits of entropy). Tokens act with their user's
current role and stop working when the user is deactivated or the token revoked.
"""
from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot import audit
from bot.db.models import ApiToken, User
from bot.db.types import utcnow

PREFIX = "wkc_"
# last_used_at is refreshed at most this often, so a busy script does not write on every call.
TOUCH_EVERY = timedelta(minutes=5)


@dataclass(frozen=True)
class TokenView:
    id: int
    user_id: int
    label: str | None
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create(db: Session, user_id: int, *, label: str | None = None, actor_id: int | None = None) -> tuple[str, TokenView]:
    """A new token for a user; the clear token is returned here and never again."""
    user = db.get(User, user_id)
    if user is None:
        raise LookupError(f"no console user with id {user_id}")
    token = PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(user_id=user.id, token_hash=_hash(token), label=(label or None) and label[:64], created_at=utcnow())
    db.add(row)
    db.flush()
    audit.record(db, "token.created", actor_id=actor_id, object_type="user", object_id=user.id,
                 details={"token_id": row.id})
    return token, _view(row)


def verify(db: Session, token: str | None) -> User | None:
    """The active user a token belongs to, or None."""
    if not token or not token.startswith(PREFIX) or len(token) > 200:
        return None
    row = db.execute(select(ApiToken).where(ApiToken.token_hash == _hash(token))).scalar_one_or_none()
    if row is None or row.revoked_at is not None:
        return None
    user = db.get(User, row.user_id)
    if user is None or not user.active:
        return None
    now = utcnow()
    if row.last_used_at is None or now - row.last_used_at > TOUCH_EVERY:
        row.last_used_at = now
    return user


def revoke(db: Session, token_id: int, *, actor_id: int | None = None) -> bool:
    row = db.get(ApiToken, token_id)
    if row is None or row.revoked_at is not None:
        return False
    row.revoked_at = utcnow()
    audit.record(db, "token.revoked", actor_id=actor_id, object_type="user", object_id=row.user_id,
                 details={"token_id": row.id})
    return True


def list_for(db: Session, user_id: int) -> list[TokenView]:
    rows = db.execute(select(ApiToken).where(ApiToken.user_id == user_id).order_by(ApiToken.id)).scalars()
    return [_view(r) for r in rows]


def _view(row: ApiToken) -> TokenView:
    return TokenView(row.id, row.user_id, row.label, row.created_at, row.last_used_at, row.revoked_at)
