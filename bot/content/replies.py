"""Short replies that custom actions send (bot/content/replies.yml), in the person's language."""
from __future__ import annotations

import functools
from pathlib import Path

import yaml

from bot.config import template_values

REPLIES = Path(__file__).resolve().parent / "replies.yml"


@functools.lru_cache(maxsize=1)
def _replies() -> dict[str, dict[str, str]]:
    data = yaml.safe_load(REPLIES.read_text(encoding="utf-8"))
    data.pop("review", None)
    for key, entry in data.items():
        for lang in ("es", "qu"):
            if not (entry or {}).get(lang):
                raise ValueError(f"replies.yml: {key} lacks its {lang} text")
    return data


def reply(key: str, lang: str | None, **values: str) -> str:
    entry = _replies()[key]
    text = entry[lang if lang in ("es", "qu") else "es"]
    return text.format(**{**template_values(), **values})


def keys() -> list[str]:
    return list(_replies())
