"""Job-offer screening: screen the text, ask the guided questions when it is not enough,
explain the result, and open an orientation case when the risk is high.

All judgement is in bot.screening (deterministic, explainable); this is the adapter.
"""
from __future__ import annotations

import hashlib
import logging
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import case_channel, in_thread, language_of, last_bot_text, latest_text, say, values
from actions.handoff import call_operator
from actions.report_form import says_danger, wants_human
from actions.urgent import emergency_numbers, open_urgent_case
from bot.content.replies import reply
from bot.cases import intake, store
from bot.cases.report import Report, Victim
from bot.content import menu
from bot.screening.explain import explain
from bot.screening.messages import load_messages
from bot.screening.questions import SKIP, load_questions
from bot.screening.screener import ScreenResult, screen, screen_with_answers

logger = logging.getLogger(__name__)

SLOT_PREFIX = "offer_"


def _questions():
    return load_questions()


def answers_of(tracker: Tracker) -> dict[str, Any]:
    out = {}
    for q in _questions().questions:
        value = tracker.get_slot(SLOT_PREFIX + q.id)
        if value not in (None, ""):
            out[q.id] = value
    return out


def summary_of(result: ScreenResult) -> dict[str, Any]:
    return {"risk": result.risk, "score": result.score, "indicators": result.ids, "rules": list(result.rules),
            "danger_now": result.danger_now, "minor": "minor" in result.ids}


async def present(dispatcher: CollectingDispatcher, tracker: Tracker, result: ScreenResult) -> list:
    """Explain a result; danger now first; offer a case when the risk is high."""
    lang = language_of(tracker)
    events: list = [SlotSet("offer_result", summary_of(result)), SlotSet("offer_needs_questions", False)]
    if result.danger_now:
        emergency_numbers(dispatcher, lang)
        events += await open_urgent_case(dispatcher, tracker, {"report_what": tracker.get_slot("offer_text")})
    bubbles = explain(result, lang, values())
    if result.offer_case and not result.danger_now:
        say(dispatcher, bubbles, menu.buttons("yes_no_case", lang))
        events.append(SlotSet("offer_case_pending", True))
    else:
        say(dispatcher, bubbles)
        events.append(SlotSet("offer_case_pending", False))
    return events


class ActionScreenOffer(Action):
    def name(self) -> str:
        return "action_screen_offer"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list:
        text = latest_text(tracker)
        if text.startswith("/"):
            text = ""  # a button: there is no offer text yet
        lang = language_of(tracker)
        result = screen(text, lang=lang)
        base = [SlotSet("offer_text", text[:5000])] + [SlotSet(SLOT_PREFIX + q.id, None) for q in _questions().questions]
        if result.ask_questions:
            dispatcher.utter_message(text=load_messages().text("questions_intro", lang))
            return base + [SlotSet("offer_needs_questions", True), SlotSet("offer_case_pending", False)]
        return base + await present(dispatcher, tracker, result)


class ValidateOfferForm(FormValidationAction):
    def name(self) -> str:
        return "validate_offer_form"

    async def required_slots(self, domain_slots: list[str], dispatcher: CollectingDispatcher, tracker: Tracker,
                             domain: DomainDict) -> list[str]:
        if tracker.get_slot("offer_needs_questions") is False:
            return []
        known = set(screen(tracker.get_slot("offer_text") or "").ids)
        return [SLOT_PREFIX + q.id for q in _questions().questions if not known.intersection(q.covered_by)]

    async def _answer(self, qid: str, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker) -> dict:
        slot = SLOT_PREFIX + qid
        text = str(value or "")
        lang = language_of(tracker)
        if intake.is_stop(text):
            return {slot: SKIP, "offer_needs_questions": False}
        if says_danger(tracker):
            emergency_numbers(dispatcher, lang)
            events = await open_urgent_case(dispatcher, tracker, {"report_what": text})
            return {**{e["name"]: e["value"] for e in events if e.get("event") == "slot"}, slot: SKIP}
        if wants_human(tracker, text):
            await call_operator(dispatcher, tracker)
            return {slot: None}
        question = _questions().get(qid)
        plain = intake.plain(text)
        if plain.startswith(intake.OPTION_PREFIX):
            choice = plain[len(intake.OPTION_PREFIX):]
            if choice == SKIP or question.choice(choice):
                return {slot: choice}
        if intake.is_skip(text):
            return {slot: SKIP}
        number = intake._number(text)
        if number and question.free_text != "age" and 1 <= number <= len(question.choices):
            return {slot: question.choices[number - 1].id}
        for choice in question.choices:
            if intake.plain(choice.label[lang]) in plain or intake.plain(choice.label["es"]) in plain:
                return {slot: choice.id}
        if question.free_text == "age":
            from bot.screening.questions import _age

            age = _age(text)
            if age is not None and 0 < age < 120:
                return {slot: str(age)}
        elif question.free_text == "indicators" and text.strip():
            return {slot: text.strip()[:300]}
        warning = intake.message("not_understood", lang)
        if (last_bot_text(tracker) or "").startswith(warning):
            return {slot: SKIP}
        dispatcher.utter_message(text=warning)
        return {slot: None}


def _make_validator(qid: str):
    async def validate(self, value, dispatcher, tracker, domain):
        return await self._answer(qid, value, dispatcher, tracker)

    return validate


def _make_ask_action(qid: str) -> type[Action]:
    class AskOffer(Action):
        def name(self) -> str:
            return f"action_ask_{SLOT_PREFIX}{qid}"

        async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list:
            lang = language_of(tracker)
            questions = _questions()
            question = questions.get(qid)
            buttons = [{"title": b["title"], "payload": intake.OPTION_PREFIX + b["id"]}
                       for b in question.buttons(lang, questions.skip_label)]
            dispatcher.utter_message(text=question.text[lang if lang in ("es", "qu") else "es"], buttons=buttons)
            return []

    AskOffer.__name__ = f"ActionAskOffer_{qid}"
    return AskOffer


for _q in load_questions().questions:
    setattr(ValidateOfferForm, f"validate_{SLOT_PREFIX}{_q.id}", _make_validator(_q.id))
ASK_ACTIONS = [_make_ask_action(_q.id) for _q in load_questions().questions]


class ActionOfferResult(Action):
    def name(self) -> str:
        return "action_offer_result"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list:
        answers = {k: v for k, v in answers_of(tracker).items() if v != SKIP}
        try:
            result = screen_with_answers(tracker.get_slot("offer_text") or "", answers, lang=language_of(tracker))
        except ValueError:
            # An answer the screener does not know: screen the text alone rather than fail.
            result = screen(tracker.get_slot("offer_text") or "", lang=language_of(tracker))
        return await present(dispatcher, tracker, result)


class ActionOpenOfferCase(Action):
    def name(self) -> str:
        return "action_open_offer_case"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list:
        lang = language_of(tracker)
        summary = tracker.get_slot("offer_result") or {}
        victims = [Victim(age_band="menor_sin_edad")] if summary.get("minor") else []
        report = Report(channel=case_channel(tracker), language=lang, category_hint="orientacion_oferta",
                        offer_type="laboral", recruitment="oferta_trabajo", victims=victims)
        offer_text = tracker.get_slot("offer_text") or ""
        digest = hashlib.sha256(offer_text.encode("utf-8")).hexdigest()[:16]
        key = f"offer:{tracker.sender_id}:{digest}"
        try:
            result = await in_thread(
                store.submit_report, report, conversation_id=tracker.sender_id, channel=case_channel(tracker),
                language=lang, idempotency_key=key, narrative=offer_text or None, origin="screener",
            )
            if result.case_id:
                await in_thread(store.record_screening, result.case_id, summary)
        except Exception as exc:  # noqa: BLE001 - the person still gets the hotline
            logger.error("orientation case not stored: %s", type(exc).__name__)
            dispatcher.utter_message(text=reply("report_failed", language_of(tracker)))
            return [SlotSet("offer_case_pending", False)]
        dispatcher.utter_message(text=intake.message("received", lang, code=result.case_code, **values()))
        return [SlotSet("offer_case_pending", False)]


class ActionResetOffer(Action):
    def name(self) -> str:
        return "action_reset_offer"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list:
        return [SlotSet("offer_case_pending", False)]


OFFER_ACTIONS = {"action_screen_offer", "action_offer_result", "offer_form"}


def stale_offer_question(tracker: Tracker) -> bool:
    """True when "¿abro un caso?" was not the assistant's last question (the person moved on)."""
    if not tracker.get_slot("offer_case_pending"):
        return False
    seen_user = False
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            if seen_user:
                break
            seen_user = True
            continue
        if seen_user and event.get("event") == "action" and event.get("name") != "action_listen":
            return event.get("name") not in OFFER_ACTIONS
    return True
