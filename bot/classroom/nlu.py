"""Rasa 3.6 NLU component: classroom messages routed without a trained guess.

Placed after the FallbackClassifier and before DangerGuard in config.yml, so

- a message holding a join code (``K4M 7P2``, bot.classroom.codes) is ``join_class``;
- a message that is only an answer letter or number ("b", "B)", "2", "la c",
  "opción 3") is ``class_answer`` — typed on SMS, the web chat or a phone without
  buttons; button payloads are the letters themselves;
- "salir", "/salir", "lluqsiy" (and spellings) is ``leave_class``;

and a cry for help in any of these is still an emergency (DangerGuard runs after).
Whether the person is really in a class is the actions' business (bot.classroom.store):
outside a class, these intents get the assistant's usual kind reply and menu.
"""
from __future__ import annotations

import re
import unicodedata
from typing import List

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.nlu.training_data.message import Message

from bot.classroom.codes import find_code
from bot.rasa_components import RuleComponent, typed_text

_CHOICE = re.compile(
    r"^\s*(?:(?:la|el|letra|opcion|respuesta|numero|nro\.?)\s+)?([a-d1-4])\s*[).:]?\s*(?:kaq|kaqmi|nisqa)?\s*$"
)
LEAVE_WORDS = frozenset({"salir", "/salir", "salir de la clase", "lluqsiy", "lloqsiy", "llucsiy", "lluqsiyta munani",
                         "lluqsisaq", "lloqsisaq"})
NUMBER_TO_LETTER = {"1": "a", "2": "b", "3": "c", "4": "d"}


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text.lower())
    return "".join(ch for ch in text if not unicodedata.combining(ch)).replace("’", "'").strip()


def read_choice(text: str | None) -> str | None:
    """The answer letter a message consists of ("B)", "2", "opción c" -> "b", "b", "c"), or None."""
    if not text or len(text) > 30:
        return None
    match = _CHOICE.match(_fold(text))
    if not match:
        return None
    value = match.group(1)
    return NUMBER_TO_LETTER.get(value, value)


def is_leave(text: str | None) -> bool:
    return bool(text) and " ".join(_fold(text).strip(" .!¡").split()) in LEAVE_WORDS


def classroom_intent(text: str | None) -> str | None:
    if not text or not isinstance(text, str):
        return None
    if is_leave(text):
        return "leave_class"
    if text.startswith("/"):
        return None  # other payloads are Rasa's own
    if read_choice(text):
        return "class_answer"
    if find_code(text):
        return "join_class"
    return None


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class ClassroomRouter(RuleComponent):
    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            intent = classroom_intent(typed_text(message))
            if intent:
                was = (message.get("intent") or {}).get("name")
                message.set("intent", {"name": intent, "confidence": 1.0}, add_to_output=True)
                if was != intent:
                    message.set("classroom_override", {"was": was}, add_to_output=True)
        return messages
