"""Classroom modules: short recruitment scenarios with multiple-choice answers, as YAML data.

Teachers and NGOs adapt the files in ``bot/classroom/modules/`` (or a folder named by
``WILLAKUY_CLASSROOM_MODULES``). Every file is checked when loaded; a mistake stops the
load with the file, the field and what is wrong (``ModuleError``), never with a half
module in front of a class.

Learner-facing texts carry one entry per language (``es``, ``qu``). A module can be
played in a language only when *every* learner-facing text has that language
(``missing_texts``); the teacher's debrief notes are Spanish only, like the console.
Helpline numbers are never written in a module: they are placeholders such as
``{police_number}`` filled from ``bot/content/helplines.yml``.
"""
from __future__ import annotations

import functools
import re
import string
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping

import yaml

from bot.config import get_settings
from bot.content.topics import DIGEST_PREFIX, KNOWN_PLACEHOLDERS

# The modules shipped with Willakuy; WILLAKUY_CLASSROOM_MODULES (bot.config) may name another folder.
MODULES_DIR = Path(__file__).resolve().parent / "modules"
LANGUAGES = ("es", "qu")
LANGUAGE_NAMES = {"es": "castellano", "qu": "quechua"}
CHOICE_IDS = ("a", "b", "c", "d")
REVIEW_STATUSES = ("pending native speaker", "native-reviewed")
# One phone bubble each: a scenario, a choice (a button title is shorter still).
MAX_TEXT = {"title": 80, "intro": 400, "scenario": 420, "choice": 120, "explanation": 480, "closing": 400}
MIN_QUESTIONS, MAX_QUESTIONS = 2, 12
MAX_FEEDBACK = 300

_ID = re.compile(r"^[a-z][a-z0-9_]{1,39}$")
_LINE_REF = re.compile(r"^L\d+(?:\s*[–-]\s*L?\d+)?$")
_SECTION = re.compile(r"^§\d+(?:\.\d+)*$")


class ModuleError(ValueError):
    """A module file is wrong: which file, which field, what is wrong."""

    def __init__(self, file: str, field: str, problem: str):
        self.file, self.field, self.problem = file, field, problem
        super().__init__(f"{file}: {field}: {problem}")


@dataclass(frozen=True)
class Source:
    doc: str
    section: str = ""
    lines: tuple[str, ...] = ()
    ref: str = ""


@dataclass(frozen=True)
class Choice:
    id: str
    text: Mapping[str, str]
    correct: bool
    feedback: Mapping[str, str]  # optional extra words for this choice, per language


@dataclass(frozen=True)
class Question:
    id: str
    scenario: Mapping[str, str]
    choices: tuple[Choice, ...]
    explanation: Mapping[str, str]
    debrief: str
    sources: tuple[Source, ...]

    @property
    def correct(self) -> Choice:
        return next(c for c in self.choices if c.correct)

    def choice(self, choice_id: str) -> Choice | None:
        return next((c for c in self.choices if c.id == choice_id), None)


@dataclass(frozen=True)
class Module:
    id: str
    file: str
    title: Mapping[str, str]
    summary: str
    review: str
    intro: Mapping[str, str]
    questions: tuple[Question, ...]
    closing: Mapping[str, str]

    def texts(self) -> list[tuple[str, Mapping[str, str]]]:
        """Every learner-facing text with the path of its field."""
        out: list[tuple[str, Mapping[str, str]]] = [("title", self.title), ("intro", self.intro)]
        for q in self.questions:
            out.append((f"questions.{q.id}.scenario", q.scenario))
            out.append((f"questions.{q.id}.explanation", q.explanation))
            for c in q.choices:
                out.append((f"questions.{q.id}.choices.{c.id}.text", c.text))
                if c.feedback:
                    out.append((f"questions.{q.id}.choices.{c.id}.feedback", c.feedback))
        out.append(("closing", self.closing))
        return out

    def missing_texts(self, language: str) -> list[str]:
        """Fields that lack a text in ``language`` (empty: the module can be played in it)."""
        return [path for path, text in self.texts() if not text.get(language)]

    def languages(self) -> tuple[str, ...]:
        return tuple(lang for lang in LANGUAGES if not self.missing_texts(lang))

    def question(self, question_id: str) -> Question | None:
        return next((q for q in self.questions if q.id == question_id), None)


# ---------------------------------------------------------------- parsing


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def _texts(file: str, field: str, value: Any, limit: int, *, required: bool = True) -> dict[str, str]:
    if value is None and not required:
        return {}
    if not isinstance(value, dict) or not value:
        raise ModuleError(file, field, "must be a mapping of language to text, e.g. {es: ..., qu: ...}")
    out: dict[str, str] = {}
    for lang, text in value.items():
        if lang not in LANGUAGES:
            raise ModuleError(file, f"{field}.{lang}", f"unknown language; use one of {', '.join(LANGUAGES)}")
        if text is None or (isinstance(text, str) and not text.strip()):
            continue  # an empty translation counts as missing
        if not isinstance(text, str):
            raise ModuleError(file, f"{field}.{lang}", "must be text")
        text = " ".join(text.split())
        if len(text) > limit:
            raise ModuleError(file, f"{field}.{lang}", f"is {len(text)} characters; at most {limit} fit a phone bubble")
        try:
            unknown = _placeholders(text) - KNOWN_PLACEHOLDERS
        except ValueError:
            raise ModuleError(file, f"{field}.{lang}", "has an unmatched { or }") from None
        if unknown:
            raise ModuleError(file, f"{field}.{lang}",
                              f"unknown placeholder {{{sorted(unknown)[0]}}}; allowed: {', '.join(sorted(KNOWN_PLACEHOLDERS))}")
        if re.search(r"\b(?:0800|1818|105)\b", text):
            raise ModuleError(file, f"{field}.{lang}",
                              "writes a helpline number; use {police_number} or {hotline_label} instead")
        out[lang] = text
    if required and "es" not in out:
        raise ModuleError(file, f"{field}.es", "is missing; every module is written in Spanish first")
    return out


def _sources(file: str, field: str, value: Any) -> tuple[Source, ...]:
    if not isinstance(value, list) or not value:
        raise ModuleError(file, field, "needs at least one source (doc + lines of a knowledge digest)")
    out = []
    for i, item in enumerate(value):
        where = f"{field}[{i}]"
        if not isinstance(item, dict) or not isinstance(item.get("doc"), str) or not item["doc"].strip():
            raise ModuleError(file, f"{where}.doc", "is missing")
        doc = item["doc"].strip()
        if doc.startswith(DIGEST_PREFIX):
            lines = item.get("lines")
            refs = [r.strip() for r in str(lines or "").split(",") if r.strip()]
            if not refs or not all(_LINE_REF.match(r) for r in refs):
                raise ModuleError(file, f"{where}.lines", "must list source lines like 'L625, L1022–L1026'")
            section = str(item.get("section") or "").strip()
            if section and not _SECTION.match(section):
                raise ModuleError(file, f"{where}.section", "must look like '§4.1'")
            out.append(Source(doc=doc, section=section, lines=tuple(refs)))
        else:
            ref = str(item.get("ref") or "").strip()
            if not ref:
                raise ModuleError(file, f"{where}.ref", "a source outside the digests needs a ref (what part of it)")
            out.append(Source(doc=doc, ref=ref))
    return tuple(out)


def _question(file: str, index: int, raw: Any, seen: set[str]) -> Question:
    where = f"questions[{index}]"
    if not isinstance(raw, dict):
        raise ModuleError(file, where, "must be a mapping")
    qid = raw.get("id")
    if not isinstance(qid, str) or not _ID.match(qid):
        raise ModuleError(file, f"{where}.id", "must be a short lowercase id like 'q1' or 'oferta_mina'")
    if qid in seen:
        raise ModuleError(file, f"{where}.id", f"'{qid}' is used twice")
    seen.add(qid)
    where = f"questions.{qid}"
    raw_choices = raw.get("choices")
    if not isinstance(raw_choices, list) or not 2 <= len(raw_choices) <= len(CHOICE_IDS):
        raise ModuleError(file, f"{where}.choices", f"needs 2 to {len(CHOICE_IDS)} choices")
    choices = []
    for i, rc in enumerate(raw_choices):
        expected = CHOICE_IDS[i]
        if not isinstance(rc, dict):
            raise ModuleError(file, f"{where}.choices[{i}]", "must be a mapping")
        if rc.get("id") != expected:
            raise ModuleError(file, f"{where}.choices[{i}].id", f"must be '{expected}' (choices are a, b, c, d in order)")
        correct = rc.get("correct", False)
        if not isinstance(correct, bool):
            raise ModuleError(file, f"{where}.choices.{expected}.correct", "must be true or false")
        choices.append(Choice(
            id=expected,
            text=_texts(file, f"{where}.choices.{expected}.text", rc.get("text"), MAX_TEXT["choice"]),
            correct=correct,
            feedback=_texts(file, f"{where}.choices.{expected}.feedback", rc.get("feedback"), MAX_FEEDBACK,
                            required=False),
        ))
    if sum(c.correct for c in choices) != 1:
        raise ModuleError(file, f"{where}.choices", "exactly one choice must have correct: true")
    debrief = raw.get("debrief")
    if not isinstance(debrief, str) or not debrief.strip():
        raise ModuleError(file, f"{where}.debrief", "is missing: what the teacher can ask or stress after this question")
    return Question(
        id=qid,
        scenario=_texts(file, f"{where}.scenario", raw.get("scenario"), MAX_TEXT["scenario"]),
        choices=tuple(choices),
        explanation=_texts(file, f"{where}.explanation", raw.get("explanation"), MAX_TEXT["explanation"]),
        debrief=" ".join(debrief.split()),
        sources=_sources(file, f"{where}.sources", raw.get("sources")),
    )


def parse_module(raw: Any, file: str) -> Module:
    """Check one module's data; raises ModuleError naming the field."""
    if not isinstance(raw, dict):
        raise ModuleError(file, "(file)", "must be a YAML mapping with id, title, intro, questions, closing")
    known = {"id", "title", "summary", "review", "intro", "questions", "closing"}
    for key in raw:
        if key not in known:
            raise ModuleError(file, str(key), f"unknown field; known fields: {', '.join(sorted(known))}")
    mid = raw.get("id")
    if not isinstance(mid, str) or not _ID.match(mid):
        raise ModuleError(file, "id", "must be a lowercase id (letters, digits, _), e.g. 'ofertas_enganosas'")
    stem = Path(file).stem
    if stem != mid:
        raise ModuleError(file, "id", f"'{mid}' must match the file name ('{stem}.yml')")
    summary = raw.get("summary")
    if not isinstance(summary, str) or not summary.strip():
        raise ModuleError(file, "summary", "is missing: one line for teachers on what the module covers")
    raw_questions = raw.get("questions")
    if not isinstance(raw_questions, list) or not MIN_QUESTIONS <= len(raw_questions) <= MAX_QUESTIONS:
        raise ModuleError(file, "questions", f"needs {MIN_QUESTIONS} to {MAX_QUESTIONS} questions")
    seen: set[str] = set()
    questions = tuple(_question(file, i, q, seen) for i, q in enumerate(raw_questions))
    module = Module(
        id=mid,
        file=file,
        title=_texts(file, "title", raw.get("title"), MAX_TEXT["title"]),
        summary=" ".join(summary.split()),
        review=str(raw.get("review") or ""),
        intro=_texts(file, "intro", raw.get("intro"), MAX_TEXT["intro"]),
        questions=questions,
        closing=_texts(file, "closing", raw.get("closing"), MAX_TEXT["closing"]),
    )
    has_quechua = any(t.get("qu") for _, t in module.texts())
    if has_quechua and module.review not in REVIEW_STATUSES:
        raise ModuleError(file, "review",
                          f"a module with Quechua texts must say their review status: one of {REVIEW_STATUSES}")
    return module


def load_file(path: Path) -> Module:
    name = path.name
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark else "(file)"
        raise ModuleError(name, where, f"is not valid YAML ({getattr(exc, 'problem', None) or exc})") from None
    return parse_module(raw, name)


def modules_dir() -> Path:
    return get_settings().classroom_modules_dir


def load_modules(directory: Path | None = None) -> dict[str, Module]:
    """Every ``*.yml`` in the folder, checked; ordered by file name."""
    folder = directory or modules_dir()
    out: dict[str, Module] = {}
    for path in sorted(folder.glob("*.yml")):
        module = load_file(path)
        out[module.id] = module
    if not out:
        raise ModuleError(str(folder), "(folder)", "holds no module (*.yml)")
    return out


@functools.lru_cache(maxsize=4)
def _cached(folder: str) -> dict[str, Module]:
    return load_modules(Path(folder))


def all_modules() -> dict[str, Module]:
    return _cached(str(modules_dir()))


def get_module(module_id: str) -> Module | None:
    return all_modules().get(module_id)


def text(texts: Mapping[str, str], language: str, values: Mapping[str, str] | None = None) -> str:
    """One text in ``language`` with placeholders filled (a module is only started in a language it has)."""
    raw = texts.get(language) or texts["es"]
    return raw.format(**values) if values is not None else raw
