"""Who may do what in the console, as data (checked in one place: `allowed`)."""
from __future__ import annotations

STAFF = frozenset({"operator", "supervisor", "admin"})

PERMISSIONS: dict[str, frozenset[str]] = {
    "use_chat": frozenset({"operator", "supervisor", "admin", "teacher"}),
    "view_queue": STAFF,
    "view_case": STAFF,
    "work_case": STAFF,
    "reassign_case": frozenset({"supervisor", "admin"}),
    "view_statistics": frozenset({"supervisor", "admin"}),
    "view_audit": frozenset({"supervisor", "admin"}),
    "manage_users": frozenset({"admin"}),
    "manage_settings": frozenset({"admin"}),
    "run_classroom": frozenset({"teacher", "admin"}),
}


def allowed(role: str, permission: str) -> bool:
    try:
        return role in PERMISSIONS[permission]
    except KeyError:
        raise KeyError(f"unknown permission {permission!r}") from None
