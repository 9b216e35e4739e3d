"""Rasa 3.6 NLU component: case codes found deterministically, checksum and all.

Placed after DIET in config.yml. A valid code (bot.cases.codes) in a message becomes a
`case_code` entity even when the learned extractor misses it, so "¿cómo va mi caso
k7m4 9qxt?" always carries the code to the case-status flow. Codes are validated by
their check symbol, so ordinary words are never taken for codes.
"""
from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.cases.codes import parse_code

ENTITY = "case_code"
EXTRACTOR = "CaseCodeExtractor"


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR], is_trainable=False)
class CaseCodeExtractor(GraphComponent):
    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> "CaseCodeExtractor":
        return cls()

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            text = message.get("text_original") or message.get(TEXT) or ""
            code = parse_code(text) if isinstance(text, str) else None
            entities = [e for e in message.get(ENTITIES, []) if e.get("entity") != ENTITY]
            if code:
                entities.append({"entity": ENTITY, "value": code, "start": 0, "end": len(text),
                                 "extractor": EXTRACTOR, "confidence_entity": 1.0})
            message.set(ENTITIES, entities, add_to_output=True)
        return messages
