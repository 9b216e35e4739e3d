"""Load and validate the screener's answer texts (messages.yml)."""
from __future__ import annotations

import functools
import string
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping

from bot.screening.catalog import DATA_DIR, LANGS, CatalogError, read_yaml

MESSAGES_FILE = DATA_DIR / "messages.yml"

# Placeholders a text may use: helpline values from configuration, plus the slots
# explain() fills in itself.
ALLOWED_PLACEHOLDERS = frozenset({
    "police_number", "hotline_label", "hotline_number", "abroad_label", "violence_line_number",
    "reason", "label", "evidence", "words",
})
_SINGLE = ("main_reason", "reasons_title", "reason_line", "answer_evidence", "danger_now",
           "case_offer", "operator", "advice_title", "questions_intro", "learned_raised",
           "learned_words")


@dataclass(frozen=True)
class Messages:
    risk: Mapping[str, Mapping[str, str]]
    texts: Mapping[str, Mapping[str, str]]
    advice: Mapping[str, Mapping[str, str]]

    def text(self, key: str, lang: str) -> str:
        return self.texts[key][lang]


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def _bilingual(raw: Any, where: str, problems: list[str]) -> dict[str, str]:
    if not isinstance(raw, dict):
        problems.append(f"{where}: must be a mapping with 'es' and 'qu'")
        return {}
    out = {}
    for lang in LANGS:
        text = raw.get(lang)
        if not isinstance(text, str) or not text.strip():
            problems.append(f"{where}: missing '{lang}' text")
            continue
        try:
            unknown = _placeholders(text) - ALLOWED_PLACEHOLDERS
        except ValueError as exc:
            problems.append(f"{where}.{lang}: broken braces in text: {exc}")
            continue
        if unknown:
            problems.append(f"{where}.{lang}: unknown placeholder(s) {sorted(unknown)}")
        out[lang] = text.strip()
    return out


def parse_messages(data: Any, path: str = "<data>") -> Messages:
    problems: list[str] = []
    if not isinstance(data, dict):
        raise CatalogError(path, ["the file must be a mapping"])
    risk = {}
    for level in ("high", "medium", "low"):
        risk[level] = _bilingual((data.get("risk") or {}).get(level), f"risk.{level}", problems)
    texts = {key: _bilingual(data.get(key), key, problems) for key in _SINGLE}
    advice_raw = data.get("advice")
    if not isinstance(advice_raw, dict) or not advice_raw:
        problems.append("advice: must be a mapping of advice keys to texts")
        advice_raw = {}
    advice = {key: _bilingual(val, f"advice.{key}", problems) for key, val in advice_raw.items()}
    if "general" not in advice:
        problems.append("advice: needs a 'general' entry (used when no indicator has advice)")
    if problems:
        raise CatalogError(path, problems)
    return Messages(risk=risk, texts=texts, advice=advice)


@functools.lru_cache(maxsize=4)
def load_messages(path: Path | str | None = None) -> Messages:
    path = Path(path or MESSAGES_FILE)
    return parse_messages(read_yaml(path), str(path))
