"""Small helpers shared by the actions."""
from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker

DEFAULT_LANGUAGE = "es"


def language_of(tracker: Tracker) -> str:
    return tracker.get_slot("language") or DEFAULT_LANGUAGE


def channel_of(tracker: Tracker) -> str:
    metadata = last_user_metadata(tracker)
    return str(metadata.get("channel") or tracker.get_latest_input_channel() or "unknown")


def last_user_metadata(tracker: Tracker) -> dict[str, Any]:
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            metadata = event.get("metadata") or {}
            return metadata if isinstance(metadata, dict) else {}
    return {}


def latest_text(tracker: Tracker) -> str:
    """What the person actually wrote (the NLU may have normalised parse_data's text)."""
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            return event.get("text") or ""
    return (tracker.latest_message or {}).get("text") or ""
