"""What Willakuy's deterministic NLU components share (Rasa 3.6 GraphComponent API).

CaseCodeExtractor, DangerGuard (bot.cases.nlu) and ClassroomRouter (bot.classroom.nlu)
have no settings, no training and no state; they read what the person typed.
"""
from __future__ import annotations

from typing import Any, Dict, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message


class RuleComponent(GraphComponent):
    """A component without settings, training or state."""

    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> "RuleComponent":
        return cls()


def typed_text(message: Message) -> str:
    """The message as the person typed it: LanguageIdentifier may have normalised TEXT."""
    text = message.get("text_original") or message.get(TEXT) or ""
    return text if isinstance(text, str) else ""
