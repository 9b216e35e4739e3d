"""Who may do what in the console, as data, checked in one place (`decide`).

Pages and the JSON API call the same function, so a role can never do through one what
the other refuses. Two kinds of rule, both data:

- ``PERMISSIONS``: which roles may use a feature at all. Teachers appear in no case
  permission: they never see a case, its queue or its statistics.
- ``HOLDER_BOUND``: features that act on one case also need the user to *hold* that case
  (claim it first), unless the role has the override permission named here. This is
  Aselo's "isOwner or isSupervisor" condition.
"""
from __future__ import annotations

from dataclasses import dataclass

ROLES = ("operator", "supervisor", "admin", "teacher")
STAFF = frozenset({"operator", "supervisor", "admin"})
SUPERVISORS = frozenset({"supervisor", "admin"})

PERMISSIONS: dict[str, frozenset[str]] = {
    "use_console": frozenset(ROLES),   # logged in: home page, keep-alive
    "use_chat": frozenset(ROLES),
    "view_queue": STAFF,
    "view_case": STAFF,
    "claim_case": STAFF,
    "work_case": STAFF,            # reply, note, status, derivation, take over, hand back
    "act_on_any_case": SUPERVISORS,  # work a case without holding it
    "reassign_case": SUPERVISORS,
    "record_offline": STAFF,
    "view_directory": STAFF,
    "manage_directory": SUPERVISORS,
    "view_load": SUPERVISORS,
    "view_statistics": SUPERVISORS,
    "view_audit": SUPERVISORS,
    "view_settings": SUPERVISORS,
    "manage_users": frozenset({"admin"}),
    "manage_settings": frozenset({"admin"}),
    "run_classroom": frozenset({"teacher", "admin"}),
}

# permission -> the permission that lifts the "must hold the case" condition
HOLDER_BOUND: dict[str, str] = {"work_case": "act_on_any_case"}

# Why a request was refused, in Spanish, for pages and API error bodies.
REFUSALS = {
    "role": "Tu rol no permite esta acción.",
    "not_holder": "Primero toma el caso: solo quien lo tiene asignado puede trabajarlo.",
}


@dataclass(frozen=True)
class Decision:
    ok: bool
    reason: str | None = None      # "role" | "not_holder"

    @property
    def message(self) -> str:
        return REFUSALS.get(self.reason or "", "")


_UNSET = object()


def allowed(role: str, permission: str) -> bool:
    try:
        return role in PERMISSIONS[permission]
    except KeyError:
        raise KeyError(f"unknown permission {permission!r}") from None


def decide(role: str, permission: str, *, user_id: int | None = None, holder_id=_UNSET) -> Decision:
    """May a user with ``role`` use ``permission``; on a case held by ``holder_id`` if given?"""
    if not allowed(role, permission):
        return Decision(False, "role")
    override = HOLDER_BOUND.get(permission)
    if override and holder_id is not _UNSET and not allowed(role, override):
        if holder_id is None or holder_id != user_id:
            return Decision(False, "not_holder")
    return Decision(True)
