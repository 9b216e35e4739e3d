"""Login, logout, staying logged in, the home page, health, and the P1 alert sound."""
from __future__ import annotations

import functools
import secrets

import httpx
from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from sqlalchemy import text

from bot import rasa_client
from bot.cases import queue
from bot.config import get_settings
from bot.console import queries, sounds, users
from bot.console.auth import SESSION_COOKIE, Actor, require, require_post, session_actor
from bot.console.permissions import allowed
from bot.console.web import page, templates
from bot.db.session import session_scope

LOGIN_CSRF_COOKIE = "wk_login_csrf"

router = APIRouter(include_in_schema=False)


def cookie_args() -> dict:
    return {"httponly": True, "secure": get_settings().cookie_secure, "samesite": "strict", "path": "/"}


@router.get("/health")
async def health() -> JSONResponse:
    settings = get_settings()
    checks: dict[str, str] = {}
    try:
        with session_scope() as db:
            db.execute(text("SELECT 1"))
        checks["database"] = "ok"
    except Exception:  # noqa: BLE001 - health reports, never raises
        checks["database"] = "unavailable"
    async with httpx.AsyncClient() as client:
        checks["assistant"] = "ok" if await rasa_client.status_async(client, settings) else "unavailable"
    status = 200 if checks["database"] == "ok" else 503
    return JSONResponse({"status": "ok" if status == 200 else "degraded", "checks": checks}, status_code=status)


@router.get("/login", response_class=HTMLResponse)
async def login_form(request: Request):
    token = secrets.token_urlsafe(24)
    expired = request.query_params.get("motivo") == "inactividad"
    response = templates.TemplateResponse(request, "login.html", {"csrf": token, "error": None, "expired": expired})
    response.set_cookie(LOGIN_CSRF_COOKIE, token, max_age=1800, **cookie_args())
    return response


@router.post("/login")
def login(request: Request, username: str = Form(""), password: str = Form(""), csrf: str = Form("")):
    settings = get_settings()
    cookie = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    if not cookie or not secrets.compare_digest(cookie, csrf):
        return templates.TemplateResponse(
            request, "login.html",
            {"csrf": cookie or "", "error": "La sesión del formulario expiró. Vuelve a intentarlo."}, status_code=400,
        )
    with session_scope() as db:
        result = users.authenticate(db, username, password, settings)
        if result.user is not None:
            token, _ = users.start_session(db, result.user)
    if result.user is None:
        message = {
            "locked": "La cuenta está bloqueada temporalmente por varios intentos fallidos. "
            f"Espera {settings.lockout_minutes} minutos o pide a un administrador que la desbloquee.",
            "inactive": "La cuenta está desactivada. Habla con un administrador.",
        }.get(result.reason, "Usuario o contraseña incorrectos.")
        return templates.TemplateResponse(
            request, "login.html", {"csrf": cookie, "error": message},
            status_code=401 if result.reason != "locked" else 423,
        )
    response = RedirectResponse("/", status_code=303)
    response.set_cookie(SESSION_COOKIE, token, **cookie_args())
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/")
    return response


@router.post("/logout")
def logout(request: Request, csrf: str = Form("")):
    actor = session_actor(request)
    if not (actor.csrf and csrf and secrets.compare_digest(actor.csrf, csrf)):
        return Response("CSRF token inválido", status_code=400)
    with session_scope() as db:
        users.end_session(db, request.cookies.get(SESSION_COOKIE))
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.post("/session/keepalive")
def keepalive(actor: Actor = Depends(require_post("use_console"))) -> JSONResponse:
    """The person is still working on the page (typing, clicking): count it as activity."""
    return JSONResponse({"ok": True, "idle_seconds": get_settings().session_idle_minutes * 60})


@router.get("/", response_class=HTMLResponse)
def home(request: Request, actor: Actor = Depends(require("use_console"))):
    counts = queue.count_by_priority(unassigned=True) if allowed(actor.role, "view_queue") else None
    held = queries.held_cases(actor.id) if allowed(actor.role, "view_queue") else []
    return page(request, actor, "home.html", counts=counts, held=held)


@router.get("/sounds/p1.wav")
def p1_sound() -> Response:
    return Response(_sound(), media_type="audio/wav", headers={"Cache-Control": "public, max-age=86400"})


@functools.lru_cache(maxsize=1)
def _sound() -> bytes:
    return sounds.alert_wav()
