"""Low confidence, out of scope or unreadable input: a kind reply and the menu, never a dead end."""
from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import UserUtteranceReverted
from rasa_sdk.executor import CollectingDispatcher

from actions.common import latest_text
from bot.language.detect import detect


def kind_of_input(text: str, detected: str) -> str:
    """no_text (empty, emoji, "?"), other_language, or unclear."""
    if not any(ch.isalpha() for ch in text):
        return "no_text"
    if detected not in ("es", "qu", "und"):
        return "other_language"
    return "unclear"


class ActionFallback(Action):
    def name(self) -> str:
        return "action_fallback"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list:
        text = latest_text(tracker)
        detection = (tracker.latest_message or {}).get("language_detection") or {}
        lang = detection.get("lang") or detect(text).lang
        kind = kind_of_input(text, lang)
        first = {"no_text": "utter_no_text", "other_language": "utter_other_language"}.get(kind, "utter_not_understood")
        dispatcher.utter_message(response=first)
        dispatcher.utter_message(response="utter_help_menu")
        # Forget the unclear message so a form or flow in progress continues as before.
        return [UserUtteranceReverted()]
