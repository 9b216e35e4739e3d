"""Low confidence, out of scope or unreadable input: a kind reply and the menu, never a dead end."""
from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import UserUtteranceReverted
from rasa_sdk.executor import CollectingDispatcher

from actions.common import in_thread, language_of, latest_intent, latest_text, say, values
from bot.classroom.play import reprompt as classroom_reprompt
from bot.content import menu
from bot.content.replies import reply
from bot.content.topics import render
from bot.language.detect import detect

logger = logging.getLogger(__name__)


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
        # A student in a class session: whatever was not understood, the question again.
        try:
            class_bubbles = await in_thread(classroom_reprompt, tracker.sender_id)
        except Exception as exc:  # noqa: BLE001 - a database hiccup must not silence the assistant
            logger.error("could not look up a class session: %s", type(exc).__name__)
            class_bubbles = None
        if class_bubbles:
            for bubble in class_bubbles:
                dispatcher.utter_message(text=bubble["text"], buttons=bubble.get("buttons") or [])
            return [UserUtteranceReverted()]
        return await self.menu(dispatcher, tracker)

    async def menu(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> list:
        text = latest_text(tracker)
        lang = language_of(tracker)
        kind = kind_of_input(text, detect(text[:2000]).lang)
        intent, _ = latest_intent(tracker)
        if kind == "unclear" and intent == "out_of_scope":
            kind = "out_of_scope"
        first = kind if kind in ("no_text", "other_language", "out_of_scope") else "not_understood"
        dispatcher.utter_message(text=reply(first, lang))
        say(dispatcher, render("help_menu", lang, "short", values()), menu.menu_buttons(lang))
        # Forget the unclear message so a flow in progress continues as before.
        return [UserUtteranceReverted()]
