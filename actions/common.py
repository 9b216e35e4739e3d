"""Small helpers shared by the actions."""
from __future__ import annotations

import asyncio
import functools
from typing import Any, Callable, TypeVar

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from bot.cases.intake import report_channel
from bot.config import template_values
from bot.privacy.pseudonym import pseudonym

DEFAULT_LANGUAGE = "es"
T = TypeVar("T")


def language_of(tracker: Tracker) -> str:
    return tracker.get_slot("language") or DEFAULT_LANGUAGE


def channel_of(tracker: Tracker) -> str:
    metadata = last_user_metadata(tracker)
    return str(metadata.get("channel") or tracker.get_latest_input_channel() or "unknown")


def case_channel(tracker: Tracker) -> str:
    """The taxonomy's channel code for this conversation (REST, CLI, web chat -> web)."""
    return report_channel(channel_of(tracker))


def sender_pseudonym(tracker: Tracker) -> str:
    return pseudonym(channel_of(tracker), tracker.sender_id)


def last_user_metadata(tracker: Tracker) -> dict[str, Any]:
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            metadata = event.get("metadata") or {}
            return metadata if isinstance(metadata, dict) else {}
    return {}


def latest_text(tracker: Tracker) -> str:
    """What the person actually wrote (the NLU normalises parse_data's text)."""
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            return event.get("text") or ""
    return (tracker.latest_message or {}).get("text") or ""


def latest_intent(tracker: Tracker) -> tuple[str | None, float]:
    intent = (tracker.latest_message or {}).get("intent") or {}
    return intent.get("name"), float(intent.get("confidence") or 0.0)


def last_bot_text(tracker: Tracker) -> str | None:
    for event in reversed(tracker.events):
        if event.get("event") == "bot":
            return event.get("text")
        if event.get("event") == "user":
            continue
    return None


def say(dispatcher: CollectingDispatcher, bubbles: list[str], buttons: list[dict] | None = None) -> None:
    """Send bubbles in order; buttons go with the last one."""
    for i, text in enumerate(bubbles):
        last = i == len(bubbles) - 1
        dispatcher.utter_message(text=text, buttons=buttons if (last and buttons) else [])


def values() -> dict[str, str]:
    return template_values()


async def in_thread(func: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Database work off the action server's event loop."""
    return await asyncio.to_thread(functools.partial(func, *args, **kwargs))


def session_started_at(tracker: Tracker) -> float:
    for event in reversed(tracker.events):
        if event.get("event") == "session_started":
            return float(event.get("timestamp") or 0.0)
    return 0.0


def loop_started_at(tracker: Tracker, loop: str) -> float:
    """When the current run of a form began (a stable id for idempotency keys)."""
    for event in reversed(tracker.events):
        if event.get("event") == "active_loop" and event.get("name") == loop:
            return float(event.get("timestamp") or 0.0)
    return 0.0
