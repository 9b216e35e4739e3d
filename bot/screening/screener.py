"""screen(text) -> ScreenResult: indicators with evidence, a score, a risk level.

Deterministic and explainable on purpose: every point of the score comes from an
indicator with the person's own words as evidence, or from a named rule in
indicators.yml. An optional learned score (bot/screening/learned.py, configured in
learned.yml) may raise the level afterwards, never lower it; it adds no indicator.
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping

from bot.screening.catalog import Catalog, Rule, load_catalog
from bot.screening.match import find_hits
from bot.screening.normalize import Normalized, normalize, shorten

MAX_CHARS = 20_000          # longer input is cut: adverts are a few thousand characters
EVIDENCE_CHARS = 80
RISK_ORDER = {"low": 0, "medium": 1, "high": 2}


@dataclass(frozen=True)
class Indicator:
    id: str
    evidence: str
    weight: float
    source: str = "text"                 # "text" or "answer"
    groups: tuple[str, ...] = ()
    answer: tuple[str, str] | None = None  # (question id, choice id) for answers

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "evidence": self.evidence}


@dataclass(frozen=True)
class ScreenResult:
    risk: str
    score: float
    indicators: list[Indicator]
    mitigating: list[Indicator] = field(default_factory=list)
    rules: list[str] = field(default_factory=list)
    offer_case: bool = False
    danger_now: bool = False
    lang: str = "es"
    ask_questions: bool = False
    truncated: bool = False
    # {"score": p, "raised": bool[, "from": level]} when the learned score was applied.
    learned: dict[str, Any] | None = None

    @property
    def ids(self) -> list[str]:
        return [i.id for i in self.indicators]

    def to_dict(self, full: bool = False) -> dict[str, Any]:
        out: dict[str, Any] = {
            "risk": self.risk,
            "score": self.score,
            "indicators": [i.to_dict() for i in self.indicators],
        }
        if self.learned is not None:
            out["learned"] = dict(self.learned)
        if full:
            out.update({
                "weights": {i.id: i.weight for i in self.indicators},
                "mitigating": [i.to_dict() for i in self.mitigating],
                "rules": list(self.rules),
                "offer_case": self.offer_case,
                "danger_now": self.danger_now,
                "lang": self.lang,
                "ask_questions": self.ask_questions,
                "truncated": self.truncated,
            })
        return out


@functools.lru_cache(maxsize=1)
def default_catalog() -> Catalog:
    return load_catalog()


# ----------------------------------------------------------------------------- language

# Frequent Quechua words and endings. The project's language package is the real
# identifier; this only picks the language of the answer when none is given.
_QU_WORD = re.compile(
    r"\b(kani|kanki|kan|kanku|kachkani|nin|ninku|niwan|niwanku|mana|manam|ama|imata|imaynalla|"
    r"allinllachu|chay|kay|hina|paqarin|kunan|qam|nuqa|noqa|ari|hinaspa|ichaqa|yanapa\w*|"
    r"willa\w*|ll?a[mn]ka\w*|q[ou]ll?q[ei]\w*|wasi\w*|wawa\w*|ayllu\w*|tayta\w*|"
    r"\w+(?:manta|nchik|nchis|ykita|ykiwan|yki|sunki|wanku|saqku|chkani|chkan|rqani|rqanku|kuna|kunata|pi|man|qa|mi|chu|ta))\b"
)
_SPANISH_HINT = re.compile(r"\b(el|la|los|las|de|que|y|en|un|una|por|para|con|se|del|al|es|no|mi|tu|su)\b")


def guess_lang(plain_text: str) -> str:
    qu = len(_QU_WORD.findall(plain_text))
    es = len(_SPANISH_HINT.findall(plain_text))
    return "qu" if qu >= 2 and qu >= es * 0.8 else "es"


# ----------------------------------------------------------------------------- scoring


def _present(ref: str, found: Mapping[str, Indicator]) -> bool:
    iid, _, group = ref.partition(".")
    ind = found.get(iid)
    return ind is not None and (not group or group in ind.groups)


def rule_fires(rule: Rule, found: Mapping[str, Indicator]) -> bool:
    if not all(_present(r, found) for r in rule.all):
        return False
    if any(_present(r, found) for r in rule.unless_any):
        return False
    return not rule.any or any(_present(r, found) for r in rule.any)


def score_indicators(indicators: Iterable[Indicator], catalog: Catalog, *, lang: str = "es",
                     truncated: bool = False) -> ScreenResult:
    """Combine indicators (from text and/or answers) into a ScreenResult."""
    risky: dict[str, Indicator] = {}
    mitigating: dict[str, Indicator] = {}
    order = {iid: n for n, iid in enumerate(catalog.ids)}
    for ind in indicators:
        target = mitigating if catalog.get(ind.id).mitigating else risky
        if ind.id in target:
            # Keep the text's words over an answer, and the union of groups.
            old = target[ind.id]
            keep = old if old.source == "text" or ind.source != "text" else ind
            groups = tuple(dict.fromkeys(old.groups + ind.groups))
            target[ind.id] = Indicator(keep.id, keep.evidence, max(old.weight, ind.weight),
                                       keep.source, groups, keep.answer)
        else:
            target[ind.id] = ind

    score = 0.0
    for ind in risky.values():
        subsumed = any(other in risky for other in catalog.get(ind.id).subsumed_by)
        if not subsumed:
            score += ind.weight
    mitigation = max(catalog.mitigation_floor, sum(i.weight for i in mitigating.values()))
    score = round(max(0.0, score + mitigation), 2)

    risk = "high" if score >= catalog.high else "medium" if score >= catalog.medium else "low"
    fired = [r for r in catalog.rules if rule_fires(r, {**risky, **mitigating})]
    for rule in fired:
        if RISK_ORDER[rule.risk] > RISK_ORDER[risk]:
            risk = rule.risk
    danger = any(r.danger_now for r in fired)
    ordered = sorted(risky.values(), key=lambda i: (-i.weight, order[i.id]))
    return ScreenResult(
        risk=risk,
        score=score,
        indicators=ordered,
        mitigating=sorted(mitigating.values(), key=lambda i: order[i.id]),
        rules=[r.id for r in fired],
        offer_case=risk == "high",
        danger_now=danger,
        lang=lang,
        ask_questions=risk != "high" and not danger,
        truncated=truncated,
    )


def text_indicators(text: str, catalog: Catalog | None = None) -> tuple[list[Indicator], str, bool]:
    """Indicators found in a free text, the guessed language, and whether it was cut."""
    found, lang, truncated, _ = _text_indicators(text, catalog)
    return found, lang, truncated


def _text_indicators(text: str, catalog: Catalog | None = None) -> tuple[list[Indicator], str, bool, Normalized]:
    catalog = catalog or default_catalog()
    if not isinstance(text, str):
        raise TypeError(f"text must be a string, got {type(text).__name__}")
    truncated = len(text) > MAX_CHARS
    norm = normalize(text[:MAX_CHARS])
    found = []
    for hit in find_hits(norm, catalog):
        ind = catalog.get(hit.id)
        evidence = norm.quote(hit.start, hit.end, EVIDENCE_CHARS)
        if hit.extra:
            evidence = shorten(evidence + " … " + norm.quote(*hit.extra, limit=40), EVIDENCE_CHARS + 45)
        weight = max(ind.group_weight(g) for g in hit.groups) if ind.weight > 0 else min(
            ind.group_weight(g) for g in hit.groups)
        found.append(Indicator(hit.id, evidence, weight, "text", hit.groups))
    return found, guess_lang(norm.text), truncated, norm


def _with_learned(result: ScreenResult, norm: Normalized, learned: bool | None) -> ScreenResult:
    """Apply the learned score when asked (True), or when learned.yml enables it (None)."""
    if learned is False:
        return result
    from bot.screening import learned as lm

    rule = lm.load_rule()
    if learned is None and not rule.enabled:
        return result
    return lm.apply(result, norm.text, rule, norm=norm)


def screen(text: str, *, lang: str | None = None, catalog: Catalog | None = None,
           learned: bool | None = None) -> ScreenResult:
    """Screen a job offer (pasted advert or a description) in Spanish, Quechua or both.

    `learned`: None follows learned.yml (`enabled`), False gives the patterns alone,
    True applies the learned score's rule even when it is disabled in learned.yml.
    """
    catalog = catalog or default_catalog()
    found, guessed, truncated, norm = _text_indicators(text, catalog)
    result = score_indicators(found, catalog, lang=lang or guessed, truncated=truncated)
    return _with_learned(result, norm, learned)


def screen_with_answers(text: str, answers: Mapping[str, Any] | None, *, lang: str | None = None,
                        catalog: Catalog | None = None, learned: bool | None = None) -> ScreenResult:
    """Screen a text together with the answers to the guided questions."""
    from bot.screening.questions import indicators_from_answers

    catalog = catalog or default_catalog()
    found, guessed, truncated, norm = _text_indicators(text or "", catalog)
    from_answers = indicators_from_answers(answers or {}, catalog=catalog)
    if not (text or "").strip() and lang is None:
        guessed = "es"
    result = score_indicators([*found, *from_answers], catalog, lang=lang or guessed, truncated=truncated)
    return _with_learned(result, norm, learned)
