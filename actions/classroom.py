"""Classroom sessions: join with a code, answer, leave (bot/classroom does the work).

Outside a class, an answer letter or "salir" gets the assistant's usual kind reply and
menu (the fallback), so a stray "a" never dead-ends.
"""
from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.common import in_thread, language_of, latest_text, sender_pseudonym
from actions.fallback import ActionFallback
from bot.classroom import play
from bot.classroom.nlu import read_choice

# True while this conversation is in a class with questions left (rules/classroom.yml).
SLOT = "in_class"


def send(dispatcher: CollectingDispatcher, bubbles: list[dict]) -> None:
    for bubble in bubbles:
        dispatcher.utter_message(text=bubble["text"], buttons=bubble.get("buttons") or [])


class ActionClassJoin(Action):
    def name(self) -> str:
        return "action_class_join"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list:
        send(dispatcher, await in_thread(play.join, tracker.sender_id, latest_text(tracker), language_of(tracker),
                                         sender_pseudonym(tracker)))
        return [SlotSet(SLOT, await in_thread(play.in_class, tracker.sender_id))]


class ActionClassAnswer(Action):
    def name(self) -> str:
        return "action_class_answer"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list:
        choice = read_choice(latest_text(tracker))
        bubbles = await in_thread(play.answer, tracker.sender_id, choice) if choice else None
        if bubbles is None:
            bubbles = await in_thread(play.reprompt, tracker.sender_id)
        if bubbles is None:
            return await ActionFallback().menu(dispatcher, tracker) + [SlotSet(SLOT, False)]
        send(dispatcher, bubbles)
        return [SlotSet(SLOT, await in_thread(play.in_class, tracker.sender_id, unfinished=True))]


class ActionClassLeave(Action):
    def name(self) -> str:
        return "action_class_leave"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list:
        bubbles = await in_thread(play.leave, tracker.sender_id, language_of(tracker))
        if bubbles is None:
            return await ActionFallback().menu(dispatcher, tracker) + [SlotSet(SLOT, False)]
        send(dispatcher, bubbles)
        return [SlotSet(SLOT, False)]
