"""Button sets shown with the menu and answers (bot/content/menu.yml)."""
from __future__ import annotations

import functools
from pathlib import Path

import yaml

MENU = Path(__file__).resolve().parent / "menu.yml"


@functools.lru_cache(maxsize=1)
def _data() -> dict:
    data = yaml.safe_load(MENU.read_text(encoding="utf-8"))
    for name in ("menu", "after_topic", "yes_no_case"):
        for item in data[name]:
            missing = [k for k in ("payload", "es", "qu") if not item.get(k)]
            if missing:
                raise ValueError(f"menu.yml: {name} item {item!r} lacks {', '.join(missing)}")
    return data


def _lang(lang: str | None) -> str:
    return lang if lang in ("es", "qu") else "es"


def buttons(name: str, lang: str | None) -> list[dict[str, str]]:
    lang = _lang(lang)
    return [{"title": item[lang], "payload": item["payload"]} for item in _data()[name]]


def menu_buttons(lang: str | None) -> list[dict[str, str]]:
    """The menu plus the switch to the other language."""
    lang = _lang(lang)
    switch = _data()["language_switch"][lang]
    return buttons("menu", lang) + [{"title": switch[lang], "payload": switch["payload"]}]
