"""Guided questions (questions.yml) and the indicators their answers add.

When a pasted offer says little ("me ofrecen trabajo, ¿es seguro?"), the assistant asks
a few short questions, one at a time, each with buttons and each skippable. The
answers become indicators like the text's, so scoring and explanation stay the same.
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping

from bot.screening.catalog import DATA_DIR, LANGS, Catalog, CatalogError, read_yaml
from bot.screening.normalize import plain, shorten

QUESTIONS_FILE = DATA_DIR / "questions.yml"
SKIP = "skip"
FREE_TEXT_KINDS = ("indicators", "age")
_ID = re.compile(r"^[a-z0-9][a-z0-9_]*$")
_NUMBER = re.compile(r"\b(\d{1,3})\b")
_SAME_PLACE = re.compile(r"\b(aqui|aca|mismo|misma|mi pueblo|mi ciudad|mi comunidad|kaypi|kikin|llaqtaypi)\b")


@dataclass(frozen=True)
class Choice:
    id: str
    label: Mapping[str, str]
    indicators: tuple[str, ...]


@dataclass(frozen=True)
class Question:
    id: str
    text: Mapping[str, str]
    choices: tuple[Choice, ...]
    covered_by: tuple[str, ...] = ()
    free_text: str | None = None
    free_text_indicators: tuple[str, ...] = ()

    def choice(self, choice_id: str) -> Choice | None:
        return next((c for c in self.choices if c.id == choice_id), None)

    def buttons(self, lang: str, skip_label: Mapping[str, str]) -> list[dict[str, str]]:
        """Button payloads for a channel: every choice plus the skip button."""
        lang = lang if lang in LANGS else "es"
        return [{"id": c.id, "title": c.label[lang]} for c in self.choices] + [
            {"id": SKIP, "title": skip_label[lang]}
        ]


@dataclass(frozen=True)
class Questionnaire:
    questions: tuple[Question, ...]
    skip_label: Mapping[str, str]

    def get(self, question_id: str) -> Question | None:
        return next((q for q in self.questions if q.id == question_id), None)


def _texts(raw: Any, where: str, problems: list[str]) -> dict[str, str]:
    if not isinstance(raw, dict):
        problems.append(f"{where}: must be a mapping with 'es' and 'qu'")
        return {}
    out = {}
    for lang in LANGS:
        if not isinstance(raw.get(lang), str) or not raw[lang].strip():
            problems.append(f"{where}: missing '{lang}' text")
        else:
            out[lang] = raw[lang].strip()
    return out


def parse_questions(data: Any, known_ids: Any, path: str = "<data>") -> Questionnaire:
    """Build the questionnaire; `known_ids` are the catalog's indicator ids."""
    problems: list[str] = []
    if not isinstance(data, dict) or not isinstance(data.get("questions"), list) or not data["questions"]:
        raise CatalogError(path, ["needs a non-empty 'questions' list"])
    known = set(known_ids)
    skip_label = _texts(data.get("skip_label"), "skip_label", problems)
    questions: list[Question] = []
    seen: set[str] = set()
    for n, raw in enumerate(data["questions"]):
        if not isinstance(raw, dict):
            problems.append(f"questions[{n}]: must be a mapping")
            continue
        qid = raw.get("id")
        where = f"questions[{n}] ({qid})"
        if not isinstance(qid, str) or not _ID.match(qid):
            problems.append(f"{where}: 'id' must be a lower_snake_case string")
            continue
        if qid in seen:
            problems.append(f"{where}: duplicate question id")
        seen.add(qid)
        text = _texts(raw.get("text"), f"{where}.text", problems)
        free = raw.get("free_text")
        if free is not None and free not in FREE_TEXT_KINDS:
            problems.append(f"{where}: 'free_text' must be one of {FREE_TEXT_KINDS}, got {free!r}")
        free_inds = tuple(raw.get("free_text_indicators", []) or [])
        covered = tuple(raw.get("covered_by", []) or [])
        for ref in (*free_inds, *covered):
            if ref not in known:
                problems.append(f"{where}: unknown indicator {ref!r}")
        if free == "indicators" and not free_inds:
            problems.append(f"{where}: free_text: indicators needs 'free_text_indicators'")
        choices: list[Choice] = []
        raw_choices = raw.get("choices")
        if not isinstance(raw_choices, list) or not raw_choices:
            problems.append(f"{where}: needs a non-empty 'choices' list (the buttons)")
            raw_choices = []
        choice_ids: set[str] = set()
        for k, c in enumerate(raw_choices):
            cwhere = f"{where}.choices[{k}]"
            if not isinstance(c, dict):
                problems.append(f"{cwhere}: must be a mapping")
                continue
            cid = c.get("id")
            if not isinstance(cid, str) or not _ID.match(cid):
                problems.append(f"{cwhere}: 'id' must be a lower_snake_case string, got {cid!r} "
                                "(quote yes/no: YAML reads them as true/false)")
                continue
            if cid == SKIP or cid in choice_ids:
                problems.append(f"{cwhere}: choice id {cid!r} is reserved or duplicated")
            choice_ids.add(cid)
            inds = c.get("indicators", [])
            if not isinstance(inds, list):
                problems.append(f"{cwhere}: 'indicators' must be a list")
                inds = []
            for ref in inds:
                if ref not in known:
                    problems.append(f"{cwhere}: unknown indicator {ref!r}")
            choices.append(Choice(cid, _texts(c.get("label"), f"{cwhere}.label", problems), tuple(inds)))
        questions.append(Question(qid, text, tuple(choices), covered, free, free_inds))
    if problems:
        raise CatalogError(path, problems)
    return Questionnaire(tuple(questions), skip_label)


@functools.lru_cache(maxsize=4)
def _load(path: str, known_ids: tuple[str, ...]) -> Questionnaire:
    return parse_questions(read_yaml(Path(path)), known_ids, path)


def load_questions(path: Path | str | None = None, catalog: Catalog | None = None) -> Questionnaire:
    from bot.screening.screener import default_catalog

    return _load(str(path or QUESTIONS_FILE), (catalog or default_catalog()).ids)


def _age(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value)
    m = _NUMBER.search(plain(str(value)))
    return int(m.group(1)) if m else None


def indicators_from_answers(answers: Mapping[str, Any], *, catalog: Catalog | None = None,
                            questions: Questionnaire | None = None) -> list:
    """Indicators added by the answers {question_id: choice_id | typed text | age}.

    Missing, empty and "skip" answers add nothing. An unknown question id, or an
    unknown choice for a question that takes no typed text, raises ValueError.
    """
    from bot.screening.screener import Indicator, default_catalog, text_indicators

    catalog = catalog or default_catalog()
    questions = questions or load_questions(catalog=catalog)
    if not isinstance(answers, Mapping):
        raise ValueError(f"answers must be a mapping of question id to answer, got {type(answers).__name__}")
    out: list[Indicator] = []

    def add(iid: str, evidence: str, qid: str, cid: str, groups: tuple[str, ...] = ("answer",)) -> None:
        ind = catalog.get(iid)
        out.append(Indicator(iid, evidence, ind.weight, "answer", groups, (qid, cid)))

    for qid, value in answers.items():
        q = questions.get(qid)
        if q is None:
            raise ValueError(f"unknown question {qid!r} (known: {', '.join(x.id for x in questions.questions)})")
        if value is None or (isinstance(value, str) and value.strip().lower() in ("", SKIP)):
            continue
        choice = q.choice(value) if isinstance(value, str) else None
        if choice:
            for iid in choice.indicators:
                add(iid, choice.label["es"], qid, choice.id)
            continue
        if q.free_text == "age":
            age = _age(value)
            if age is None or not 0 < age < 120:
                raise ValueError(f"question {qid!r}: {value!r} is neither a choice nor an age")
            if age < 18:
                add("minor", f"{age}", qid, "typed")
            continue
        if q.free_text == "indicators" and isinstance(value, str):
            found, _, _ = text_indicators(value, catalog)
            hits = [i for i in found if i.id in q.free_text_indicators]
            typed = shorten(value, 60)
            for ind in hits:
                add(ind.id, ind.evidence, qid, "typed", ind.groups)
            if not _SAME_PLACE.search(plain(value)):
                add("travel", typed, qid, "typed")
            continue
        raise ValueError(f"question {qid!r}: {value!r} is not one of "
                         f"{', '.join(c.id for c in q.choices)}")
    return out


def next_question(answers: Mapping[str, Any], result: Any = None, *,
                  questions: Questionnaire | None = None) -> Question | None:
    """The next question to ask, or None when the form is done.

    Skips questions already answered (or skipped) and those whose subject the offer's
    text already settled, so a person is never asked what they already told us.
    """
    questions = questions or load_questions()
    known = set(getattr(result, "ids", []) or [])
    for q in questions.questions:
        if q.id in answers:
            continue
        if known.intersection(q.covered_by):
            continue
        return q
    return None
