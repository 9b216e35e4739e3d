"""The general audit log: logins, lockouts, user and settings changes (case changes go to case_events)."""
from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from bot.db.models import AuditLog


def record(
    db: Session,
    action: str,
    *,
    actor_id: int | None = None,
    object_type: str | None = None,
    object_id: str | int | None = None,
    details: dict[str, Any] | None = None,
) -> None:
    db.add(
        AuditLog(
            action=action,
            actor_id=actor_id,
            object_type=object_type,
            object_id=None if object_id is None else str(object_id),
            details=details,
        )
    )
