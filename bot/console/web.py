"""Templates and what every page needs (user, CSRF token, navigation by role)."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.templating import Jinja2Templates

from bot.config import get_settings
from bot.console import labels
from bot.console.auth import Actor
from bot.console.permissions import allowed

HERE = Path(__file__).resolve().parent
templates = Jinja2Templates(directory=str(HERE / "templates"))
env = templates.env
env.globals.update(
    label=labels.label, region_label=labels.region_label, action_label=labels.action_label,
    subtype_label=labels.subtype_label, priorities=labels.PRIORITIES, role_labels=labels.ROLE_LABELS,
    origins=labels.ORIGINS, yes_no=labels.yes_no, allowed=allowed,
)
env.filters.update(peru_time=labels.peru_time, age=labels.age, duration=labels.duration)

# (path, label, permission); the first matching prefix marks the current page.
NAV = (
    ("/", "Inicio", None),
    ("/queue", "Cola", "view_queue"),
    ("/cases/new", "Registrar contacto", "record_offline"),
    ("/supervision", "Carga de trabajo", "view_load"),
    ("/stats", "Estadísticas", "view_statistics"),
    ("/audit", "Auditoría", "view_audit"),
    ("/directory", "Directorio", "view_directory"),
    ("/admin/users", "Usuarios", "manage_users"),
    ("/admin/settings", "Números y contenido", "view_settings"),
    ("/classroom", "Clases", "run_classroom"),
    ("/chat", "Probar el asistente", "use_chat"),
)


def nav_for(role: str) -> list[tuple[str, str]]:
    return [(path, text) for path, text, perm in NAV if perm is None or allowed(role, perm)]


def current_nav(path: str, items: list[tuple[str, str]]) -> str | None:
    best = None
    for href, _ in items:
        if path == href or (href != "/" and path.startswith(href + "/")) or (href != "/" and path == href):
            if best is None or len(href) > len(best):
                best = href
    return best


def page(request: Request, actor: Actor | None, template: str, status_code: int = 200, **extra: Any):
    """Render a page with the values the base template needs."""
    settings = get_settings()
    items = nav_for(actor.role) if actor else []
    context = {
        "user": actor,
        "role": actor.role if actor else None,
        "csrf": actor.csrf if actor else None,
        "nav": items,
        "nav_current": current_nav(request.url.path, items),
        "settings": settings,
        "idle_seconds": settings.session_idle_minutes * 60,
        **extra,
    }
    return templates.TemplateResponse(request, template, context, status_code=status_code)
