"""Spanish labels for codes: taxonomy values, priorities, regions, timeline actions, times.

The taxonomy's own labels come from ``bot.cases.definitions`` (the case's version); the
console only adds words for things that are not taxonomy values.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

from bot.cases import places
from bot.cases.definitions import load

PERU = timezone(timedelta(hours=-5), "America/Lima")

PRIORITIES = {
    "P1": {"label": "P1 · Urgente ahora", "short": "P1", "icon": "⚠", "hint": "Atender de inmediato"},
    "P2": {"label": "P2 · Hoy", "short": "P2", "icon": "◆", "hint": "Atender el mismo día"},
    "P3": {"label": "P3 · Normal", "short": "P3", "icon": "●", "hint": "Atención regular"},
}

ROLE_LABELS = {"operator": "Operador(a)", "supervisor": "Supervisor(a)", "admin": "Administración",
               "teacher": "Docente"}

ORIGINS = {"bot": "Asistente", "offline": "Registro manual", "screener": "Revisión de oferta"}

# Timeline (case_events) and audit_log actions.
ACTIONS = {
    "class_session_created": "Sesión de clase creada",
    "class_session_ended": "Sesión de clase terminada",
    "class_summary_viewed": "Resumen de clase visto",
    "created": "Caso creado",
    "classified": "Clasificación sugerida",
    "claimed": "Caso tomado",
    "released": "Caso liberado",
    "reassigned": "Caso reasignado",
    "status_changed": "Cambio de estado",
    "reclassified": "Reclasificado",
    "note_added": "Nota",
    "derivation_added": "Derivación",
    "viewed": "Caso visto",
    "operator_requested": "Pidió hablar con una persona",
    "handed_back": "Devuelto al asistente",
    "taken_over": "Conversación tomada por operador(a)",
    "operator_replied": "Respuesta al usuario",
    "code_alias_added": "Código adicional",
    "purged": "Datos personales borrados (retención)",
    "login.ok": "Ingreso",
    "login.failed": "Ingreso fallido",
    "login.refused_locked": "Ingreso rechazado (cuenta bloqueada)",
    "login.refused_inactive": "Ingreso rechazado (cuenta desactivada)",
    "logout": "Salida",
    "logout.idle": "Salida por inactividad",
    "user.created": "Usuario creado",
    "user.locked": "Cuenta bloqueada",
    "user.unlocked": "Cuenta desbloqueada",
    "user.activated": "Cuenta activada",
    "user.deactivated": "Cuenta desactivada",
    "user.password_reset": "Contraseña restablecida",
    "user.role_changed": "Rol cambiado",
    "token.created": "Token de API creado",
    "token.revoked": "Token de API revocado",
    "directory.changed": "Directorio de derivación modificado",
    "stats.exported": "Estadísticas exportadas",
    "cases.purged": "Purga por retención",
}

HANDOFF_REASONS = {"asked": "lo pidió", "emergency": "emergencia", "report": "denuncia",
                   "bot_failed": "el asistente no entendió", "operator": "operador(a)"}


def vocab(name: str, version: str = "v1"):
    return load(version)[name]


def label(name: str, code: str | None, version: str = "v1") -> str:
    """The Spanish label of a taxonomy code; the code itself if it is unknown."""
    if code is None or code == "":
        return "—"
    try:
        return load(version)[name].label(code, "es")
    except KeyError:
        return str(code)


def subtype_label(category: str, subtype: str | None, version: str = "v1") -> str:
    if not subtype:
        return ""
    for value in load(version)["categories"].get(category).subtypes:
        if value.code == subtype:
            return value.text("es")
    return subtype


def options(name: str, version: str = "v1") -> list[tuple[str, str]]:
    return [(v.code, v.text("es")) for v in load(version)[name]]


def region_label(code: str | None) -> str:
    if not code or code == "sin_dato":
        return "Sin dato"
    if code == "extranjero":
        return "Extranjero"
    place = places.lookup(code)
    return place.label if place else code


def regions() -> list[tuple[str, str]]:
    return [(p.ubigeo, p.departamento) for p in places.departments()] + [("extranjero", "Extranjero")]


def action_label(action: str) -> str:
    return ACTIONS.get(action, action)


def peru_time(value: datetime | None, with_time: bool = True) -> str:
    if value is None:
        return "—"
    if isinstance(value, datetime):
        local = value.astimezone(PERU)
        return local.strftime("%d/%m/%Y %H:%M") if with_time else local.strftime("%d/%m/%Y")
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    return str(value)


def age(value: datetime | None, now: datetime | None = None) -> str:
    """How long ago, in short Spanish: "hace 5 min", "hace 3 h", "hace 2 d"."""
    if value is None:
        return "—"
    seconds = max(0, int(((now or datetime.now(timezone.utc)) - value).total_seconds()))
    if seconds < 60:
        return "hace menos de 1 min"
    if seconds < 3600:
        return f"hace {seconds // 60} min"
    if seconds < 86400:
        return f"hace {seconds // 3600} h"
    return f"hace {seconds // 86400} d"


def duration(seconds: float | None) -> str:
    if seconds is None:
        return "—"
    seconds = int(round(seconds))
    if seconds < 3600:
        return f"{seconds // 60} min"
    if seconds < 86400:
        return f"{seconds // 3600} h {seconds % 3600 // 60:02d} min"
    return f"{seconds // 86400} d {seconds % 86400 // 3600} h"


def yes_no(value: bool | None) -> str:
    return "No se sabe" if value is None else ("Sí" if value else "No")
