"""Formatting rules shared by the channels: splitting long texts, buttons as numbered options.

Pure functions: text in, text out. Each channel decides the limits (Telegram 4096
UTF-16 units, Twilio WhatsApp 1600 characters, SMS a segment budget).
"""
from __future__ import annotations

import re
import unicodedata
from typing import Callable, Iterable, Mapping, Sequence

TELEGRAM_MAX = 4096
WHATSAPP_MAX = 1600
TELEGRAM_CALLBACK_MAX_BYTES = 64

_SENTENCE_END = re.compile(r"[.!?…:;](?:[\"')\]»”’]*)\s+")
_KEYCAP = "\ufe0f\u20e3"


def utf16_len(text: str) -> int:
    """Telegram counts message length in UTF-16 code units (an emoji can count 2)."""
    return len(text.encode("utf-16-le")) // 2


def _longest_fitting(text: str, fits: Callable[[str], bool]) -> int:
    """Largest n with fits(text[:n]); fits must be monotonic in the length."""
    lo, hi = 0, len(text)
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if fits(text[:mid]):
            lo = mid
        else:
            hi = mid - 1
    return lo


def _best_cut(text: str, limit: int) -> int:
    """Where to cut text[:limit]: paragraph, then line, then sentence, then word boundary."""
    window = text[:limit]
    floor = limit // 3  # never produce a uselessly small first part
    paragraph = window.rfind("\n\n")
    if paragraph > floor:
        return paragraph
    line = window.rfind("\n")
    if line > floor:
        return line
    sentence_ends = [m.end() for m in _SENTENCE_END.finditer(window) if m.end() > floor]
    if sentence_ends:
        return sentence_ends[-1]
    space = window.rfind(" ")
    if space > floor:
        return space
    return limit


def split_first(text: str, fits: Callable[[str], bool]) -> tuple[str, str]:
    """The longest natural first part that fits, and the rest (both stripped)."""
    text = text.strip()
    if fits(text):
        return text, ""
    limit = _longest_fitting(text, fits)
    if limit == 0:
        raise ValueError("not even one character fits")
    cut = _best_cut(text, limit)
    return text[:cut].rstrip(), text[cut:].strip()


def split_text(text: str, fits: Callable[[str], bool]) -> list[str]:
    """Split a text into parts that each fit, on paragraph or sentence boundaries when possible."""
    parts, rest = [], text.strip()
    while rest:
        part, rest = split_first(rest, fits)
        parts.append(part)
    return parts


def max_length(limit: int, length: Callable[[str], int] = len) -> Callable[[str], bool]:
    return lambda text: length(text) <= limit


def button_list(buttons: Iterable[Mapping] | None) -> list[dict[str, str]]:
    """Rasa buttons as plain {title, payload} dicts, skipping malformed ones."""
    result = []
    for button in buttons or []:
        if not isinstance(button, Mapping):
            continue
        title = str(button.get("title") or "").strip()
        payload = str(button.get("payload") or "").strip()
        if title and payload:
            result.append({"title": title, "payload": payload})
    return result


def numbered(text: str, options: Sequence[Mapping[str, str]], hint: str = "", start: int = 1) -> str:
    """Buttons as a numbered list the person answers by typing the number."""
    lines = [text.strip()] if text.strip() else []
    if options:
        if lines:
            lines.append("")
        lines.extend(f"{i}. {option['title']}" for i, option in enumerate(options, start=start))
        if hint:
            lines.append(hint)
    return "\n".join(lines)


def normalise_answer(text: str) -> str:
    """'  2. ' -> '2', '2️⃣' -> '2', 'Castellano!' -> 'castellano' (accents folded)."""
    text = (text or "").replace(_KEYCAP, "").replace("\u20e3", "").strip().lower()
    text = "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))
    return text.strip(" \t\n.,;:!?¡¿)(-*#\"'")


def match_option(text: str, options: Sequence[Mapping[str, str]] | None) -> str | None:
    """The payload of the option the person chose by number or by its exact title."""
    if not options:
        return None
    answer = normalise_answer(text)
    if not answer:
        return None
    if answer.isdigit() and len(answer) <= 2:
        index = int(answer)
        if 1 <= index <= len(options):
            return options[index - 1]["payload"]
        return None
    for option in options:
        if normalise_answer(option["title"]) == answer:
            return option["payload"]
    return None


def callback_data(payload: str, index: int) -> str:
    """Telegram allows 1-64 bytes of callback data; longer payloads go by option number."""
    if 0 < len(payload.encode("utf-8")) <= TELEGRAM_CALLBACK_MAX_BYTES:
        return payload
    return f"opt:{index}"


def guard_typed_text(text: str) -> str:
    """Typed text must not pose as a button: Rasa reads '/intent{...}' as an intent with entities.

    Only button payloads (Telegram callback data, a chosen numbered option) reach Rasa
    with a leading slash; a person's typed '/algo' arrives as 'algo'.
    """
    return text.lstrip().lstrip("/").lstrip() if text.lstrip().startswith("/") else text
