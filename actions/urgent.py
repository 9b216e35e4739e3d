"""Opening a case at once when there is danger now, and calling an operator."""
from __future__ import annotations

import logging

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.common import case_channel, in_thread, language_of, loop_started_at, session_started_at, say, values
from bot.cases import handoff, intake, store
from bot.content.topics import render

logger = logging.getLogger(__name__)


def emergency_numbers(dispatcher: CollectingDispatcher, lang: str) -> None:
    """The numbers come first, before any question (one bubble, from configuration)."""
    say(dispatcher, render("emergency", lang, "short", values()))


async def open_urgent_case(dispatcher: CollectingDispatcher, tracker: Tracker, answers: dict | None = None) -> list:
    """Create (once per session) a P1 case and ask for an operator; tell the person its code."""
    lang = language_of(tracker)
    existing = tracker.get_slot("report_case_id")
    if existing:
        return [SlotSet("report_emergency", True)]
    report = intake.build_report(answers or {}, channel=case_channel(tracker), language=lang, emergency=True)
    key = f"urgent:{tracker.sender_id}:{session_started_at(tracker)}"
    try:
        result = await in_thread(
            store.submit_report, report, conversation_id=tracker.sender_id, channel=case_channel(tracker),
            language=lang, idempotency_key=key, narrative=(answers or {}).get("report_what") or None,
        )
    except store.SubmitFailed:
        # Neither the database nor the spool took it: the numbers were already given.
        return [SlotSet("report_emergency", True)]
    try:
        if not result.spooled:
            await in_thread(handoff.request_operator, reason="emergency", case_id=result.case_id)
    except Exception as exc:  # noqa: BLE001 - the case exists; the queue shows it as P1 anyway
        logger.error("could not flag the case for an operator: %s", type(exc).__name__)
    dispatcher.utter_message(text=intake.message("emergency_case", lang, code=result.case_code))
    return [SlotSet("report_emergency", True), SlotSet("report_case_id", result.case_id)]


def form_key(tracker: Tracker) -> str:
    return f"report:{tracker.sender_id}:{loop_started_at(tracker, 'report_form')}"
