"""Prevention answers in Spanish and Quechua, kept as data in ``topics.yml``.

Content designers edit the YAML; this module checks it once, when first used, so
a broken edit fails loudly (naming the topic and the field) instead of sending a
half-empty bubble to someone deciding tonight whether to take a bus.

Helpline numbers are never written in the texts: they are placeholders such as
``{police_number}`` filled from ``bot.config.template_values()``, because the
numbers change (0800-2-3232 became Línea 1818, opción 1).
"""
from __future__ import annotations

import functools
import re
import string
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping

import yaml

TOPICS_FILE = Path(__file__).resolve().parent / "topics.yml"

LANGUAGES = ("es", "qu")
LEVELS = ("short", "more")
KINDS = ("faq", "menu", "emergency")
# One phone bubble: long enough for a plain answer, short enough for SMS
# concatenation and for a cheap phone screen.
MAX_BUBBLE_CHARS = 320
MAX_MORE_BUBBLES = 3
REVIEW_STATUSES = ("pending-native-review", "native-reviewed")
# The placeholders content may use; all come from bot.config.template_values().
KNOWN_PLACEHOLDERS = frozenset(
    {"police_number", "hotline_label", "hotline_number", "violence_line_number", "abroad_label"}
)
# Citations of a knowledge digest start with this prefix (relative to ../shared);
# any other `doc` is a public source named in full.
DIGEST_PREFIX = "knowledge/"
# Shown before a Spanish answer given to someone who asked in Quechua, so the
# switch is never silent: "This is not in Quechua yet; I write it in Spanish."
FALLBACK_NOTE = "(Kayqa manaraqmi runasimipi kanchu; castellanopim qillqamuyki.)"

_LINE_REF = re.compile(r"^L(\d+)(?:\s*[–-]\s*L?(\d+))?$")
_SECTION = re.compile(r"^§\d+(?:\.\d+)*$")
_TOPIC_ID = re.compile(r"^[a-z][a-z0-9_]*$")


class TopicError(ValueError):
    """topics.yml is malformed, or a topic/language/level does not exist."""


@dataclass(frozen=True)
class Source:
    """Where a topic's facts come from: a digest (with source-file lines) or a named public text."""

    doc: str
    lines: tuple[tuple[int, int], ...] = ()
    lines_text: str = ""
    sections: tuple[str, ...] = ()
    ref: str = ""
    url: str = ""

    @property
    def is_digest(self) -> bool:
        return self.doc.startswith(DIGEST_PREFIX)


@dataclass(frozen=True)
class Texts:
    short: str
    more: tuple[str, ...]
    review: str = ""

    def level(self, level: str) -> tuple[str, ...]:
        return (self.short,) if level == "short" else self.more


@dataclass(frozen=True)
class Topic:
    id: str
    intents: tuple[str, ...]
    kind: str
    sources: tuple[Source, ...]
    texts: Mapping[str, Texts]

    def has(self, lang: str) -> bool:
        return lang in self.texts


@dataclass(frozen=True)
class Resolved:
    """The texts chosen for a request; ``fallback`` is True when Spanish stands in for Quechua."""

    lang: str
    fallback: bool
    texts: tuple[str, ...]


# ---------------------------------------------------------------- parsing


def placeholders(text: str) -> set[str]:
    """Names of the ``{placeholders}`` in a text."""
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


def _fail(where: str, message: str) -> TopicError:
    return TopicError(f"topics.yml: {where}: {message}")


def _text(value: Any, where: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise _fail(where, "must be a non-empty text")
    try:
        fields = list(string.Formatter().parse(value))
    except ValueError as exc:  # unbalanced braces
        raise _fail(where, f"bad placeholder syntax ({exc})") from exc
    for _, name, spec, conversion in fields:
        if name is None:
            continue
        if name not in KNOWN_PLACEHOLDERS:
            known = ", ".join(sorted(KNOWN_PLACEHOLDERS))
            raise _fail(where, f"unknown placeholder {{{name}}} (known: {known})")
        if spec or conversion:
            raise _fail(where, f"placeholder {{{name}}} must not carry a format spec")
    return " ".join(value.split())


def _parse_lines(raw: Any, where: str) -> tuple[tuple[int, int], ...]:
    if not isinstance(raw, str) or not raw.strip():
        raise _fail(where, 'must be a text like "L101, L107–L116"')
    spans = []
    for part in raw.split(","):
        match = _LINE_REF.match(part.strip())
        if not match:
            raise _fail(where, f'{part.strip()!r} is not a line reference like "L101" or "L107–L116"')
        start = int(match.group(1))
        end = int(match.group(2) or start)
        if end < start:
            raise _fail(where, f"range {part.strip()!r} ends before it starts")
        spans.append((start, end))
    return tuple(spans)


def _parse_source(raw: Any, where: str) -> Source:
    if not isinstance(raw, dict):
        raise _fail(where, "must be a mapping with at least `doc`")
    unknown = set(raw) - {"doc", "lines", "section", "ref", "url"}
    if unknown:
        raise _fail(where, f"unknown field(s) {sorted(unknown)}")
    doc = raw.get("doc")
    if not isinstance(doc, str) or not doc.strip():
        raise _fail(f"{where}.doc", "must name a digest (knowledge/...) or a public source in full")
    doc = doc.strip()
    sections: tuple[str, ...] = ()
    if "section" in raw:
        sections = tuple(s.strip() for s in str(raw["section"]).split(","))
        bad = [s for s in sections if not _SECTION.match(s)]
        if bad:
            raise _fail(f"{where}.section", f"{bad} are not digest sections like §1.2")
    lines = _parse_lines(raw["lines"], f"{where}.lines") if "lines" in raw else ()
    if doc.startswith(DIGEST_PREFIX):
        if not lines and not sections:
            raise _fail(where, "a digest citation needs `lines` and/or `section`")
    elif lines or sections:
        raise _fail(where, "`lines` and `section` are for digest citations (doc: knowledge/...)")
    return Source(
        doc=doc,
        lines=lines,
        lines_text=str(raw.get("lines", "")).strip(),
        sections=sections,
        ref=str(raw.get("ref", "")).strip(),
        url=str(raw.get("url", "")).strip(),
    )


def _parse_texts(raw: Any, where: str, lang: str, kind: str) -> Texts:
    if not isinstance(raw, dict):
        raise _fail(where, "must be a mapping with `short` and `more`")
    unknown = set(raw) - {"short", "more", "review"}
    if unknown:
        raise _fail(where, f"unknown field(s) {sorted(unknown)}")
    if "short" not in raw:
        raise _fail(f"{where}.short", "is missing")
    short = _text(raw["short"], f"{where}.short")
    if kind == "faq" and not short.endswith("?"):
        raise _fail(f"{where}.short", "must end with an invitation to go deeper (a question)")
    more_raw = raw.get("more")
    if not isinstance(more_raw, list) or not 1 <= len(more_raw) <= MAX_MORE_BUBBLES:
        raise _fail(f"{where}.more", f"must be a list of 1 to {MAX_MORE_BUBBLES} texts")
    more = tuple(_text(t, f"{where}.more[{i}]") for i, t in enumerate(more_raw))
    review = raw.get("review", "")
    # Quechua must say whether a native speaker checked it; Spanish may.
    if (lang == "qu" or review) and review not in REVIEW_STATUSES:
        raise _fail(f"{where}.review", f"must be one of {', '.join(REVIEW_STATUSES)}")
    return Texts(short=short, more=more, review=review)


def _parse_topic(raw: Any, index: int) -> Topic:
    if not isinstance(raw, dict):
        raise _fail(f"topic #{index + 1}", "must be a mapping")
    topic_id = raw.get("id")
    if not isinstance(topic_id, str) or not _TOPIC_ID.match(topic_id):
        raise _fail(f"topic #{index + 1}.id", "must be a lower_snake_case name")
    where = f"topic {topic_id!r}"
    unknown = set(raw) - {"id", "intent", "kind", "sources", *LANGUAGES}
    if unknown:
        raise _fail(where, f"unknown field(s) {sorted(unknown)}")
    intent = raw.get("intent")
    intents = (intent,) if isinstance(intent, str) else tuple(intent or ())
    if not intents or not all(isinstance(i, str) and i for i in intents):
        raise _fail(f"{where}.intent", "must be an intent name or a list of intent names")
    kind = raw.get("kind", "faq")
    if kind not in KINDS:
        raise _fail(f"{where}.kind", f"must be one of {', '.join(KINDS)}")
    sources_raw = raw.get("sources")
    if not isinstance(sources_raw, list) or not sources_raw:
        raise _fail(f"{where}.sources", "must list at least one source")
    sources = tuple(_parse_source(s, f"{where}.sources[{i}]") for i, s in enumerate(sources_raw))
    if "es" not in raw:
        raise _fail(f"{where}.es", "is missing (Spanish is the fallback for every topic)")
    texts = {
        lang: _parse_texts(raw[lang], f"{where}.{lang}", lang, kind) for lang in LANGUAGES if lang in raw
    }
    return Topic(id=topic_id, intents=intents, kind=kind, sources=sources, texts=texts)


def parse_topics(data: Any) -> dict[str, Topic]:
    """Validate already-loaded YAML data and return topics by id, in file order."""
    if not isinstance(data, dict) or not isinstance(data.get("topics"), list):
        raise TopicError("topics.yml: the file must contain a `topics:` list")
    topics: dict[str, Topic] = {}
    owner: dict[str, str] = {}
    for index, raw in enumerate(data["topics"]):
        topic = _parse_topic(raw, index)
        if topic.id in topics:
            raise _fail(f"topic {topic.id!r}", "id is used twice")
        for intent in topic.intents:
            if intent in owner:
                raise _fail(f"topic {topic.id!r}.intent", f"{intent!r} already belongs to topic {owner[intent]!r}")
            owner[intent] = topic.id
        topics[topic.id] = topic
    return topics


def load_topics(path: Path = TOPICS_FILE) -> dict[str, Topic]:
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise TopicError(f"{path}: not valid YAML ({exc})") from exc
    return parse_topics(data)


@functools.lru_cache(maxsize=1)
def _default_topics() -> dict[str, Topic]:
    return load_topics(TOPICS_FILE)


# ---------------------------------------------------------------- lookup and rendering


def all_topics() -> list[Topic]:
    """Every topic, in file order."""
    return list(_default_topics().values())


def get_topic(topic_id: str, topics: Mapping[str, Topic] | None = None) -> Topic:
    topics = _default_topics() if topics is None else topics
    try:
        return topics[topic_id]
    except KeyError:
        raise TopicError(f"no topic {topic_id!r} (known: {', '.join(topics)})") from None


def topic_for_intent(intent: str, topics: Mapping[str, Topic] | None = None) -> Topic | None:
    """The topic that answers an intent, or None when the intent is not a content topic (e.g. greet)."""
    topics = _default_topics() if topics is None else topics
    for topic in topics.values():
        if intent in topic.intents:
            return topic
    return None


def resolve(topic: Topic, lang: str, level: str = "short") -> Resolved:
    """Pick the texts for a language, falling back to Spanish only when Quechua is missing."""
    if lang not in LANGUAGES:
        raise TopicError(f"language must be one of {', '.join(LANGUAGES)}, got {lang!r}")
    if level not in LEVELS:
        raise TopicError(f"level must be one of {', '.join(LEVELS)}, got {level!r}")
    if topic.has(lang):
        return Resolved(lang=lang, fallback=False, texts=topic.texts[lang].level(level))
    return Resolved(lang="es", fallback=True, texts=topic.texts["es"].level(level))


def fill(text: str, values: Mapping[str, str], where: str = "text") -> str:
    missing = placeholders(text) - set(values)
    if missing:
        raise TopicError(f"{where}: no value for {sorted(missing)}; check bot/content/helplines.yml")
    return text.format_map(values)


def render(
    topic_id: str,
    lang: str,
    level: str = "short",
    values: Mapping[str, str] | None = None,
    topics: Mapping[str, Topic] | None = None,
) -> list[str]:
    """The bubbles to send, placeholders filled.

    ``values`` defaults to ``bot.config.template_values()``. If Quechua is asked
    for but missing, the Spanish bubbles come after ``FALLBACK_NOTE``.
    """
    topic = get_topic(topic_id, topics)
    if values is None:
        from bot.config import template_values

        values = template_values()
    chosen = resolve(topic, lang, level)
    where = f"topic {topic.id!r} {chosen.lang}.{level}"
    bubbles = [fill(text, values, where) for text in chosen.texts]
    return [FALLBACK_NOTE, *bubbles] if chosen.fallback else bubbles
