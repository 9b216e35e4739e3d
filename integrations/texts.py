"""The few texts channels send on their own (texts.yml), in the person's language."""
from __future__ import annotations

import functools
from pathlib import Path
from typing import Mapping

import yaml

from bot.config import template_values

TEXTS_FILE = Path(__file__).resolve().parent / "texts.yml"
LANGUAGES = ("es", "qu")
DEFAULT_LANGUAGE = "es"


@functools.lru_cache(maxsize=1)
def _texts() -> dict[str, dict[str, str]]:
    data = yaml.safe_load(TEXTS_FILE.read_text(encoding="utf-8"))
    for key, entry in data.items():
        missing = [lang for lang in LANGUAGES if not isinstance(entry, dict) or not entry.get(lang)]
        if missing:
            raise ValueError(f"{TEXTS_FILE.name}: {key!r} has no text for {', '.join(missing)}")
    return data


def language_of(value: str | None) -> str:
    """'qu', 'qu-PE', 'quz' -> 'qu'; anything else (es, en, pt-br, None) -> 'es'."""
    return "qu" if (value or "").lower().startswith("qu") else DEFAULT_LANGUAGE


def text(key: str, language: str | None = None, values: Mapping[str, str] | None = None) -> str:
    entry = _texts()[key]
    raw = entry[language_of(language)]
    return raw.format_map(dict(template_values() if values is None else values)) if "{" in raw else raw


def keys() -> list[str]:
    return list(_texts())
