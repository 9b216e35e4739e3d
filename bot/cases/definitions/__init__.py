"""Versioned case taxonomy: categories, statuses and their moves, purposes, bands...

The taxonomy is data (``v1/*.yml``), following the HRM/Aselo pattern: every record
stores the ``DEFINITION_VERSION`` it was made with, so a later ``v2`` can rename or
split values without rewriting history. ``load()`` validates the files and fails
with a message that names the file, the value and what is wrong.
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Iterator, Mapping

import yaml

DEFINITION_VERSION = "v1"
DEFINITIONS_DIR = Path(__file__).resolve().parent
LANGUAGES = ("es", "qu")

VOCABULARIES = (
    "categories",
    "statuses",
    "purposes",
    "recruitment",
    "recruiter_relationship",
    "control_means",
    "age_bands",
    "sex",
    "reporter_roles",
    "channels",
    "languages",
    "derivation_targets",
)
TRANSITION_REQUIREMENTS = frozenset({"reason", "supervisor", "derivation"})
PURPOSE_GROUPS = frozenset({"sexual", "labour", "other", "unknown"})
_CODE = re.compile(r"^[a-z0-9_]+$")
_VERSION = re.compile(r"^v[0-9]+$")


class DefinitionError(ValueError):
    """A definition file is missing or malformed; the message says where."""


class TransitionError(ValueError):
    """A status change is not allowed, or lacks what it requires."""


@dataclass(frozen=True)
class Value:
    code: str
    label: Mapping[str, str]
    source: str
    extra: Mapping[str, Any] = field(default_factory=dict)
    subtypes: tuple["Value", ...] = ()

    def text(self, lang: str = "es") -> str:
        return self.label.get(lang) or self.label["es"]


@dataclass(frozen=True)
class Vocabulary:
    name: str
    multi: bool
    values: tuple[Value, ...]

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(v.code for v in self.values)

    def __contains__(self, code: object) -> bool:
        return any(v.code == code for v in self.values)

    def __iter__(self) -> Iterator[Value]:
        return iter(self.values)

    def get(self, code: str) -> Value:
        for value in self.values:
            if value.code == code:
                return value
        raise KeyError(f"{code!r} is not a value of {self.name} (expected one of: {', '.join(self.codes)})")

    def label(self, code: str, lang: str = "es") -> str:
        return self.get(code).text(lang)


@dataclass(frozen=True)
class Transition:
    source: str
    target: str
    requires: frozenset[str]


@dataclass(frozen=True)
class Workflow:
    initial: str
    terminal: frozenset[str]
    transitions: tuple[Transition, ...]

    def find(self, source: str, target: str) -> Transition | None:
        for t in self.transitions:
            if t.source == source and t.target == target:
                return t
        return None

    def next_statuses(self, source: str) -> tuple[str, ...]:
        return tuple(t.target for t in self.transitions if t.source == source)

    def check(
        self,
        source: str,
        target: str,
        *,
        reason: str | None = None,
        is_supervisor: bool = False,
        derivations: Iterable[str] = (),
    ) -> Transition:
        """Return the transition if allowed; raise TransitionError saying why not."""
        t = self.find(source, target)
        if t is None:
            allowed = ", ".join(self.next_statuses(source)) or "none"
            raise TransitionError(f"cannot move a case from {source!r} to {target!r} (allowed from {source!r}: {allowed})")
        if "reason" in t.requires and not (reason and reason.strip()):
            raise TransitionError(f"moving from {source!r} to {target!r} needs a reason")
        if "supervisor" in t.requires and not is_supervisor:
            raise TransitionError(f"only a supervisor can move a case from {source!r} to {target!r}")
        if "derivation" in t.requires and not list(derivations):
            raise TransitionError(f"moving to {target!r} needs at least one derivation target")
        return t


@dataclass(frozen=True)
class Definitions:
    version: str
    vocabularies: Mapping[str, Vocabulary]
    workflow: Workflow

    def __getitem__(self, name: str) -> Vocabulary:
        return self.vocabularies[name]

    def __getattr__(self, name: str) -> Vocabulary:
        # Only called when normal lookup fails: defs.purposes, defs.sex, ...
        try:
            return self.__dict__["vocabularies"][name]
        except KeyError:
            raise AttributeError(name) from None

    def subtypes(self, category: str) -> tuple[str, ...]:
        return tuple(s.code for s in self["categories"].get(category).subtypes)


def _fail(where: str, message: str) -> DefinitionError:
    return DefinitionError(f"{where}: {message}")


def _parse_value(raw: Any, where: str, lang_required: bool = True) -> Value:
    if not isinstance(raw, dict):
        raise _fail(where, f"each value must be a mapping, got {type(raw).__name__}")
    code = raw.get("code")
    if not isinstance(code, str) or not _CODE.match(code):
        raise _fail(where, f"'code' must be lowercase letters, digits or '_', got {code!r}")
    where = f"{where} ({code!r})"
    label = raw.get("label")
    if not isinstance(label, dict):
        raise _fail(where, "missing 'label' with 'es' and 'qu'")
    for lang in LANGUAGES:
        if not isinstance(label.get(lang), str) or not label[lang].strip():
            raise _fail(where, f"missing label in {lang!r}")
    source = raw.get("source")
    if not isinstance(source, str) or not source.strip():
        raise _fail(where, "missing 'source' (digest section and source lines)")
    subtypes_raw = raw.get("subtypes") or []
    if not isinstance(subtypes_raw, list):
        raise _fail(where, "'subtypes' must be a list")
    subtypes = tuple(_parse_value(s, f"{where} subtype #{i + 1}") for i, s in enumerate(subtypes_raw))
    _no_duplicates([s.code for s in subtypes], where + " subtypes")
    extra = {k: v for k, v in raw.items() if k not in ("code", "label", "source", "subtypes")}
    return Value(code=code, label=dict(label), source=source, extra=extra, subtypes=subtypes)


def _no_duplicates(codes: list[str], where: str) -> None:
    seen: set[str] = set()
    for code in codes:
        if code in seen:
            raise _fail(where, f"duplicate code {code!r}")
        seen.add(code)


def _read(path: Path) -> dict[str, Any]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise DefinitionError(f"{path}: definition file is missing") from None
    except yaml.YAMLError as exc:
        raise DefinitionError(f"{path}: not valid YAML ({exc})") from None
    if not isinstance(data, dict):
        raise DefinitionError(f"{path}: must be a mapping with 'vocabulary', 'multi' and 'values'")
    return data


def _parse_vocabulary(name: str, data: Mapping[str, Any], where: str) -> Vocabulary:
    if data.get("vocabulary") != name:
        raise _fail(where, f"'vocabulary' must be {name!r}, got {data.get('vocabulary')!r}")
    if not isinstance(data.get("multi"), bool):
        raise _fail(where, "'multi' must be true or false")
    raw_values = data.get("values")
    if not isinstance(raw_values, list) or not raw_values:
        raise _fail(where, "'values' must be a non-empty list")
    values = tuple(_parse_value(v, f"{where} value #{i + 1}") for i, v in enumerate(raw_values))
    _no_duplicates([v.code for v in values], where)
    return Vocabulary(name=name, multi=data["multi"], values=values)


def _check_extras(name: str, vocab: Vocabulary, where: str) -> None:
    if name == "age_bands":
        for v in vocab:
            minor = v.extra.get("minor")
            if minor is not None and not isinstance(minor, bool):
                raise _fail(f"{where} ({v.code!r})", "'minor' must be true, false or absent")
            lo, hi = v.extra.get("min"), v.extra.get("max")
            if (lo is None) != (hi is None):
                raise _fail(f"{where} ({v.code!r})", "give both 'min' and 'max' or neither")
            if lo is not None:
                if not (isinstance(lo, int) and isinstance(hi, int) and 0 <= lo <= hi):
                    raise _fail(f"{where} ({v.code!r})", "'min' and 'max' must be whole years with min <= max")
                if minor is not (hi < 18):
                    raise _fail(f"{where} ({v.code!r})", "'minor' disagrees with the band's ages")
    if name == "purposes":
        for v in vocab:
            if v.extra.get("group") not in PURPOSE_GROUPS:
                raise _fail(f"{where} ({v.code!r})", f"'group' must be one of {sorted(PURPOSE_GROUPS)}")


def _parse_workflow(data: Mapping[str, Any], statuses: Vocabulary, where: str) -> Workflow:
    codes = set(statuses.codes)
    initial = data.get("initial")
    if initial not in codes:
        raise _fail(where, f"'initial' must be one of the statuses, got {initial!r}")
    terminal = frozenset(v.code for v in statuses if v.extra.get("terminal"))
    raw = data.get("transitions")
    if not isinstance(raw, list) or not raw:
        raise _fail(where, "'transitions' must be a non-empty list")
    transitions: list[Transition] = []
    seen: set[tuple[str, str]] = set()
    for i, item in enumerate(raw):
        here = f"{where} transition #{i + 1}"
        if not isinstance(item, dict):
            raise _fail(here, "must be a mapping with 'from' and 'to'")
        src, dst = item.get("from"), item.get("to")
        for end in (src, dst):
            if end not in codes:
                raise _fail(here, f"unknown status {end!r}")
        if src == dst:
            raise _fail(here, f"a status cannot move to itself ({src!r})")
        if (src, dst) in seen:
            raise _fail(here, f"duplicate transition {src!r} -> {dst!r}")
        seen.add((src, dst))
        requires = item.get("requires") or []
        if not isinstance(requires, list) or not set(requires) <= TRANSITION_REQUIREMENTS:
            raise _fail(here, f"'requires' must be a list drawn from {sorted(TRANSITION_REQUIREMENTS)}")
        if src in terminal and "supervisor" not in requires:
            raise _fail(here, f"{src!r} is terminal: only a supervisor may reopen it")
        transitions.append(Transition(src, dst, frozenset(requires)))
    flow = Workflow(initial=initial, terminal=terminal, transitions=tuple(transitions))
    # Every status must be reachable, and every non-terminal one must lead somewhere.
    reached, todo = {initial}, [initial]
    while todo:
        for nxt in flow.next_statuses(todo.pop()):
            if nxt not in reached:
                reached.add(nxt)
                todo.append(nxt)
    if codes - reached:
        raise _fail(where, f"statuses not reachable from {initial!r}: {sorted(codes - reached)}")
    for code in codes - terminal:
        if not flow.next_statuses(code):
            raise _fail(where, f"non-terminal status {code!r} has no way out")
    return flow


def load_dir(directory: Path, version: str) -> Definitions:
    """Load and validate every vocabulary in ``directory``."""
    vocabularies: dict[str, Vocabulary] = {}
    workflow = None
    for name in VOCABULARIES:
        path = Path(directory) / f"{name}.yml"
        where = f"definitions/{version}/{name}.yml"
        data = _read(path)
        vocab = _parse_vocabulary(name, data, where)
        _check_extras(name, vocab, where)
        vocabularies[name] = vocab
        if name == "statuses":
            workflow = _parse_workflow(data, vocab, where)
    assert workflow is not None
    return Definitions(version=version, vocabularies=vocabularies, workflow=workflow)


@functools.lru_cache(maxsize=4)
def load(version: str = DEFINITION_VERSION) -> Definitions:
    """The validated taxonomy for ``version`` (cached: files are read once)."""
    if not _VERSION.match(version):
        raise DefinitionError(f"definition version must look like 'v1', got {version!r}")
    directory = DEFINITIONS_DIR / version
    if not directory.is_dir():
        known = sorted(p.name for p in DEFINITIONS_DIR.iterdir() if p.is_dir() and _VERSION.match(p.name))
        raise DefinitionError(f"no definitions for version {version!r} (known: {', '.join(known)})")
    return load_dir(directory, version)
