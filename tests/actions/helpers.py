"""Trackers as the action server receives them, and a way to run an action."""
from __future__ import annotations

import asyncio
import secrets
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher


def make_tracker(text: str, *, intent: str = "greet", confidence: float = 0.95, slots: dict | None = None,
                 entities: list | None = None, sender: str | None = None, channel: str = "rest",
                 metadata: dict | None = None, history: list | None = None, active_loop: str | None = None,
                 requested_slot: str | None = None) -> Tracker:
    user = {"event": "user", "text": text, "timestamp": 10.0, "input_channel": channel, "metadata": metadata or {},
            "parse_data": {"intent": {"name": intent, "confidence": confidence}, "entities": entities or []}}
    events = [{"event": "session_started", "timestamp": 1.0}, *(history or []), user]
    all_slots = {"language": None, **(slots or {})}
    if requested_slot:
        all_slots["requested_slot"] = requested_slot
    return Tracker(
        sender or f"t-{secrets.token_hex(4)}", all_slots,
        {"text": text, "intent": {"name": intent, "confidence": confidence}, "entities": entities or []},
        events, False, None, {"name": active_loop} if active_loop else {}, "action_listen",
    )


def run(action, tracker: Tracker) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(messages sent, events returned)."""
    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, tracker, {}))
    return dispatcher.messages, events


def validate(form, slot: str, value: Any, tracker: Tracker) -> tuple[list[dict], dict]:
    dispatcher = CollectingDispatcher()
    result = asyncio.run(getattr(form, f"validate_{slot}")(value, dispatcher, tracker, {}))
    return dispatcher.messages, result


def slots_of(events: list[dict]) -> dict[str, Any]:
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}
