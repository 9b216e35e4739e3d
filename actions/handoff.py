"""The person asks for a human: the case waits for an operator (the bot keeps helping meanwhile)."""
from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.common import case_channel, in_thread, language_of, values
from bot.cases import handoff, intake

logger = logging.getLogger(__name__)


async def call_operator(dispatcher: CollectingDispatcher, tracker: Tracker, reason: str = "asked") -> None:
    lang = language_of(tracker)
    try:
        await in_thread(handoff.request_operator, reason=reason, conversation_id=tracker.sender_id,
                        channel=case_channel(tracker), language=lang)
    except Exception as exc:  # noqa: BLE001 - still give the numbers
        logger.error("could not queue the conversation for an operator: %s", type(exc).__name__)
    dispatcher.utter_message(text=intake.message("operator_called", lang, **values()))


class ActionTalkToHuman(Action):
    def name(self) -> str:
        return "action_talk_to_human"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list:
        await call_operator(dispatcher, tracker)
        return []
