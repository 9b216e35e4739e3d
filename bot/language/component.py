"""Rasa 3.6 NLU component: language identification and text normalisation.

Put it first in the pipeline (config.yml)::

    pipeline:
      - name: bot.language.component.LanguageIdentifier
      - name: WhitespaceTokenizer
      ...

For every message, at training and at inference, it

1. runs `bot.language.detect.detect` on the raw text and stores
   ``language_detection = {"lang", "confidence", "evidence"}`` as an output
   property, so it reaches ``tracker.latest_message`` (actions and the policy in
   `bot.language.policy` read it from there);
2. replaces the text that tokenizers and featurizers see with
   ``normalize_quechua(text)``: lowercase, no accents (ñ kept), one apostrophe,
   Quechua spelling variants folded in the words that look Quechua. Training
   examples of both data/nlu/es/ and data/nlu/qu/ get exactly the same treatment
   because the folding is decided word by word, not by the file or the detected
   language. Entity spans are moved onto the new text; an annotated value that
   was the literal span becomes the new span, so no accidental synonyms appear.
   The raw text stays available as ``text_original`` (and in the user event).

Entity synonyms and lookup tables also get normalised copies of their keys and
elements, so that "Español" or "Runasimi" in the data still match. Regex
patterns are not rewritten: write them for lowercase text without accents, or
set ``case_sensitive: False`` on the regex components.
"""
from __future__ import annotations

import logging
from typing import Any, Dict, List, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import ENTITIES, ENTITY_ATTRIBUTE_END, ENTITY_ATTRIBUTE_START, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.language.detect import detect
from bot.language.normalize import move_span, normalize_quechua, normalize_quechua_aligned

logger = logging.getLogger(__name__)

LANGUAGE_DETECTION = "language_detection"
TEXT_ORIGINAL = "text_original"


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER], is_trainable=False)
class LanguageIdentifier(GraphComponent):
    """Detects es / qu / other and normalises the text for the rest of the pipeline."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        # normalize: replace TEXT with the normalised text (turn off to only detect).
        return {"normalize": True}

    def __init__(self, config: Dict[Text, Any]) -> None:
        self._normalize = bool(config.get("normalize", True))

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "LanguageIdentifier":
        return cls(config)

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        for message in training_data.training_examples:
            self._process_message(message)
        if self._normalize:
            _normalise_synonyms(training_data)
            _normalise_lookup_tables(training_data)
        return training_data

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            self._process_message(message)
        return messages

    def _process_message(self, message: Message) -> None:
        text = message.get(TEXT)
        if not isinstance(text, str) or not text:
            return
        if message.get(TEXT_ORIGINAL) is not None:
            return  # already processed (messages can pass through twice)
        detection = detect(text)
        message.set(
            LANGUAGE_DETECTION,
            {
                "lang": detection.lang,
                "confidence": detection.confidence,
                "evidence": list(detection.evidence),
            },
            add_to_output=True,
        )
        message.set(TEXT_ORIGINAL, text, add_to_output=True)
        if not self._normalize:
            return
        normalized, sources = normalize_quechua_aligned(text)
        if not normalized or normalized == text:
            return
        entities = message.get(ENTITIES)
        if entities:
            message.set(ENTITIES, _move_entities(entities, text, normalized, sources))
        message.set(TEXT, normalized)


def _move_entities(
    entities: List[Dict[Text, Any]], text: str, normalized: str, sources: List[int]
) -> List[Dict[Text, Any]]:
    """Entity annotations re-anchored on the normalised text."""
    moved = []
    for entity in entities:
        start, end = entity.get(ENTITY_ATTRIBUTE_START), entity.get(ENTITY_ATTRIBUTE_END)
        if start is None or end is None:
            moved.append(entity)
            continue
        span = move_span(sources, start, end)
        if span is None:
            logger.warning("LanguageIdentifier: dropped an entity span emptied by normalisation")
            continue
        new = dict(entity)
        new[ENTITY_ATTRIBUTE_START], new[ENTITY_ATTRIBUTE_END] = span
        if entity.get("value") == text[start:end]:
            new["value"] = normalized[span[0] : span[1]]
        moved.append(new)
    return moved


def _normalise_synonyms(training_data: TrainingData) -> None:
    for key, value in list(training_data.entity_synonyms.items()):
        variant = normalize_quechua(key)
        if variant and variant != key and variant != value:
            training_data.entity_synonyms.setdefault(variant, value)


def _normalise_lookup_tables(training_data: TrainingData) -> None:
    for table in training_data.lookup_tables:
        elements = table.get("elements")
        if isinstance(elements, list):
            seen = set(elements)
            for element in list(elements):
                variant = normalize_quechua(str(element))
                if variant and variant not in seen:
                    elements.append(variant)
                    seen.add(variant)
