"""Rasa tracker and lock stores that follow Willakuy's settings.

endpoints.yml names these classes, so the Rasa server uses the same DATABASE_URL and
REDIS_URL as everything else, with no second place to configure them.

The tracker store encrypts each event's JSON (it holds what people wrote) with the field
keys; intent and action names stay readable for statistics. Only Rasa imports this module.
"""
from __future__ import annotations

import json
import logging
from typing import Any, Optional, Text

from rasa.core.lock_store import InMemoryLockStore, LockStore, RedisLockStore
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY
from rasa.utils.endpoints import EndpointConfig

from bot import rasa_speedups
from bot.config import get_settings
from bot.privacy import crypto

rasa_speedups.apply()

logger = logging.getLogger(__name__)


def encode_event(data: dict[str, Any]) -> str:
    return crypto.encrypt(json.dumps(data))


def decode_event(stored: str) -> dict[str, Any]:
    # Rows written before encryption was switched on are plain JSON.
    if stored.startswith(crypto.PREFIX):
        return json.loads(crypto.decrypt(stored))
    return json.loads(stored)


class DatabaseTrackerStore(SQLTrackerStore):
    """SQLTrackerStore on DATABASE_URL, with event data encrypted at rest."""

    def __init__(self, domain: Optional[Domain] = None, host: Optional[Text] = None, **kwargs: Any) -> None:
        for unused in ("dialect", "port", "db", "username", "password", "url"):
            kwargs.pop(unused, None)
        # A full URL in `host` is passed straight to SQLAlchemy by SQLTrackerStore.
        super().__init__(domain=domain, host=get_settings().database_url, **kwargs)

    async def save(self, tracker: DialogueStateTracker) -> None:
        await self.stream_events(tracker)
        with self.session_scope() as session:
            for event in self._additional_events(session, tracker):
                data = event.as_dict()
                session.add(
                    self.SQLEvent(
                        sender_id=tracker.sender_id,
                        type_name=event.type_name,
                        timestamp=data.get("timestamp"),
                        intent_name=data.get("parse_data", {}).get("intent", {}).get(INTENT_NAME_KEY),
                        action_name=data.get("name"),
                        data=encode_event(data),
                    )
                )
            session.commit()

    async def _retrieve(self, sender_id: Text, fetch_events_from_all_sessions: bool) -> Optional[DialogueStateTracker]:
        with self.session_scope() as session:
            rows = self._event_query(
                session, sender_id, fetch_events_from_all_sessions=fetch_events_from_all_sessions
            ).all()
            events = [decode_event(row.data) for row in rows]
        if self.domain and events:
            return DialogueStateTracker.from_dict(sender_id, events, self.domain.slots)
        return None


class SettingsLockStore(LockStore):
    """Redis lock store when REDIS_URL is set (several Rasa replicas), else in memory."""

    def __new__(cls, endpoint_config: Optional[EndpointConfig] = None) -> LockStore:  # type: ignore[misc]
        url = get_settings().redis_url
        if not url:
            return InMemoryLockStore()
        from urllib.parse import urlsplit

        parts = urlsplit(url)
        db = int(parts.path.lstrip("/") or 0)
        return RedisLockStore(
            host=parts.hostname or "localhost",
            port=parts.port or 6379,
            db=db,
            username=parts.username,
            password=parts.password,
            use_ssl=parts.scheme == "rediss",
            key_prefix="willakuy",
        )
