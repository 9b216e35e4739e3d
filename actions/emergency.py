"""Danger now: the numbers first, before any question."""
from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from bot.config import template_values


class ActionEmergency(Action):
    def name(self) -> str:
        return "action_emergency"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list:
        dispatcher.utter_message(response="utter_emergency", **template_values())
        dispatcher.utter_message(response="utter_emergency_followup")
        return []
