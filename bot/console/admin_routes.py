"""Administration: users and roles (create, deactivate, reset password, unlock, API tokens)
and the helpline numbers the assistant gives (shown read-only; see docs/console.md)."""
from __future__ import annotations

import secrets

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from bot.config import get_settings
from bot.console import labels, queries, tokens, users
from bot.console.auth import Actor, require, require_post
from bot.console.passwords import WeakPassword
from bot.console.permissions import ROLES
from bot.db.session import session_scope
from bot.console.web import page

router = APIRouter(include_in_schema=False)

NOTICES = {
    "created": "Usuario creado.",
    "deactivated": "Cuenta desactivada: sus sesiones se cerraron.",
    "activated": "Cuenta activada.",
    "unlocked": "Cuenta desbloqueada.",
    "role": "Rol cambiado: la persona debe volver a ingresar.",
    "revoked": "Token revocado.",
}


def _users_page(request: Request, actor: Actor, *, error: str | None = None, form: dict | None = None,
                secret: dict | None = None, status_code: int = 200):
    rows = queries.users()
    with session_scope() as db:
        token_rows = {row.id: tokens.list_for(db, row.id) for row in rows}
    return page(request, actor, "users.html", status_code=status_code, rows=rows, tokens=token_rows,
                roles=[(r, labels.ROLE_LABELS[r]) for r in ROLES], error=error, form=form or {}, secret=secret,
                notice=NOTICES.get(request.query_params.get("hecho", "")), now=queries.now(),
                is_locked=users.is_locked)


def _done(notice: str) -> RedirectResponse:
    return RedirectResponse(f"/admin/users?hecho={notice}", status_code=303)


@router.get("/admin/users", response_class=HTMLResponse)
def users_page(request: Request, actor: Actor = Depends(require("manage_users"))):
    return _users_page(request, actor)


@router.post("/admin/users")
def create_user(request: Request, username: str = Form(""), display_name: str = Form(""), role: str = Form(""),
                password: str = Form(""), actor: Actor = Depends(require_post("manage_users"))):
    form = {"username": username, "display_name": display_name, "role": role}
    generated = not password
    password = password or secrets.token_urlsafe(12)
    try:
        with session_scope() as db:
            user = users.create_user(db, username, password, role, display_name=display_name.strip() or None,
                                     actor_id=actor.id)
            name = user.username
    except (users.UserError, WeakPassword) as exc:
        return _users_page(request, actor, error=str(exc), form=form, status_code=422)
    if generated:
        return _users_page(request, actor, secret={"kind": "password", "user": name, "value": password})
    return _done("created")


def _user_action(request: Request, actor: Actor, action) -> object:
    try:
        with session_scope() as db:
            action(db)
    except (users.UserError, WeakPassword) as exc:
        return _users_page(request, actor, error=str(exc), status_code=422)
    return None


@router.post("/admin/users/{user_id:int}/active")
def set_active(request: Request, user_id: int, active: str = Form(""),
               actor: Actor = Depends(require_post("manage_users"))):
    refused = _user_action(request, actor, lambda db: users.set_active(db, user_id, active == "1", actor_id=actor.id))
    return refused or _done("activated" if active == "1" else "deactivated")


@router.post("/admin/users/{user_id:int}/unlock")
def unlock(request: Request, user_id: int, actor: Actor = Depends(require_post("manage_users"))):
    refused = _user_action(request, actor, lambda db: users.unlock(db, user_id, actor_id=actor.id))
    return refused or _done("unlocked")


@router.post("/admin/users/{user_id:int}/role")
def set_role(request: Request, user_id: int, role: str = Form(""),
             actor: Actor = Depends(require_post("manage_users"))):
    refused = _user_action(request, actor, lambda db: users.set_role(db, user_id, role, actor_id=actor.id))
    return refused or _done("role")


@router.post("/admin/users/{user_id:int}/password")
def reset_password(request: Request, user_id: int, actor: Actor = Depends(require_post("manage_users"))):
    """A new random password, shown once to the admin, who passes it on by a safe channel."""
    password = secrets.token_urlsafe(12)
    holder = {}

    def action(db):
        holder["name"] = users.reset_password(db, user_id, password, actor_id=actor.id).username

    refused = _user_action(request, actor, action)
    return refused or _users_page(request, actor, secret={"kind": "password", "user": holder["name"],
                                                          "value": password})


@router.post("/admin/users/{user_id:int}/tokens")
def create_token(request: Request, user_id: int, label: str = Form(""),
                 actor: Actor = Depends(require_post("manage_users"))):
    try:
        with session_scope() as db:
            value, _ = tokens.create(db, user_id, label=label.strip() or None, actor_id=actor.id)
            name = users.get_user(db, user_id).username
    except (LookupError, users.UserError):
        return _users_page(request, actor, error="Ese usuario no existe.", status_code=404)
    return _users_page(request, actor, secret={"kind": "token", "user": name, "value": value})


@router.post("/admin/tokens/{token_id:int}/revoke")
def revoke_token(token_id: int, actor: Actor = Depends(require_post("manage_users"))):
    with session_scope() as db:
        tokens.revoke(db, token_id, actor_id=actor.id)
    return _done("revoked")


@router.get("/admin/settings", response_class=HTMLResponse)
def settings_page(request: Request, actor: Actor = Depends(require("view_settings"))):
    settings = get_settings()
    lines = settings.helplines()
    entries = [(key, value) for key, value in lines.items() if isinstance(value, dict)]
    return page(request, actor, "settings.html", entries=entries, helplines_file=settings.helplines_file,
                idle=settings.session_idle_minutes, lockout=(settings.lockout_attempts, settings.lockout_minutes))
