"""Turn a ScreenResult into short phone-sized messages, in Spanish or Quechua.

Order matters for a person who may be in danger: emergency numbers first, then the
risk in plain words, then the reasons quoted from their own offer, then what to do,
then how to reach a person.
"""
from __future__ import annotations

import functools
import os
import string
from pathlib import Path
from typing import Any, Mapping

from bot.screening.catalog import LANGS, Catalog
from bot.screening.messages import Messages, load_messages
from bot.screening.normalize import shorten
from bot.screening.screener import ScreenResult, default_catalog

MAX_BUBBLE = 320
MAX_REASONS = 4
MAX_ADVICE = 3
# Advice that always comes first when its indicator is present.
_FIRST_ADVICE = ("danger", "minor_rights", "never_hand_dni", "debt_warning")


class _Settingsless:
    """Just enough of bot.config.Settings for template_values(): no keys, no var/ dir."""

    def __init__(self, path: Path):
        self._path = path

    def helplines(self) -> dict[str, Any]:
        from bot.config import load_helplines

        return load_helplines(self._path)


@functools.lru_cache(maxsize=2)
def _default_values(path: str) -> dict[str, str]:
    from bot.config import template_values

    return template_values(_Settingsless(Path(path)))  # type: ignore[arg-type]


def default_values() -> dict[str, str]:
    """Helpline values from WILLAKUY_HELPLINES_FILE or bot/content/helplines.yml."""
    from bot.config import CONTENT_DIR

    return dict(_default_values(os.environ.get("WILLAKUY_HELPLINES_FILE") or str(CONTENT_DIR / "helplines.yml")))


class _Values(dict):
    def __missing__(self, key: str) -> str:
        # A text must never show a raw "{police_number}" to someone in danger.
        raise KeyError(f"no value for placeholder {{{key}}} (check bot/content/helplines.yml)")


def _fill(text: str, values: Mapping[str, str]) -> str:
    return string.Formatter().vformat(text, (), _Values(values))


def _pack(lines: list[str], limit: int = MAX_BUBBLE) -> list[str]:
    """Join lines into as few bubbles as fit; a line never gets split mid-word."""
    bubbles: list[str] = []
    current = ""
    for line in lines:
        line = shorten(line, limit)
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) <= limit:
            current = candidate
        else:
            if current:
                bubbles.append(current)
            current = line
    if current:
        bubbles.append(current)
    return bubbles


def explain(result: ScreenResult, lang: str | None = None, values: Mapping[str, str] | None = None, *,
            catalog: Catalog | None = None, messages: Messages | None = None) -> list[str]:
    """Message bubbles (each at most 320 characters) explaining a screening result."""
    catalog = catalog or default_catalog()
    messages = messages or load_messages()
    lang = lang if lang in LANGS else (result.lang if result.lang in LANGS else "es")
    vals = {**default_values(), **dict(values or {})}
    t = lambda key, **extra: _fill(messages.text(key, lang), {**vals, **extra})  # noqa: E731

    bubbles: list[str] = []
    if result.danger_now:
        bubbles.append(t("danger_now"))

    head = messages.risk[result.risk][lang]
    rules = [r for r in catalog.rules if r.id in result.rules]
    if rules:
        head_with_reason = head + " " + t("main_reason", reason=rules[0].labels[lang])
        head = head_with_reason if len(head_with_reason) <= MAX_BUBBLE else head
    bubbles.append(_fill(head, vals))
    if result.learned and result.learned.get("raised"):
        # The level came from the learned score, not from the signs: say so plainly.
        raised = t("learned_raised")
        words = result.learned.get("words") or []
        if words:
            extra = t("learned_words", words=", ".join(f"«{w}»" for w in words))
            if len(raised) + 1 + len(extra) <= MAX_BUBBLE:
                raised, extra = raised + " " + extra, ""
        else:
            extra = ""
        bubbles.extend(b for b in (raised, extra) if b)

    lines = []
    for ind in result.indicators[:MAX_REASONS]:
        label = catalog.get(ind.id).labels[lang]
        if ind.source == "answer":
            evidence = messages.text("answer_evidence", lang)
        else:
            evidence = ind.evidence
        lines.append(t("reason_line", label=label, evidence=evidence))
    for ind in result.mitigating[:2]:
        lines.append(t("reason_line", label=catalog.get(ind.id).labels[lang], evidence=ind.evidence))
    if lines:
        bubbles.extend(_pack([t("reasons_title"), *lines]))

    keys: list[str] = []
    for ind in result.indicators:
        key = catalog.get(ind.id).advice
        if key not in keys:
            keys.append(key)
    keys.sort(key=lambda k: _FIRST_ADVICE.index(k) if k in _FIRST_ADVICE else len(_FIRST_ADVICE))
    keys = keys[:MAX_ADVICE]
    if result.risk != "low" and "keep_copy" not in keys:
        keys.append("keep_copy")
    if not result.indicators or result.risk == "low":
        keys.append("general")
    advice = [_fill(messages.advice[k][lang], vals) for k in dict.fromkeys(keys)]
    bubbles.extend(_pack([t("advice_title"), *advice]))

    if result.offer_case:
        bubbles.append(t("case_offer"))
    bubbles.append(t("operator"))
    return bubbles
