"""Rasa 3.6 NLU component: case codes found deterministically, checksum and all.

Placed after DIET in config.yml. A valid code (bot.cases.codes) in a message becomes a
`case_code` entity even when the learned extractor misses it, so "¿cómo va mi caso
k7m4 9qxt?" always carries the code to the case-status flow. Codes are validated by
their check symbol, so ordinary words are never taken for codes.
"""
from __future__ import annotations

from typing import List

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.nlu.constants import ENTITIES
from rasa.shared.nlu.training_data.message import Message

from bot.cases.codes import parse_code
from bot.rasa_components import RuleComponent, typed_text

ENTITY = "case_code"
EXTRACTOR = "CaseCodeExtractor"


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR], is_trainable=False)
class CaseCodeExtractor(RuleComponent):
    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            text = typed_text(message)
            code = parse_code(text) if text else None
            entities = [e for e in message.get(ENTITIES, []) if e.get("entity") != ENTITY]
            if code:
                entities.append({"entity": ENTITY, "value": code, "start": 0, "end": len(text),
                                 "extractor": EXTRACTOR, "confidence_entity": 1.0})
            message.set(ENTITIES, entities, add_to_output=True)
        return messages


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class DangerGuard(RuleComponent):
    """After the classifiers: a message with a deterministic danger signal is an emergency.

    The classifier's own answer stays in `intent_ranking`; `danger_override` records why.
    """

    def process(self, messages: List[Message]) -> List[Message]:
        from bot.safety import danger_signals

        for message in messages:
            text = typed_text(message)
            if not text or text.startswith("/"):
                continue
            intent = message.get("intent") or {}
            if intent.get("name") == "emergency":
                continue
            signals = danger_signals(text)
            if signals:
                message.set("intent", {"name": "emergency", "confidence": 1.0}, add_to_output=True)
                message.set("danger_override", {"was": intent.get("name"), "signals": len(signals)},
                            add_to_output=True)
        return messages
