"""Console users: creation, authentication with lockout, and login sessions."""
from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot import audit
from bot.config import Settings, get_settings
from bot.console.passwords import DUMMY_HASH, hash_password, verify_password
from bot.db.models import ROLES, ConsoleSession, User
from bot.db.types import utcnow

SESSION_MAX_HOURS = 12
USERNAME_CHARS = set("abcdefghijklmnopqrstuvwxyz0123456789._-")


class UserError(ValueError):
    pass


def normalise_username(username: str) -> str:
    name = username.strip().lower()
    if not 3 <= len(name) <= 64 or not set(name) <= USERNAME_CHARS:
        raise UserError("El usuario debe tener de 3 a 64 caracteres: letras, números, punto, guion.")
    return name


def create_user(
    db: Session, username: str, password: str, role: str, *, display_name: str | None = None, actor_id: int | None = None
) -> User:
    if role not in ROLES:
        raise UserError(f"Rol desconocido {role!r}; use uno de: {', '.join(ROLES)}.")
    name = normalise_username(username)
    if db.execute(select(User.id).where(User.username == name)).first():
        raise UserError(f"El usuario {name!r} ya existe.")
    user = User(username=name, display_name=display_name or name, password_hash=hash_password(password), role=role)
    db.add(user)
    db.flush()
    audit.record(db, "user.created", actor_id=actor_id, object_type="user", object_id=user.id, details={"role": role})
    return user


@dataclass(frozen=True)
class LoginResult:
    user: User | None
    reason: str  # ok | invalid | locked | inactive


def authenticate(db: Session, username: str, password: str, settings: Settings | None = None) -> LoginResult:
    settings = settings or get_settings()
    now = utcnow()
    try:
        name = normalise_username(username)
    except UserError:
        name = None
    user = db.execute(select(User).where(User.username == name)).scalar_one_or_none() if name else None
    if user is None:
        verify_password(password, DUMMY_HASH)
        audit.record(db, "login.failed", details={"reason": "unknown_user"})
        return LoginResult(None, "invalid")
    if user.locked_until and user.locked_until > now:
        audit.record(db, "login.refused_locked", actor_id=user.id, object_type="user", object_id=user.id)
        return LoginResult(None, "locked")
    if not verify_password(password, user.password_hash):
        user.failed_logins += 1
        details = {"failed_logins": user.failed_logins}
        if user.failed_logins >= settings.lockout_attempts:
            user.locked_until = now + timedelta(minutes=settings.lockout_minutes)
            user.failed_logins = 0
            audit.record(db, "user.locked", actor_id=user.id, object_type="user", object_id=user.id, details=details)
            return LoginResult(None, "locked")
        audit.record(db, "login.failed", actor_id=user.id, object_type="user", object_id=user.id, details=details)
        return LoginResult(None, "invalid")
    if not user.active:
        audit.record(db, "login.refused_inactive", actor_id=user.id, object_type="user", object_id=user.id)
        return LoginResult(None, "inactive")
    user.failed_logins = 0
    user.locked_until = None
    user.last_login_at = now
    audit.record(db, "login.ok", actor_id=user.id, object_type="user", object_id=user.id)
    return LoginResult(user, "ok")


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("ascii")).hexdigest()


def start_session(db: Session, user: User) -> tuple[str, ConsoleSession]:
    token = secrets.token_urlsafe(32)
    now = utcnow()
    row = ConsoleSession(
        token_hash=_hash_token(token),
        user_id=user.id,
        csrf_token=secrets.token_urlsafe(24),
        created_at=now,
        last_seen_at=now,
        expires_at=now + timedelta(hours=SESSION_MAX_HOURS),
    )
    db.add(row)
    db.flush()
    return token, row


def load_session(db: Session, token: str | None, settings: Settings | None = None, *,
                 touch: bool = True) -> ConsoleSession | None:
    """The live session for a cookie token, or None when missing, revoked, idle or expired.

    ``touch=False`` is for background polling (the queue, the chat): it must not count
    as activity, or an open queue page would never log out.
    """
    if not token:
        return None
    settings = settings or get_settings()
    row = db.execute(select(ConsoleSession).where(ConsoleSession.token_hash == _hash_token(token))).scalar_one_or_none()
    now = utcnow()
    if row is None or row.revoked_at is not None or row.expires_at <= now:
        return None
    if row.last_seen_at + timedelta(minutes=settings.session_idle_minutes) <= now:
        row.revoked_at = now
        audit.record(db, "logout.idle", actor_id=row.user_id, object_type="user", object_id=row.user_id)
        return None
    if not row.user.active:
        return None
    if touch:
        row.last_seen_at = now
    return row


def end_session(db: Session, token: str | None) -> None:
    if not token:
        return
    row = db.execute(select(ConsoleSession).where(ConsoleSession.token_hash == _hash_token(token))).scalar_one_or_none()
    if row and row.revoked_at is None:
        row.revoked_at = utcnow()
        audit.record(db, "logout", actor_id=row.user_id, object_type="user", object_id=row.user_id)


# --- administration (the console's user pages and the CLI) ------------------------------

def get_user(db: Session, user_id: int) -> User:
    user = db.get(User, user_id)
    if user is None:
        raise UserError("Ese usuario no existe.")
    return user


def revoke_sessions(db: Session, user_id: int) -> int:
    """End every open session of a user (after deactivation or a password reset)."""
    now = utcnow()
    rows = db.execute(select(ConsoleSession).where(ConsoleSession.user_id == user_id,
                                                   ConsoleSession.revoked_at.is_(None))).scalars().all()
    for row in rows:
        row.revoked_at = now
    return len(rows)


def set_active(db: Session, user_id: int, active: bool, *, actor_id: int) -> User:
    user = get_user(db, user_id)
    if user.id == actor_id and not active:
        raise UserError("No puedes desactivar tu propia cuenta.")
    if user.active != active:
        user.active = active
        if not active:
            revoke_sessions(db, user.id)
        audit.record(db, "user.activated" if active else "user.deactivated", actor_id=actor_id,
                     object_type="user", object_id=user.id)
    return user


def reset_password(db: Session, user_id: int, password: str, *, actor_id: int) -> User:
    user = get_user(db, user_id)
    user.password_hash = hash_password(password)
    user.failed_logins = 0
    user.locked_until = None
    revoke_sessions(db, user.id)
    audit.record(db, "user.password_reset", actor_id=actor_id, object_type="user", object_id=user.id)
    return user


def unlock(db: Session, user_id: int, *, actor_id: int) -> User:
    user = get_user(db, user_id)
    user.failed_logins = 0
    user.locked_until = None
    audit.record(db, "user.unlocked", actor_id=actor_id, object_type="user", object_id=user.id)
    return user


def set_role(db: Session, user_id: int, role: str, *, actor_id: int) -> User:
    if role not in ROLES:
        raise UserError(f"Rol desconocido {role!r}.")
    user = get_user(db, user_id)
    if user.id == actor_id and role != user.role:
        raise UserError("No puedes cambiar tu propio rol.")
    if user.role != role:
        audit.record(db, "user.role_changed", actor_id=actor_id, object_type="user", object_id=user.id,
                     details={"old": user.role, "new": role})
        user.role = role
        revoke_sessions(db, user.id)
    return user


def is_locked(user: User, now: datetime | None = None) -> bool:
    return bool(user.locked_until and user.locked_until > (now or utcnow()))
