"""The conversation's language: set on every message from the NLU's detection, the
person's explicit choice and the channel's hint, through bot.language.policy."""
from __future__ import annotations

import asyncio
import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.common import channel_of, last_user_metadata, latest_text
from actions.offers import stale_offer_question
from bot import contacts
from bot.cases.intake import OPTION_PREFIX
from bot.language.detect import detect
from bot.language.policy import decide, parse_language_request

logger = logging.getLogger(__name__)


def explicit_choice(tracker: Tracker, text: str) -> str | None:
    for entity in (tracker.latest_message or {}).get("entities") or []:
        if entity.get("entity") == "language" and entity.get("value") in ("es", "qu"):
            return entity["value"]
    return parse_language_request(text)


class ActionDetectLanguage(Action):
    def name(self) -> str:
        return "action_detect_language"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list:
        text = latest_text(tracker)
        current = tracker.get_slot("language")
        metadata = last_user_metadata(tracker)
        chosen_now = explicit_choice(tracker, text)
        # An explicit choice sticks: it is passed again on every later message.
        chosen = chosen_now or tracker.get_slot("language_chosen")
        # A tapped button ("opt:…", "/intent") says nothing about the language typed.
        is_payload = text.startswith(("/", OPTION_PREFIX))
        decision = decide(
            detect("" if is_payload else text[:2000]),
            current=current,
            explicit=chosen,
            channel_hint=metadata.get("language_code"),
        )
        try:
            await asyncio.to_thread(
                contacts.record, tracker.sender_id, channel_of(tracker), decision.lang, language_source=decision.reason
            )
        except Exception as exc:  # noqa: BLE001 - a database hiccup must not silence the assistant
            # Only the type: driver messages can carry SQL parameters.
            logger.error("could not record contact: %s", type(exc).__name__)
        events = [SlotSet("language", decision.lang)] if decision.lang != current else []
        if chosen_now and chosen_now != tracker.get_slot("language_chosen"):
            events.append(SlotSet("language_chosen", chosen_now))
        if stale_offer_question(tracker):
            # "Sí" later in the conversation must not open a case about an old offer.
            events.append(SlotSet("offer_case_pending", False))
        return events
