"""Load and validate the indicator catalog (indicators.yml).

The catalog is the screener's logic, edited by people who are not always
programmers, so a mistake must fail loudly on load with a message that says which
indicator, which field and what is wrong, never as a wrong answer to a 14-year-old.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Mapping

import yaml

DATA_DIR = Path(__file__).resolve().parent
INDICATORS_FILE = DATA_DIR / "indicators.yml"

RISKS = ("low", "medium", "high")
LANGS = ("es", "qu")
MAIN_GROUP = "main"
_ID = re.compile(r"^[a-z][a-z0-9_]*$")
# Escapes such as \b \d \W are fine in a pattern; anything else upper case is not.
_ESCAPE = re.compile(r"\\[A-Za-z]")
_MAX_WITHIN = 400


class CatalogError(ValueError):
    """The data file is wrong; the message lists every problem found."""

    def __init__(self, path: Path | str, problems: list[str]):
        self.path = str(path)
        self.problems = problems
        lines = "\n".join(f"  - {p}" for p in problems)
        super().__init__(f"{path}: {len(problems)} problem(s):\n{lines}")


@dataclass(frozen=True)
class Pattern:
    """One regex, or two regexes that must be found close together."""

    regexes: tuple[re.Pattern, ...]
    within: int = 0
    negation: bool = False
    text: str = ""

    @property
    def is_near(self) -> bool:
        return len(self.regexes) == 2


@dataclass(frozen=True)
class IndicatorDef:
    id: str
    labels: Mapping[str, str]
    weight: float
    advice: str
    groups: Mapping[str, tuple[Pattern, ...]]
    group_weights: Mapping[str, float]
    sources: tuple[Mapping[str, str], ...]
    extractor: str | None = None
    params: Mapping[str, Any] = field(default_factory=dict)
    extractor_requires: tuple[re.Pattern, ...] = ()
    unless: tuple[re.Pattern, ...] = ()
    subsumed_by: tuple[str, ...] = ()
    mitigating: bool = False
    negation: bool = False
    aliases: tuple[str, ...] = ()

    def group_weight(self, group: str) -> float:
        return float(self.group_weights.get(group, self.weight))


@dataclass(frozen=True)
class Rule:
    id: str
    all: tuple[str, ...]
    any: tuple[str, ...]
    unless_any: tuple[str, ...]
    risk: str
    danger_now: bool
    labels: Mapping[str, str]
    sources: tuple[Mapping[str, str], ...]


@dataclass(frozen=True)
class Catalog:
    version: int
    high: float
    medium: float
    mitigation_floor: float
    negators: frozenset[str]
    documents: Mapping[str, Mapping[str, str]]
    indicators: tuple[IndicatorDef, ...]
    rules: tuple[Rule, ...]
    path: str = ""

    def get(self, indicator_id: str) -> IndicatorDef:
        for ind in self.indicators:
            if ind.id == indicator_id:
                return ind
        raise KeyError(indicator_id)

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(i.id for i in self.indicators)


# --------------------------------------------------------------------------- parsing


class _Problems(list):
    def add(self, where: str, message: str) -> None:
        self.append(f"{where}: {message}")


def _compile(raw: Any, where: str, problems: _Problems) -> re.Pattern | None:
    if not isinstance(raw, str) or not raw.strip():
        problems.add(where, f"a pattern must be a non-empty string, got {raw!r}")
        return None
    bare = _ESCAPE.sub("", raw)
    if bare != bare.lower():
        problems.add(where, f"pattern {raw!r} has upper-case letters; write patterns in lower case")
    if any(ord(c) > 127 for c in bare):
        problems.add(where, f"pattern {raw!r} has accents or symbols; write it in plain form (ñ -> n, á -> a)")
    if "'" in bare or "’" in bare:
        problems.add(where, f"pattern {raw!r} has an apostrophe; apostrophes are removed before matching")
    try:
        compiled = re.compile(raw)
    except re.error as exc:
        problems.add(where, f"invalid regular expression {raw!r}: {exc}")
        return None
    if compiled.match(""):
        problems.add(where, f"pattern {raw!r} matches the empty string, so it would match every text")
        return None
    return compiled


def _pattern(raw: Any, where: str, default_negation: bool, problems: _Problems) -> Pattern | None:
    if isinstance(raw, str):
        rx = _compile(raw, where, problems)
        return Pattern((rx,), 0, default_negation, raw) if rx else None
    if not isinstance(raw, dict):
        problems.add(where, f"a pattern is a string or a mapping with 're' or 'near', got {type(raw).__name__}")
        return None
    unknown = set(raw) - {"re", "near", "within", "negation"}
    if unknown:
        problems.add(where, f"unknown key(s) {sorted(unknown)} (allowed: re, near, within, negation)")
    negation = raw.get("negation", default_negation)
    if not isinstance(negation, bool):
        problems.add(where, f"'negation' must be true or false, got {negation!r}")
        negation = default_negation
    if ("re" in raw) == ("near" in raw):
        problems.add(where, "give exactly one of 're' or 'near'")
        return None
    if "re" in raw:
        rx = _compile(raw["re"], where, problems)
        return Pattern((rx,), 0, negation, raw["re"]) if rx else None
    near = raw["near"]
    if not isinstance(near, list) or len(near) != 2:
        problems.add(where, "'near' must be a list of exactly two patterns")
        return None
    within = raw.get("within")
    if not isinstance(within, int) or isinstance(within, bool) or not 0 < within <= _MAX_WITHIN:
        problems.add(where, f"'near' needs 'within': a whole number of characters from 1 to {_MAX_WITHIN}, got {within!r}")
        return None
    a = _compile(near[0], where + ".near[0]", problems)
    b = _compile(near[1], where + ".near[1]", problems)
    if not (a and b):
        return None
    return Pattern((a, b), within, negation, f"near({near[0]!r}, {near[1]!r}, {within})")


def _merge(patterns: Iterable[Pattern]) -> tuple[Pattern, ...]:
    """One alternation per negation setting instead of many single regexes.

    Scanning a text once with `a|b|c` is several times faster than three scans, and
    the screener runs some 300 patterns per message.
    """
    singles: dict[bool, list[Pattern]] = {}
    out: list[Pattern] = []
    for p in patterns:
        if p.is_near:
            out.append(p)
        else:
            singles.setdefault(p.negation, []).append(p)
    for negation, group in singles.items():
        if len(group) == 1:
            out.insert(0, group[0])
            continue
        union = "|".join(f"(?:{p.regexes[0].pattern})" for p in group)
        out.insert(0, Pattern((re.compile(union),), 0, negation, " | ".join(p.text for p in group)))
    return tuple(out)


def _labels(raw: Any, where: str, problems: _Problems) -> dict[str, str]:
    if not isinstance(raw, dict):
        problems.add(where, "'labels' must be a mapping with 'es' and 'qu' texts")
        return {}
    out: dict[str, str] = {}
    for lang in LANGS:
        text = raw.get(lang)
        if not isinstance(text, str) or not text.strip():
            problems.add(where, f"missing '{lang}' text in labels")
        else:
            out[lang] = text.strip()
    return out


def _sources(raw: Any, where: str, documents: Mapping[str, Any], problems: _Problems) -> tuple[dict, ...]:
    if not isinstance(raw, list) or not raw:
        problems.add(where, "'sources' must be a non-empty list: every indicator and rule needs a source")
        return ()
    out = []
    for i, src in enumerate(raw):
        w = f"{where}[{i}]"
        if not isinstance(src, dict) or "doc" not in src:
            problems.add(w, "a source is a mapping with at least 'doc' (and 'section', 'lines')")
            continue
        if src["doc"] not in documents:
            problems.add(w, f"unknown document {src['doc']!r}; declare it under 'documents' (known: {', '.join(sorted(documents))})")
        out.append({k: str(v) for k, v in src.items()})
    return tuple(out)


def _number(raw: Any, where: str, name: str, problems: _Problems) -> float | None:
    if isinstance(raw, bool) or not isinstance(raw, (int, float)):
        problems.add(where, f"'{name}' must be a number, got {raw!r}")
        return None
    return float(raw)


def parse_catalog(data: Any, path: str = "<data>", *, advice_keys: Iterable[str] | None = None,
                  extractors: Iterable[str] | None = None) -> Catalog:
    """Build a Catalog from parsed YAML, or raise CatalogError listing every problem."""
    problems = _Problems()
    if not isinstance(data, dict):
        raise CatalogError(path, ["the file must be a mapping with 'thresholds', 'documents', 'indicators' and 'rules'"])
    for key in ("version", "thresholds", "documents", "indicators", "rules"):
        if key not in data:
            problems.add("top level", f"missing '{key}'")
    if problems:
        raise CatalogError(path, problems)

    thresholds = data["thresholds"] if isinstance(data["thresholds"], dict) else {}
    high = _number(thresholds.get("high"), "thresholds", "high", problems)
    medium = _number(thresholds.get("medium"), "thresholds", "medium", problems)
    if high is not None and medium is not None and not 0 < medium < high:
        problems.add("thresholds", f"need 0 < medium < high, got medium={medium}, high={high}")
    floor = _number(data.get("mitigation_floor", 0), "top level", "mitigation_floor", problems)
    if floor is not None and floor > 0:
        problems.add("top level", "'mitigation_floor' must be zero or negative")

    negators = data.get("negators", [])
    if not isinstance(negators, list) or not all(isinstance(n, str) and n.strip() for n in negators):
        problems.add("negators", "must be a list of words (quote \"no\": YAML reads a bare no as false)")
        negators = []

    documents = data["documents"]
    if not isinstance(documents, dict) or not documents:
        problems.add("documents", "must be a mapping of document keys to {title: ...}")
        documents = {}
    for key, doc in documents.items():
        if not isinstance(doc, dict) or not str(doc.get("title", "")).strip():
            problems.add(f"documents.{key}", "needs a 'title' naming the source in full")

    known_advice = set(advice_keys) if advice_keys is not None else None
    known_extractors = set(extractors) if extractors is not None else None

    indicators: list[IndicatorDef] = []
    raw_inds = data["indicators"]
    if not isinstance(raw_inds, list) or not raw_inds:
        problems.add("indicators", "must be a non-empty list")
        raw_inds = []
    seen: set[str] = set()
    for n, raw in enumerate(raw_inds):
        if not isinstance(raw, dict):
            problems.add(f"indicators[{n}]", "each indicator must be a mapping")
            continue
        iid = raw.get("id")
        where = f"indicators[{n}] ({iid})"
        if not isinstance(iid, str) or not _ID.match(iid):
            problems.add(where, "'id' must be lower_snake_case")
            continue
        if iid in seen:
            problems.add(where, f"duplicate id {iid!r}")
        seen.add(iid)
        unknown = set(raw) - {"id", "labels", "weight", "advice", "patterns", "groups", "group_weights",
                              "sources", "extractor", "params", "extractor_requires", "unless",
                              "subsumed_by", "mitigating", "negation", "aliases"}
        if unknown:
            problems.add(where, f"unknown key(s) {sorted(unknown)}")
        labels = _labels(raw.get("labels"), where, problems)
        weight = _number(raw.get("weight"), where, "weight", problems)
        mitigating = bool(raw.get("mitigating", False))
        if weight is not None:
            if mitigating and weight >= 0:
                problems.add(where, "a mitigating indicator needs a negative weight")
            if not mitigating and weight <= 0:
                problems.add(where, "'weight' must be positive (use mitigating: true for signals that lower the score)")
        advice = raw.get("advice")
        if not isinstance(advice, str) or not advice:
            problems.add(where, "'advice' must name an advice key in messages.yml")
        elif known_advice is not None and advice not in known_advice:
            problems.add(where, f"advice key {advice!r} is not defined in messages.yml")
        negation = raw.get("negation", False)
        if not isinstance(negation, bool):
            problems.add(where, f"'negation' must be true or false, got {negation!r}")
            negation = False

        groups: dict[str, tuple[Pattern, ...]] = {}
        if "patterns" in raw and "groups" in raw:
            problems.add(where, "give 'patterns' or 'groups', not both")
        raw_groups = {MAIN_GROUP: raw["patterns"]} if "patterns" in raw else raw.get("groups", {})
        if not isinstance(raw_groups, dict):
            problems.add(where, "'groups' must map group names to lists of patterns")
            raw_groups = {}
        for gname, plist in raw_groups.items():
            gwhere = f"{where}.{'patterns' if gname == MAIN_GROUP and 'patterns' in raw else 'groups.' + str(gname)}"
            if not isinstance(gname, str) or not _ID.match(gname):
                problems.add(gwhere, "group names must be lower_snake_case")
            if not isinstance(plist, list) or not plist:
                problems.add(gwhere, "must be a non-empty list of patterns")
                continue
            compiled = [_pattern(p, f"{gwhere}[{i}]", negation, problems) for i, p in enumerate(plist)]
            groups[gname] = _merge(p for p in compiled if p)

        extractor = raw.get("extractor")
        if extractor is not None:
            if not isinstance(extractor, str):
                problems.add(where, "'extractor' must be a name")
                extractor = None
            elif known_extractors is not None and extractor not in known_extractors:
                problems.add(where, f"unknown extractor {extractor!r} (known: {', '.join(sorted(known_extractors))})")
        if not groups and not extractor:
            problems.add(where, "needs 'patterns', 'groups' or an 'extractor'")
        params = raw.get("params", {})
        if not isinstance(params, dict):
            problems.add(where, "'params' must be a mapping")
            params = {}
        requires = []
        for i, p in enumerate(raw.get("extractor_requires", []) or []):
            rx = _compile(p, f"{where}.extractor_requires[{i}]", problems)
            if rx:
                requires.append(rx)
        if requires and not extractor:
            problems.add(where, "'extractor_requires' only makes sense with an 'extractor'")
        unless = []
        for i, p in enumerate(raw.get("unless", []) or []):
            rx = _compile(p, f"{where}.unless[{i}]", problems)
            if rx:
                unless.append(rx)
        group_weights = raw.get("group_weights", {}) or {}
        if not isinstance(group_weights, dict):
            problems.add(where, "'group_weights' must map group names to numbers")
            group_weights = {}
        for g, w in group_weights.items():
            if g not in groups and g != extractor:
                problems.add(where, f"group_weights names unknown group {g!r}")
            _number(w, where, f"group_weights.{g}", problems)
        subsumed = raw.get("subsumed_by", []) or []
        if not isinstance(subsumed, list):
            problems.add(where, "'subsumed_by' must be a list of indicator ids")
            subsumed = []
        sources = _sources(raw.get("sources"), f"{where}.sources", documents, problems)
        aliases = raw.get("aliases", []) or []
        if not isinstance(aliases, list) or not all(isinstance(a, str) and _ID.match(a) for a in aliases):
            problems.add(where, "'aliases' must be a list of lower_snake_case names")
            aliases = []
        indicators.append(IndicatorDef(
            id=iid, labels=labels, weight=weight or 0.0, advice=advice or "", groups=groups,
            group_weights={str(k): float(v) for k, v in group_weights.items() if isinstance(v, (int, float))},
            sources=sources, extractor=extractor, params=params, extractor_requires=tuple(requires),
            unless=tuple(unless), subsumed_by=tuple(str(s) for s in subsumed), mitigating=mitigating,
            negation=negation, aliases=tuple(aliases),
        ))

    groups_of = {i.id: set(i.groups) for i in indicators}
    for ind in indicators:
        clash = set(ind.aliases) & set(groups_of)
        if clash:
            problems.add(f"indicator {ind.id}", f"alias(es) {sorted(clash)} are indicator ids themselves")
    for ind in indicators:
        for other in ind.subsumed_by:
            if other not in groups_of:
                problems.add(f"indicator {ind.id}", f"subsumed_by names unknown indicator {other!r}")

    def check_ref(ref: Any, where: str) -> None:
        if not isinstance(ref, str):
            problems.add(where, f"reference must be 'indicator' or 'indicator.group', got {ref!r}")
            return
        iid, _, group = ref.partition(".")
        if iid not in groups_of:
            problems.add(where, f"unknown indicator {iid!r}")
        elif group and group not in groups_of[iid]:
            problems.add(where, f"indicator {iid!r} has no group {group!r}")

    rules: list[Rule] = []
    raw_rules = data["rules"]
    if not isinstance(raw_rules, list):
        problems.add("rules", "must be a list")
        raw_rules = []
    rule_ids: set[str] = set()
    for n, raw in enumerate(raw_rules):
        where = f"rules[{n}] ({raw.get('id') if isinstance(raw, dict) else '?'})"
        if not isinstance(raw, dict):
            problems.add(where, "each rule must be a mapping")
            continue
        rid = raw.get("id")
        if not isinstance(rid, str) or not _ID.match(rid):
            problems.add(where, "'id' must be lower_snake_case")
            continue
        if rid in rule_ids:
            problems.add(where, f"duplicate rule id {rid!r}")
        rule_ids.add(rid)
        unknown = set(raw) - {"id", "all", "any", "unless_any", "risk", "danger_now", "labels", "sources"}
        if unknown:
            problems.add(where, f"unknown key(s) {sorted(unknown)}")
        all_refs = raw.get("all", []) or []
        any_refs = raw.get("any", []) or []
        unless_refs = raw.get("unless_any", []) or []
        if not all(isinstance(x, list) for x in (all_refs, any_refs, unless_refs)):
            problems.add(where, "'all', 'any' and 'unless_any' must be lists")
            continue
        if not all_refs:
            problems.add(where, "'all' must name at least one indicator")
        for ref in [*all_refs, *any_refs, *unless_refs]:
            check_ref(ref, where)
        risk = raw.get("risk")
        if risk not in RISKS:
            problems.add(where, f"'risk' must be one of {', '.join(RISKS)}, got {risk!r}")
        danger = raw.get("danger_now", False)
        if not isinstance(danger, bool):
            problems.add(where, "'danger_now' must be true or false")
        rules.append(Rule(
            id=rid, all=tuple(all_refs), any=tuple(any_refs), unless_any=tuple(unless_refs), risk=risk if risk in RISKS else "low",
            danger_now=bool(danger), labels=_labels(raw.get("labels"), where, problems),
            sources=_sources(raw.get("sources"), f"{where}.sources", documents, problems),
        ))

    if problems:
        raise CatalogError(path, problems)
    return Catalog(
        version=int(data["version"]), high=high, medium=medium, mitigation_floor=floor or 0.0,
        negators=frozenset(n.strip() for n in negators), documents=documents,
        indicators=tuple(indicators), rules=tuple(rules), path=path,
    )


def read_yaml(path: Path) -> Any:
    try:
        return yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise CatalogError(path, ["file not found"]) from exc
    except yaml.YAMLError as exc:
        raise CatalogError(path, [f"not valid YAML: {exc}"]) from exc


def load_catalog(path: Path | str | None = None, *, advice_keys: Iterable[str] | None = None) -> Catalog:
    """Read and validate indicators.yml (the packaged one by default)."""
    from bot.screening.extractors import EXTRACTORS

    path = Path(path or INDICATORS_FILE)
    if advice_keys is None:
        from bot.screening.messages import load_messages

        advice_keys = load_messages().advice.keys()
    return parse_catalog(read_yaml(path), str(path), advice_keys=advice_keys, extractors=EXTRACTORS)
