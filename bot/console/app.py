"""The operator console: a FastAPI app with server-rendered Spanish pages and a JSON API.

Sessions live in the database (cookie holds a random token, the table only its hash),
so logout, idle timeout and lockout take effect at once on every replica. Routes are
grouped by area in ``*_routes.py``; the API is ``api.py``; who may do what is
``permissions.py``.
"""
from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles

from bot.config import Settings, get_settings
from bot.console import (
    admin_routes, api, audit_routes, case_routes, chat_routes, classroom_routes, directory, directory_routes,
    offline_routes,
    queue_routes, session_routes, stats_routes, supervision_routes,
)
from bot.console.auth import SESSION_COOKIE, CsrfFailed, Forbidden, LoginRequired  # noqa: F401 - re-exported
from bot.console.casework import CaseworkError
from bot.console.permissions import REFUSALS
from bot.console.web import HERE, page

logger = logging.getLogger(__name__)

SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}

# Paths answered with JSON errors instead of pages.
JSON_PATHS = ("/api/", "/chat/send", "/chat/poll", "/queue/poll", "/session/")


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith(JSON_PATHS)


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    app = FastAPI(
        title="Willakuy — consola de operadores",
        description="API de la consola (cola, casos, respuestas, derivaciones, estadísticas). "
                    "Autenticación: `Authorization: Bearer <token>` (crear con `willakuy console token create USUARIO`).",
        version="1",
        docs_url=None, redoc_url=None, openapi_url="/api/openapi.json",
    )
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")
    app.state.settings = settings

    @app.on_event("startup")
    def _seed_directory() -> None:
        try:
            directory.ensure_seeded()
        except Exception as exc:  # noqa: BLE001 - an unmigrated database must not stop /health
            logger.warning("derivation directory not seeded (%s)", type(exc).__name__)

    @app.middleware("http")
    async def security_headers(request: Request, call_next):
        response = await call_next(request)
        for key, value in SECURITY_HEADERS.items():
            response.headers.setdefault(key, value)
        if not request.url.path.startswith(("/static/", "/sounds/")):
            response.headers.setdefault("Cache-Control", "no-store")
        return response

    @app.exception_handler(LoginRequired)
    async def _login_required(request: Request, exc: LoginRequired):
        if _wants_json(request):
            return JSONResponse({"error": "login_required"}, status_code=401)
        return RedirectResponse("/login", status_code=303)

    @app.exception_handler(Forbidden)
    async def _forbidden(request: Request, exc: Forbidden):
        message = REFUSALS.get(exc.reason, REFUSALS["role"])
        if _wants_json(request):
            return JSONResponse({"error": "forbidden", "reason": exc.reason, "message": message}, status_code=403)
        return page(request, None, "error.html", status_code=403, title="Sin acceso", message=message)

    @app.exception_handler(CsrfFailed)
    async def _csrf(request: Request, exc: CsrfFailed):
        if _wants_json(request):
            return JSONResponse({"error": "csrf"}, status_code=400)
        return Response("CSRF token inválido: recarga la página e inténtalo otra vez.", status_code=400,
                        media_type="text/plain; charset=utf-8")

    @app.exception_handler(CaseworkError)
    async def _casework(request: Request, exc: CaseworkError):
        if _wants_json(request):
            return JSONResponse({"error": exc.code, "message": exc.message}, status_code=exc.status)
        return page(request, None, "error.html", status_code=exc.status, title="No se pudo", message=exc.message)

    for module in (session_routes, queue_routes, case_routes, offline_routes, supervision_routes, stats_routes,
                   audit_routes, directory_routes, admin_routes, chat_routes, classroom_routes):
        app.include_router(module.router)
    app.include_router(api.router, prefix="/api/v1")
    return app
