"""The data files are validated on load, and a mistake is reported clearly."""
import copy

import pytest
import yaml

from bot.screening.catalog import INDICATORS_FILE, CatalogError, load_catalog, parse_catalog
from bot.screening.extractors import EXTRACTORS
from bot.screening.messages import MESSAGES_FILE, load_messages, parse_messages
from bot.screening.questions import QUESTIONS_FILE, parse_questions

DATA = yaml.safe_load(INDICATORS_FILE.read_text(encoding="utf-8"))
ADVICE = load_messages().advice.keys()


def problems_for(mutate):
    data = copy.deepcopy(DATA)
    mutate(data)
    with pytest.raises(CatalogError) as exc:
        parse_catalog(data, "indicators.yml", advice_keys=ADVICE, extractors=EXTRACTORS)
    return str(exc.value)


def first(data, iid="debt"):
    return next(i for i in data["indicators"] if i["id"] == iid)


def test_packaged_files_load():
    cat = load_catalog()
    assert "minor" in cat.ids and cat.high > cat.medium > 0


@pytest.mark.parametrize("mutate,expected", [
    (lambda d: first(d)["patterns"].append("(unclosed"), "invalid regular expression"),
    (lambda d: first(d)["patterns"].append("Puerto"), "upper-case"),
    (lambda d: first(d)["patterns"].append("señorita"), "plain form"),
    (lambda d: first(d)["patterns"].append("llamk'ay"), "apostrophe"),
    (lambda d: first(d)["patterns"].append("a?"), "matches the empty string"),
    (lambda d: first(d)["patterns"].append({"near": ["a"], "within": 5}), "exactly two"),
    (lambda d: first(d)["patterns"].append({"near": ["ab", "cd"]}), "within"),
    (lambda d: first(d).__setitem__("weight", "high"), "'weight' must be a number"),
    (lambda d: first(d).__setitem__("weight", -2), "must be positive"),
    (lambda d: first(d).__setitem__("advice", "nonexistent"), "not defined in messages.yml"),
    (lambda d: first(d)["labels"].pop("qu"), "missing 'qu'"),
    (lambda d: first(d).__setitem__("sources", []), "needs a source"),
    (lambda d: first(d)["sources"].append({"doc": "wikipedia"}), "unknown document 'wikipedia'"),
    (lambda d: first(d).__setitem__("extractor", "magic"), "unknown extractor 'magic'"),
    (lambda d: first(d).__setitem__("colour", "red"), "unknown key(s) ['colour']"),
    (lambda d: d["indicators"].append(copy.deepcopy(first(d))), "duplicate id 'debt'"),
    (lambda d: d["rules"][0].__setitem__("all", ["no_such_indicator"]), "unknown indicator 'no_such_indicator'"),
    (lambda d: d["rules"][0].__setitem__("all", ["urgency.tomorrow"]), "has no group 'tomorrow'"),
    (lambda d: d["rules"][0].__setitem__("risk", "extreme"), "'risk' must be one of"),
    (lambda d: d.__setitem__("thresholds", {"high": 2, "medium": 5}), "need 0 < medium < high"),
    (lambda d: d.__setitem__("negators", [False, "nunca"]), 'quote "no"'),
    (lambda d: d.pop("rules"), "missing 'rules'"),
    (lambda d: first(d).__setitem__("aliases", ["minor"]), "are indicator ids themselves"),
    (lambda d: d["rules"][0].__setitem__("unless_any", ["nope"]), "unknown indicator 'nope'"),
])
def test_mistakes_are_reported_with_where_and_what(mutate, expected):
    message = problems_for(mutate)
    assert expected in message
    assert "indicators.yml" in message


def test_all_problems_are_listed_at_once():
    def two(d):
        first(d)["patterns"].append("(")
        first(d, "minor")["weight"] = "x"
    message = problems_for(two)
    assert "indicators[" in message and "(debt)" in message and "(minor)" in message


def test_broken_yaml_file_is_a_catalog_error(tmp_path):
    bad = tmp_path / "indicators.yml"
    bad.write_text("indicators: [\n", encoding="utf-8")
    with pytest.raises(CatalogError, match="not valid YAML"):
        load_catalog(bad, advice_keys=ADVICE)
    with pytest.raises(CatalogError, match="file not found"):
        load_catalog(tmp_path / "missing.yml", advice_keys=ADVICE)


def test_messages_validation():
    data = yaml.safe_load(MESSAGES_FILE.read_text(encoding="utf-8"))
    data["operator"]["qu"] = "waqyay {hotline_numbr}"
    del data["advice"]["general"]
    with pytest.raises(CatalogError) as exc:
        parse_messages(data, "messages.yml")
    assert "unknown placeholder(s) ['hotline_numbr']" in str(exc.value)
    assert "'general'" in str(exc.value)


def test_questions_validation_catches_yaml_yes_no_and_unknown_indicators():
    data = yaml.safe_load(QUESTIONS_FILE.read_text(encoding="utf-8"))
    data["questions"][4]["choices"][0]["id"] = True          # what a bare `yes` becomes
    data["questions"][0]["choices"][0]["indicators"] = ["nonsense"]
    with pytest.raises(CatalogError) as exc:
        parse_questions(data, set(load_catalog().ids), "questions.yml")
    msg = str(exc.value)
    assert "quote yes/no" in msg and "unknown indicator 'nonsense'" in msg
