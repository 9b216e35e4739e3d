"""Prevention answers from bot/content/topics.yml: short first, more on request."""
from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.common import language_of, latest_intent, say, values
from bot.content import menu
from bot.content.topics import render, topic_for_intent


class ActionAnswerTopic(Action):
    def name(self) -> str:
        return "action_answer_topic"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list:
        lang = language_of(tracker)
        intent, _ = latest_intent(tracker)
        topic = topic_for_intent(intent or "")
        if topic is None:
            say(dispatcher, render("help_menu", lang, "short", values()), menu.menu_buttons(lang))
            return []
        say(dispatcher, render(topic.id, lang, "short", values()), menu.buttons("after_topic", lang))
        return [SlotSet("last_topic", topic.id)]


class ActionMoreOnTopic(Action):
    def name(self) -> str:
        return "action_more_on_topic"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list:
        lang = language_of(tracker)
        topic = tracker.get_slot("last_topic") or "help_menu"
        say(dispatcher, render(topic, lang, "more", values()), menu.menu_buttons(lang))
        return []


class ActionHelpMenu(Action):
    def name(self) -> str:
        return "action_help_menu"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list:
        lang = language_of(tracker)
        say(dispatcher, render("help_menu", lang, "short", values()), menu.menu_buttons(lang))
        return [SlotSet("last_topic", "help_menu")]
