"""Who is asking: the session cookie (pages) or a bearer token (API), and whether they may.

Every route declares one permission through these dependencies; the decision itself is
``permissions.decide``, shared by pages and API. Page POSTs also check the session's
CSRF token (form field ``csrf`` or header ``X-CSRF-Token``); the API takes no cookies,
so it needs none.
"""
from __future__ import annotations

import secrets
from dataclasses import dataclass

from fastapi import Request

from bot.console import tokens, users
from bot.console.permissions import PERMISSIONS, decide
from bot.db.session import session_scope

SESSION_COOKIE = "wk_session"


class LoginRequired(Exception):
    pass


class Forbidden(Exception):
    def __init__(self, reason: str = "role"):
        super().__init__(reason)
        self.reason = reason


class CsrfFailed(Exception):
    pass


@dataclass(frozen=True)
class Actor:
    """The user behind a request, detached from any database session."""

    id: int
    username: str
    display_name: str
    role: str
    csrf: str | None = None      # session requests only
    via: str = "session"         # session | token


def session_actor(request: Request, *, touch: bool = True) -> Actor:
    token = request.cookies.get(SESSION_COOKIE)
    with session_scope() as db:
        row = users.load_session(db, token, touch=touch)
        if row is None:
            raise LoginRequired()
        user = row.user
        return Actor(user.id, user.username, user.display_name, user.role, row.csrf_token, "session")


def token_actor(request: Request) -> Actor:
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "bearer" or not value:
        raise LoginRequired()
    with session_scope() as db:
        user = tokens.verify(db, value.strip())
        if user is None:
            raise LoginRequired()
        return Actor(user.id, user.username, user.display_name, user.role, None, "token")


def authorize(actor: Actor, permission: str, **case) -> None:
    """Raise Forbidden unless the actor may; pass ``holder_id=`` for case-bound permissions."""
    decision = decide(actor.role, permission, user_id=actor.id, **case)
    if not decision.ok:
        raise Forbidden(decision.reason or "role")


def _known(permission: str) -> None:
    if permission not in PERMISSIONS:
        raise KeyError(permission)


def require(permission: str, *, touch: bool = True):
    """Page GET: a logged-in user whose role has ``permission``."""
    _known(permission)

    def dependency(request: Request) -> Actor:
        actor = session_actor(request, touch=touch)
        authorize(actor, permission)
        return actor

    return dependency


def check_csrf(actor: Actor, supplied: str | None) -> bool:
    return bool(actor.csrf) and bool(supplied) and secrets.compare_digest(actor.csrf, supplied)


def require_post(permission: str):
    """Page POST: logged in, ``permission``, and the session's CSRF token."""
    _known(permission)

    async def dependency(request: Request) -> Actor:
        actor = session_actor(request)
        supplied = request.headers.get("X-CSRF-Token")
        if not supplied and request.headers.get("content-type", "").startswith(
                ("application/x-www-form-urlencoded", "multipart/form-data")):
            supplied = (await request.form()).get("csrf")
        if not check_csrf(actor, supplied if isinstance(supplied, str) else None):
            raise CsrfFailed()
        authorize(actor, permission)
        return actor

    return dependency


def require_api(permission: str):
    """API: a bearer token whose user's role has ``permission``."""
    _known(permission)

    def dependency(request: Request) -> Actor:
        actor = token_actor(request)
        authorize(actor, permission)
        return actor

    return dependency
