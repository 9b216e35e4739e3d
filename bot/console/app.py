"""The operator console: a FastAPI app with server-rendered Spanish pages.

Sessions live in the database (cookie holds a random token, the table only its hash),
so logout, idle timeout and lockout take effect at once on every replica.
"""
from __future__ import annotations

import logging
import secrets
from pathlib import Path
from typing import Any

import httpx
from fastapi import Depends, FastAPI, Form, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from sqlalchemy import text

from bot import rasa_client
from bot.config import Settings, get_settings
from bot.console import users
from bot.console.permissions import PERMISSIONS, allowed
from bot.db.models import ConsoleSession
from bot.db.session import session_scope
from bot.privacy.pseudonym import pseudonym

HERE = Path(__file__).resolve().parent
SESSION_COOKIE = "wk_session"
LOGIN_CSRF_COOKIE = "wk_login_csrf"
CHAT_COOKIE = "wk_chat"
MAX_CHAT_CHARS = 4000

logger = logging.getLogger(__name__)
templates = Jinja2Templates(directory=str(HERE / "templates"))

SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}


class LoginRequired(Exception):
    pass


class Forbidden(Exception):
    pass


def _cookie_args(settings: Settings) -> dict[str, Any]:
    return {"httponly": True, "secure": settings.cookie_secure, "samesite": "strict", "path": "/"}


def current_session(request: Request) -> ConsoleSession:
    """The logged-in session, with its user loaded; raises LoginRequired otherwise."""
    token = request.cookies.get(SESSION_COOKIE)
    with session_scope() as db:
        row = users.load_session(db, token)
        if row is None:
            raise LoginRequired()
        row.user  # load before the session closes
        return row


def require(permission: str):
    if permission not in PERMISSIONS:
        raise KeyError(permission)

    def dependency(request: Request) -> ConsoleSession:
        row = current_session(request)
        if not allowed(row.user.role, permission):
            raise Forbidden()
        return row

    return dependency


def check_csrf(row: ConsoleSession, supplied: str | None) -> bool:
    return bool(supplied) and secrets.compare_digest(row.csrf_token, supplied)


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    app = FastAPI(title="Willakuy — consola", docs_url=None, redoc_url=None, openapi_url="/api/openapi.json")
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")
    app.state.settings = settings

    @app.middleware("http")
    async def security_headers(request: Request, call_next):
        response = await call_next(request)
        for key, value in SECURITY_HEADERS.items():
            response.headers.setdefault(key, value)
        if not request.url.path.startswith("/static/"):
            response.headers.setdefault("Cache-Control", "no-store")
        return response

    @app.exception_handler(LoginRequired)
    async def _login_required(request: Request, exc: LoginRequired):
        if request.url.path.startswith(("/api/", "/chat/send")):
            return JSONResponse({"error": "login_required"}, status_code=401)
        return RedirectResponse("/login", status_code=303)

    @app.exception_handler(Forbidden)
    async def _forbidden(request: Request, exc: Forbidden):
        if request.url.path.startswith(("/api/", "/chat/send")):
            return JSONResponse({"error": "forbidden"}, status_code=403)
        return templates.TemplateResponse(
            request, "error.html", {"title": "Sin acceso", "message": "Tu rol no permite ver esta página."}, status_code=403
        )

    @app.get("/health")
    async def health() -> JSONResponse:
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

    @app.get("/login", response_class=HTMLResponse)
    async def login_form(request: Request):
        token = secrets.token_urlsafe(24)
        response = templates.TemplateResponse(request, "login.html", {"csrf": token, "error": None})
        response.set_cookie(LOGIN_CSRF_COOKIE, token, max_age=1800, **_cookie_args(settings))
        return response

    @app.post("/login")
    def login(request: Request, username: str = Form(""), password: str = Form(""), csrf: str = Form("")):
        cookie = request.cookies.get(LOGIN_CSRF_COOKIE, "")
        if not cookie or not secrets.compare_digest(cookie, csrf):
            return templates.TemplateResponse(
                request, "login.html", {"csrf": cookie or "", "error": "La sesión del formulario expiró. Vuelve a intentarlo."},
                status_code=400,
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
                request, "login.html", {"csrf": cookie, "error": message}, status_code=401 if result.reason != "locked" else 423
            )
        response = RedirectResponse("/", status_code=303)
        response.set_cookie(SESSION_COOKIE, token, **_cookie_args(settings))
        response.delete_cookie(LOGIN_CSRF_COOKIE, path="/")
        return response

    @app.post("/logout")
    def logout(request: Request, csrf: str = Form(""), row: ConsoleSession = Depends(current_session)):
        if not check_csrf(row, csrf):
            return Response("CSRF token inválido", status_code=400)
        with session_scope() as db:
            users.end_session(db, request.cookies.get(SESSION_COOKIE))
        response = RedirectResponse("/login", status_code=303)
        response.delete_cookie(SESSION_COOKIE, path="/")
        return response

    @app.get("/", response_class=HTMLResponse)
    def home(request: Request, row: ConsoleSession = Depends(current_session)):
        return templates.TemplateResponse(request, "home.html", _page(row, settings))

    @app.get("/chat", response_class=HTMLResponse)
    def chat_page(request: Request, row: ConsoleSession = Depends(require("use_chat"))):
        response = templates.TemplateResponse(request, "chat.html", _page(row, settings))
        if not request.cookies.get(CHAT_COOKIE):
            response.set_cookie(CHAT_COOKIE, secrets.token_urlsafe(16), **_cookie_args(settings))
        return response

    @app.post("/chat/send")
    async def chat_send(request: Request, row: ConsoleSession = Depends(require("use_chat"))):
        if not check_csrf(row, request.headers.get("X-CSRF-Token")):
            return JSONResponse({"error": "csrf"}, status_code=400)
        chat_id = request.cookies.get(CHAT_COOKIE)
        if not chat_id:
            return JSONResponse({"error": "no_chat"}, status_code=400)
        try:
            body = await request.json()
        except ValueError:
            return JSONResponse({"error": "bad_json"}, status_code=400)
        message = body.get("message") if isinstance(body, dict) else None
        if not isinstance(message, str):
            return JSONResponse({"error": "message must be text"}, status_code=422)
        sender = "web-" + pseudonym("web", chat_id)
        async with httpx.AsyncClient() as client:
            try:
                replies = await rasa_client.send_async(client, sender, message[:MAX_CHAT_CHARS], {"channel": "web"}, settings)
            except rasa_client.RasaUnavailable:
                return JSONResponse(
                    {"messages": [{"text": "El asistente no está disponible en este momento. Intenta de nuevo en unos minutos."}],
                     "error": "assistant_unavailable"},
                    status_code=503,
                )
        return JSONResponse({"messages": [_chat_message(r) for r in replies]})

    return app


def _chat_message(reply: dict) -> dict:
    return {
        "text": reply.get("text") or "",
        "buttons": [
            {"title": b.get("title", ""), "payload": b.get("payload", "")}
            for b in reply.get("buttons") or []
            if isinstance(b, dict)
        ],
    }


def _page(row: ConsoleSession, settings: Settings, **extra: Any) -> dict[str, Any]:
    role = row.user.role
    nav = [("/", "Inicio")]
    if allowed(role, "use_chat"):
        nav.append(("/chat", "Probar el asistente"))
    return {"user": row.user, "role": role, "csrf": row.csrf_token, "nav": nav, "settings": settings, **extra}
