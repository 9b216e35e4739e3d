"""Danger now: the numbers first, then a P1 case and an operator, then the questions."""
from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.common import language_of, latest_text
from actions.urgent import emergency_numbers, open_urgent_case


class ActionEmergency(Action):
    def name(self) -> str:
        return "action_emergency"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list:
        emergency_numbers(dispatcher, language_of(tracker))
        events = await open_urgent_case(dispatcher, tracker, {"report_what": latest_text(tracker)})
        # What they wrote is the first answer; the form goes on with the next questions.
        return events + [SlotSet("report_what", latest_text(tracker)), SlotSet("report_now", "danger")]
