"""The complaint intake form: ask, validate, submit. Parsing lives in bot.cases.intake.

Every answer may be skipped (SALTAR), the person may stop (CANCELAR), correct an answer
before sending, or ask for a human at any point. Danger now is handled the moment it
appears: numbers first, a P1 case, an operator called; then the questions go on.
"""
from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import (
    case_channel, in_thread, language_of, last_bot_text, latest_intent, latest_text, say, values,
)
from actions.handoff import call_operator
from actions.urgent import emergency_numbers, form_key, open_urgent_case
from bot.content.replies import reply
from bot.cases import handoff, intake, store

logger = logging.getLogger(__name__)

ALL_SLOTS = (*intake.QUESTIONS, intake.CONFIRM, intake.FIX, "report_cancelled", "report_emergency",
             "report_case_id")
HUMAN_WORDS = ("operador", "operadora", "persona real", "humano", "runawan", "huk runa")


def answers_of(tracker: Tracker) -> dict[str, Any]:
    return {slot: tracker.get_slot(slot) for slot in intake.QUESTIONS}


def wants_human(tracker: Tracker, text: str) -> bool:
    intent, confidence = latest_intent(tracker)
    plain = intake.plain(text)
    return (intent == "talk_to_human" and confidence >= 0.6) or any(w in plain for w in HUMAN_WORDS)


def says_danger(tracker: Tracker) -> bool:
    intent, confidence = latest_intent(tracker)
    return intent == "emergency" and confidence >= 0.7


class ValidateReportForm(FormValidationAction):
    def name(self) -> str:
        return "validate_report_form"

    async def required_slots(self, domain_slots: list[str], dispatcher: CollectingDispatcher, tracker: Tracker,
                             domain: DomainDict) -> list[str]:
        if tracker.get_slot("report_cancelled"):
            return []
        slots = list(intake.QUESTIONS)
        if tracker.get_slot(intake.CONFIRM) == "fixing":
            slots.append(intake.FIX)
        return slots + [intake.CONFIRM]

    async def _common(self, slot: str, value: Any, dispatcher: CollectingDispatcher,
                      tracker: Tracker) -> dict[str, Any] | None:
        """Commands valid at every question; None when the answer should be parsed."""
        text = str(value or latest_text(tracker))
        lang = language_of(tracker)
        if intake.is_stop(text):
            return {"report_cancelled": True, slot: None}
        if wants_human(tracker, text) and slot != "report_what":
            await call_operator(dispatcher, tracker)
            return {slot: None}
        if says_danger(tracker) and not tracker.get_slot("report_emergency"):
            emergency_numbers(dispatcher, lang)
            events = await open_urgent_case(dispatcher, tracker, {**answers_of(tracker), "report_what": text})
            result = {e["name"]: e["value"] for e in events if e.get("event") == "slot"}
            if slot == "report_what":
                return {**result, slot: text}
            return {**result, slot: None, "report_now": "danger"}
        return None

    def _not_understood(self, slot: str, dispatcher: CollectingDispatcher, tracker: Tracker) -> dict[str, Any]:
        """Ask again once; the second time, move on (never a dead end)."""
        lang = language_of(tracker)
        warning = intake.message("not_understood", lang)
        if last_bot_text(tracker) == warning or (last_bot_text(tracker) or "").startswith(warning):
            return {slot: intake.SKIP}
        dispatcher.utter_message(text=warning)
        return {slot: None}

    async def _validate(self, slot: str, value: Any, dispatcher, tracker, parse) -> dict[str, Any]:
        handled = await self._common(slot, value, dispatcher, tracker)
        if handled is not None:
            return handled
        text = str(value or "")
        parsed = parse(text)
        if parsed is not None:
            return {slot: parsed}
        if intake.is_skip(text):
            return {slot: intake.SKIP}
        return self._not_understood(slot, dispatcher, tracker)

    async def validate_report_what(self, value, dispatcher, tracker, domain) -> dict[str, Any]:
        handled = await self._common("report_what", value, dispatcher, tracker)
        if handled is not None:
            return handled
        # The slot holds the NLU's normalised text (lowercase, no accents); keep the
        # person's own words, exactly as written, for the narrative.
        text = (latest_text(tracker) or str(value or "")).strip()
        if not text or intake.is_skip(text):
            return {"report_what": intake.SKIP}
        return {"report_what": text[:5000]}

    async def validate_report_now(self, value, dispatcher, tracker, domain) -> dict[str, Any]:
        result = await self._validate("report_now", value, dispatcher, tracker, intake.parse_now)
        if result.get("report_now") == "danger" and not tracker.get_slot("report_emergency"):
            emergency_numbers(dispatcher, language_of(tracker))
            events = await open_urgent_case(dispatcher, tracker, answers_of(tracker))
            result.update({e["name"]: e["value"] for e in events if e.get("event") == "slot"})
        return result

    async def validate_report_where(self, value, dispatcher, tracker, domain) -> dict[str, Any]:
        handled = await self._common("report_where", value, dispatcher, tracker)
        if handled is not None:
            return handled
        text = str(value or "")
        if intake.is_skip(text):
            return {"report_where": intake.SKIP}
        place = intake.parse_place(text)
        if place is None:
            # A camp or village not in the INEI list: keep the words for the operator.
            return {"report_where": "text:" + text.strip()[:120]}
        if place.abroad:
            return {"report_where": "abroad"}
        if place.ubigeo:
            return {"report_where": place.ubigeo}
        lang = language_of(tracker)
        buttons = [{"title": label, "payload": f"{intake.OPTION_PREFIX}ubigeo:{code}"} for code, label in place.choices]
        dispatcher.utter_message(text=intake.message("place_choose", lang), buttons=buttons)
        return {"report_where": None}

    async def validate_report_who(self, value, dispatcher, tracker, domain):
        return await self._validate("report_who", value, dispatcher, tracker, intake.parse_who)

    async def validate_report_age(self, value, dispatcher, tracker, domain):
        def parse(text: str) -> str | None:
            found = intake.parse_age(text)
            if found is None:
                return None
            band, years = found
            return f"{band}:{years}" if years is not None else band

        return await self._validate("report_age", value, dispatcher, tracker, parse)

    async def validate_report_purposes(self, value, dispatcher, tracker, domain):
        def parse(text: str) -> str | None:
            found = intake.parse_purposes(text)
            return ",".join(found) if found else None

        return await self._validate("report_purposes", value, dispatcher, tracker, parse)

    async def validate_report_recruitment(self, value, dispatcher, tracker, domain):
        return await self._validate("report_recruitment", value, dispatcher, tracker, intake.parse_recruitment)

    async def validate_report_contact(self, value, dispatcher, tracker, domain):
        return await self._validate("report_contact", value, dispatcher, tracker, intake.parse_contact)

    async def validate_report_confirm(self, value, dispatcher, tracker, domain) -> dict[str, Any]:
        text = str(value or "")
        option = intake.plain(text).removeprefix(intake.OPTION_PREFIX)
        if option == "cancel" or intake.is_stop(text):
            return {"report_cancelled": True, "report_confirm": None}
        if option == "fix" or intake.is_fix(text):
            return {"report_confirm": "fixing", "report_fix": None}
        if option == "send" or intake.parse_contact(text) == "yes" or option in ("enviar", "apachiy"):
            return {"report_confirm": "send"}
        if wants_human(tracker, text):
            await call_operator(dispatcher, tracker)
        return {"report_confirm": None}

    async def validate_report_fix(self, value, dispatcher, tracker, domain) -> dict[str, Any]:
        option = intake.plain(str(value or "")).removeprefix(intake.OPTION_PREFIX)
        if option in intake.QUESTIONS:
            # Empty that answer and the confirmation: the form asks it again, then confirms.
            return {option: None, "report_fix": None, "report_confirm": None}
        number = intake._number(str(value or ""))
        if number and 1 <= number <= len(intake.QUESTIONS):
            return {intake.QUESTIONS[number - 1]: None, "report_fix": None, "report_confirm": None}
        return {"report_fix": None}


def _make_ask_action(slot: str) -> type[Action]:
    class AskAction(Action):
        def name(self) -> str:
            return f"action_ask_{slot}"

        async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list:
            lang = language_of(tracker)
            extra = {}
            if slot == intake.CONFIRM:
                extra["summary"] = intake.summary(answers_of(tracker), lang)
            text, buttons = intake.question(slot, lang, **extra)
            skippable = slot not in (intake.CONFIRM, intake.FIX)
            if skippable and buttons:
                buttons.append({"title": "Saltar" if lang == "es" else "Saltay", "payload": intake.OPTION_PREFIX + intake.SKIP})
            dispatcher.utter_message(text=text, buttons=buttons)
            return []

    AskAction.__name__ = f"ActionAsk_{slot}"
    return AskAction


ASK_ACTIONS = [_make_ask_action(slot) for slot in (*intake.QUESTIONS, intake.CONFIRM, intake.FIX)]


class ActionSubmitReport(Action):
    def name(self) -> str:
        return "action_submit_report"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list:
        lang = language_of(tracker)
        reset = [SlotSet(slot, None) for slot in ALL_SLOTS]
        case_id = tracker.get_slot("report_case_id")
        if tracker.get_slot("report_cancelled"):
            if case_id:
                detail = await in_thread(store.case_detail, int(case_id))
                dispatcher.utter_message(text=intake.message("cancelled_kept", lang, code=detail.code))
            else:
                dispatcher.utter_message(text=intake.message("cancelled", lang))
            return reset

        answers = answers_of(tracker)
        narrative = answers.get("report_what") if answers.get("report_what") != intake.SKIP else None
        where = answers.get("report_where") or ""
        if where.startswith("text:"):
            narrative = ((narrative or "") + f"\n[Lugar escrito por la persona: {where[5:]}]").strip()
        report = intake.build_report(answers, channel=case_channel(tracker), language=lang,
                                     emergency=bool(tracker.get_slot("report_emergency")))
        try:
            if case_id:
                result = await in_thread(store.update_report, int(case_id), report, narrative=narrative)
            else:
                result = await in_thread(
                    store.submit_report, report, conversation_id=tracker.sender_id, channel=case_channel(tracker),
                    language=lang, idempotency_key=form_key(tracker), narrative=narrative,
                )
        except Exception as exc:  # noqa: BLE001 - never lose the person: give the hotline instead
            logger.error("report not stored: %s", type(exc).__name__)
            dispatcher.utter_message(text=reply("report_failed", language_of(tracker)))
            return reset
        if result.priority == "P1" and not case_id and not getattr(result, "spooled", False):
            try:
                await in_thread(handoff.request_operator, reason="report", case_id=result.case_id)
            except Exception as exc:  # noqa: BLE001
                logger.error("could not flag the case for an operator: %s", type(exc).__name__)
        say(dispatcher, [intake.message("received", lang, code=result.case_code, **values())])
        return reset
