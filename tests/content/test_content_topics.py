"""Behaviour of the prevention answers: completeness, size, placeholders, rendering, errors."""
from __future__ import annotations

import copy
import re
from pathlib import Path

import pytest
import yaml

from bot import config
from bot.content import topics as T
from bot.content.docs import repository_values

PREVENTION_INTENTS = (
    "ask_what_is_trafficking",
    "ask_exploitation_forms",
    "ask_recruitment_signs",
    "ask_trafficking_vs_smuggling",
    "ask_victim_rights",
    "ask_help_channels",
    "ask_safe_travel",
)
MENU_INTENTS = ("ask_capabilities", "out_of_scope", "nlu_fallback")
ALL_TOPICS = T.all_topics()
TOPIC_IDS = [t.id for t in ALL_TOPICS]


@pytest.fixture(scope="module")
def values() -> dict[str, str]:
    return repository_values()


def texts_of(topic: T.Topic):
    for lang, texts in topic.texts.items():
        yield f"{lang}.short", texts.short
        for i, text in enumerate(texts.more):
            yield f"{lang}.more[{i}]", text


# ------------------------------------------------------------------ completeness


@pytest.mark.parametrize("intent", PREVENTION_INTENTS + MENU_INTENTS + ("emergency",))
def test_every_content_intent_has_a_topic(intent):
    assert T.topic_for_intent(intent) is not None, f"no topic answers intent {intent!r}"


@pytest.mark.parametrize("intent", MENU_INTENTS)
def test_menu_answers_capabilities_out_of_scope_and_low_confidence(intent):
    assert T.topic_for_intent(intent).kind == "menu"


def test_intents_that_are_not_content_have_no_topic():
    assert T.topic_for_intent("greet") is None


@pytest.mark.parametrize("topic", ALL_TOPICS, ids=TOPIC_IDS)
def test_every_topic_has_spanish_and_quechua_short_and_more(topic):
    for lang in ("es", "qu"):
        assert topic.has(lang), f"{topic.id}: no {lang} texts"
        assert topic.texts[lang].short.strip(), f"{topic.id}: empty {lang}.short"
        assert 1 <= len(topic.texts[lang].more) <= T.MAX_MORE_BUBBLES, f"{topic.id}: {lang}.more"


@pytest.mark.parametrize("topic", ALL_TOPICS, ids=TOPIC_IDS)
def test_quechua_carries_a_review_status(topic):
    assert topic.texts["qu"].review in T.REVIEW_STATUSES, f"{topic.id}: qu.review"


# ------------------------------------------------------------------ size and wording


@pytest.mark.parametrize("topic", ALL_TOPICS, ids=TOPIC_IDS)
@pytest.mark.parametrize("lang", T.LANGUAGES)
@pytest.mark.parametrize("level", T.LEVELS)
def test_every_rendered_bubble_fits_one_phone_message(topic, lang, level, values):
    for bubble in T.render(topic.id, lang, level, values):
        assert len(bubble) <= T.MAX_BUBBLE_CHARS, f"{topic.id} {lang}.{level}: {len(bubble)} chars: {bubble}"
        assert "{" not in bubble and "}" not in bubble, f"{topic.id} {lang}.{level}: unfilled placeholder"


@pytest.mark.parametrize("topic", [t for t in ALL_TOPICS if t.kind == "faq"], ids=lambda t: t.id)
def test_faq_short_answers_end_by_inviting_to_go_deeper(topic):
    for lang in T.LANGUAGES:
        assert topic.texts[lang].short.endswith("?"), f"{topic.id} {lang}.short has no closing question"


def test_emergency_gives_both_numbers_first_in_one_bubble(values):
    topic = T.topic_for_intent("emergency")
    for lang in T.LANGUAGES:
        bubbles = T.render(topic.id, lang, "short", values)
        assert len(bubbles) == 1
        opening = bubbles[0][:80]
        assert values["police_number"] in opening, f"{lang}: police number not at the start"
        assert values["hotline_label"] in opening, f"{lang}: hotline not at the start"


def test_help_menu_is_never_a_dead_end(values):
    menu = T.topic_for_intent("out_of_scope")
    for lang in T.LANGUAGES:
        short = T.render(menu.id, lang, "short", values)[0]
        assert values["police_number"] in short, f"{lang}: menu without the emergency number"


# ------------------------------------------------------------------ numbers come from configuration


def _configured_numbers() -> set[str]:
    data = yaml.safe_load((config.CONTENT_DIR / "helplines.yml").read_text(encoding="utf-8"))
    numbers: set[str] = set()

    def walk(node):
        if isinstance(node, dict):
            for key, val in node.items():
                if key == "number":
                    numbers.add(str(val))
                walk(val)

    walk(data)
    return numbers


def test_helplines_file_defines_numbers():
    # Guards the next test: if nothing were found it would pass vacuously.
    assert {"105", "1818", "100"} <= _configured_numbers()


@pytest.mark.parametrize("number", sorted(_configured_numbers()))
def test_no_helpline_number_is_written_in_a_text(number):
    digits = re.sub(r"\D", "", number)
    # Same digits, allowing spaces/dots/dashes between them, not inside a longer number.
    pattern = re.compile(r"(?<!\d)" + r"[\s.\-]?".join(digits) + r"(?!\d)")
    for topic in ALL_TOPICS:
        for where, text in texts_of(topic):
            assert not pattern.search(text), f"{topic.id} {where} writes {number}; use a placeholder"


def test_every_placeholder_is_known_to_the_configuration(values):
    assert T.KNOWN_PLACEHOLDERS <= set(values), "bot.config.template_values() lacks a documented placeholder"
    for topic in ALL_TOPICS:
        for where, text in texts_of(topic):
            unknown = T.placeholders(text) - set(values)
            assert not unknown, f"{topic.id} {where}: unknown placeholders {unknown}"


def test_render_fills_numbers_from_the_helplines_file(tmp_path, monkeypatch):
    lines = yaml.safe_load((config.CONTENT_DIR / "helplines.yml").read_text(encoding="utf-8"))
    lines["emergency"]["number"] = "999"
    lines["hotline"]["label"] = "Línea de prueba"
    path = tmp_path / "helplines.yml"
    path.write_text(yaml.safe_dump(lines, allow_unicode=True), encoding="utf-8")
    monkeypatch.setenv("WILLAKUY_HELPLINES_FILE", str(path))
    monkeypatch.setenv("WILLAKUY_VAR_DIR", str(tmp_path / "var"))
    config.reset_settings()
    try:
        bubble = T.render("emergency", "es")[0]
    finally:
        monkeypatch.undo()
        config.reset_settings()
    assert "999" in bubble and "Línea de prueba" in bubble
    assert "105" not in bubble


# ------------------------------------------------------------------ fallback and errors


def _minimal(**overrides) -> dict:
    topic = {
        "id": "sample",
        "intent": "ask_sample",
        "kind": "faq",
        "sources": [{"doc": "knowledge/plan-nacional-2017-2021.md", "section": "§1.2", "lines": "L95"}],
        "es": {"short": "Texto corto con {police_number}. ¿Quieres saber más?", "more": ["Más detalle."]},
        "qu": {"short": "Pisi qillqa. Astawan yachayta munankichu?", "more": ["Astawan."], "review": "pending-native-review"},
    }
    topic.update(overrides)
    return {"topics": [topic]}


def test_missing_quechua_falls_back_to_spanish_and_says_so():
    data = _minimal()
    del data["topics"][0]["qu"]
    topics = T.parse_topics(data)
    bubbles = T.render("sample", "qu", "short", {"police_number": "105"}, topics=topics)
    assert bubbles == [T.FALLBACK_NOTE, "Texto corto con 105. ¿Quieres saber más?"]
    assert T.render("sample", "es", "more", {}, topics=topics) == ["Más detalle."]


def test_quechua_present_is_used_without_note():
    topics = T.parse_topics(_minimal())
    assert T.render("sample", "qu", "more", {}, topics=topics) == ["Astawan."]


def test_loaded_texts_are_single_spaced():
    # YAML folding must not leave line breaks or double spaces inside a bubble.
    for topic in ALL_TOPICS:
        for where, text in texts_of(topic):
            assert "\n" not in text and "  " not in text, f"{topic.id} {where}"


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: T.render("no_such_topic", "es"), "no topic 'no_such_topic'"),
        (lambda: T.render("emergency", "en", values={}), "language must be one of"),
        (lambda: T.render("emergency", "es", "long", values={}), "level must be one of"),
        (lambda: T.render("emergency", "es", "short", values={}), "no value for ['hotline_label', 'police_number']"),
    ],
)
def test_bad_requests_fail_with_a_clear_message(call, message):
    with pytest.raises(T.TopicError, match=re.escape(message)):
        call()


def _broken(path: list, value):
    data = _minimal()
    node = data["topics"][0]
    for key in path[:-1]:
        node = node[key]
    if value is DELETE:
        del node[path[-1]]
    else:
        node[path[-1]] = value
    return data


DELETE = object()


@pytest.mark.parametrize(
    "path, value, field",
    [
        (["es", "short"], DELETE, "topic 'sample'.es.short: is missing"),
        (["es"], DELETE, "topic 'sample'.es: is missing"),
        (["es", "more"], ["a", "b", "c", "d"], "topic 'sample'.es.more: must be a list of 1 to 3"),
        (["es", "more"], [], "topic 'sample'.es.more: must be a list of 1 to 3"),
        (["es", "short"], "Llama al {emergency_phone}. ¿Más?", "topic 'sample'.es.short: unknown placeholder {emergency_phone}"),
        (["es", "short"], "Sin pregunta al final.", "topic 'sample'.es.short: must end with an invitation"),
        (["qu", "review"], DELETE, "topic 'sample'.qu.review: must be one of"),
        (["qu", "review"], "reviewed-by-me", "topic 'sample'.qu.review: must be one of"),
        (["sources"], [], "topic 'sample'.sources: must list at least one source"),
        (["sources", 0, "lines"], "línea 95", "topic 'sample'.sources[0].lines: 'línea 95' is not a line reference"),
        (["sources", 0, "section"], "1.2", "topic 'sample'.sources[0].section"),
        (["kind"], "chat", "topic 'sample'.kind: must be one of"),
        (["intent"], [], "topic 'sample'.intent: must be an intent name"),
        (["sources"], [{"doc": "UN Protocol", "lines": "L3"}], "`lines` and `section` are for digest citations"),
    ],
)
def test_broken_topics_yml_names_topic_and_field(path, value, field):
    with pytest.raises(T.TopicError, match=re.escape(field)):
        T.parse_topics(_broken(path, value))


def test_an_intent_cannot_belong_to_two_topics():
    data = _minimal()
    twin = copy.deepcopy(data["topics"][0])
    twin["id"] = "twin"
    data["topics"].append(twin)
    with pytest.raises(T.TopicError, match=r"'ask_sample' already belongs to topic 'sample'"):
        T.parse_topics(data)


def test_invalid_yaml_names_the_file(tmp_path):
    path = tmp_path / "topics.yml"
    path.write_text("topics:\n  - id: x\n    intent: a: b\n", encoding="utf-8")
    with pytest.raises(T.TopicError, match=re.escape(str(path))):
        T.load_topics(path)


def test_shipped_file_loads_and_keeps_file_order():
    assert [t.id for t in T.load_topics(T.TOPICS_FILE).values()] == TOPIC_IDS


@pytest.mark.parametrize("topic", ALL_TOPICS, ids=TOPIC_IDS)
def test_spanish_reads_well_around_filled_labels(topic, values):
    # Labels such as {abroad_label} start with an article; "a el" / "de el" means a
    # text was written around a label without checking how it reads once filled.
    for level in T.LEVELS:
        for bubble in T.render(topic.id, "es", level, values):
            assert not re.search(r"\b(a|de) el\b", bubble), f"{topic.id} es.{level}: {bubble}"
