"""A person sends their case code: the status in their language, never the details."""
from __future__ import annotations

import math
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.common import in_thread, language_of, latest_text, sender_pseudonym, values
from bot.cases import intake, lookup
from bot.cases.codes import examine_code


def _text(group: str, key: str, lang: str, **extra: str) -> str:
    return intake.texts()[group][key][lang if lang in ("es", "qu") else "es"].format(**{**values(), **extra})


class ValidateCaseStatusForm(FormValidationAction):
    def name(self) -> str:
        return "validate_case_status_form"

    async def validate_case_code(self, value, dispatcher, tracker, domain) -> dict[str, Any]:
        text = str(value or latest_text(tracker))
        if intake.is_stop(text) or intake.is_skip(text):
            return {"case_code": "none"}
        parsed = examine_code(text)
        if parsed.code:
            return {"case_code": parsed.code}
        # Hand the malformed code to the answer action: it counts toward nothing and
        # explains what is wrong (guessing limits apply only to well-formed codes).
        return {"case_code": "malformed:" + (parsed.problem or "none")}


class ActionCaseStatus(Action):
    def name(self) -> str:
        return "action_case_status"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list:
        lang = language_of(tracker)
        code = tracker.get_slot("case_code") or ""
        reset = [SlotSet("case_code", None)]
        if code == "none":
            dispatcher.utter_message(response="utter_anything_else")
            return reset
        if code.startswith("malformed:"):
            problem = code.split(":", 1)[1]
            key = {"confusable": "confusable", "several": "several"}.get(problem, "malformed")
            dispatcher.utter_message(text=_text("case_status", key, lang))
            return reset
        answer = await in_thread(lookup.case_status_for_code, code, sender_pseudonym(tracker))
        if answer.kind == "found":
            status = _text("status_messages", answer.status, lang)
            dispatcher.utter_message(text=_text("case_status", "found", lang, code=code, status=status))
        elif answer.kind == "slow_down":
            minutes = str(max(1, math.ceil(answer.retry_after / 60)))
            dispatcher.utter_message(text=_text("case_status", "slow_down", lang, minutes=minutes))
        elif answer.kind == "malformed":
            key = {"confusable": "confusable", "several": "several"}.get(answer.problem or "", "malformed")
            dispatcher.utter_message(text=_text("case_status", key, lang))
        else:
            dispatcher.utter_message(text=_text("case_status", "unknown", lang))
        return reset


class ActionAskCaseCode(Action):
    def name(self) -> str:
        return "action_ask_case_code"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list:
        dispatcher.utter_message(text=_text("case_status", "ask_code", language_of(tracker)))
        return []
