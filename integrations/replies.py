"""What the assistant (or an operator) says, turned into the messages each channel sends.

Telegram: parts of at most 4096 UTF-16 units, buttons as an inline keyboard.
WhatsApp: parts of at most 1600 characters (Twilio's limit), buttons as numbered options.
SMS: one reply of at most 3 segments, buttons as numbered options, the rest after "MÁS".
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Sequence

from integrations import sms, texts
from integrations.formatting import (
    TELEGRAM_MAX,
    WHATSAPP_MAX,
    callback_data,
    max_length,
    numbered,
    split_text,
    utf16_len,
)
from integrations.outbox import Part

CHANNELS = ("telegram", "whatsapp", "sms")


@dataclass(frozen=True)
class Reply:
    text: str
    buttons: tuple[dict[str, str], ...] = ()


@dataclass(frozen=True)
class Formatted:
    parts: list[Part]
    options: list[dict[str, str]] = field(default_factory=list)
    more: str = ""  # SMS only: what waits for "MÁS"


def _telegram(replies: Sequence[Reply], language: str) -> Formatted:
    parts: list[Part] = []
    options: list[dict[str, str]] = []
    for reply in replies:
        text = reply.text.strip() or (texts.text("choose_number", language) if reply.buttons else "")
        if not text:
            continue
        chunks = split_text(text, max_length(TELEGRAM_MAX, utf16_len))
        keyboard = None
        if reply.buttons:
            rows = []
            for button in reply.buttons:
                options.append(dict(button))
                rows.append([{"text": button["title"][:64], "callback_data": callback_data(button["payload"], len(options))}])
            keyboard = {"inline_keyboard": rows}
        for i, chunk in enumerate(chunks):
            last = i == len(chunks) - 1
            parts.append(Part(chunk, extra=keyboard if last and keyboard else None))
    return Formatted(parts, options)


def _numbered_text(replies: Sequence[Reply], language: str) -> tuple[list[str], list[dict[str, str]]]:
    """Each reply as text with its buttons numbered; numbering continues across one turn."""
    bodies, options = [], []
    hint = texts.text("choose_number", language)
    for reply in replies:
        body = numbered(reply.text, reply.buttons, hint, start=len(options) + 1) if reply.buttons else reply.text.strip()
        options.extend(dict(button) for button in reply.buttons)
        if body:
            bodies.append(body)
    return bodies, options


def _whatsapp(replies: Sequence[Reply], language: str) -> Formatted:
    bodies, options = _numbered_text(replies, language)
    parts = [Part(chunk) for body in bodies for chunk in split_text(body, max_length(WHATSAPP_MAX))]
    return Formatted(parts, options)


def _sms(replies: Sequence[Reply], language: str) -> Formatted:
    bodies, options = _numbered_text(replies, language)
    if not bodies:
        return Formatted([], options)
    composed = sms.compose("\n\n".join(bodies), texts.text("more_hint", language))
    return Formatted([Part(composed.text)], options, composed.rest)


def format_replies(channel: str, replies: Sequence[Reply], language: str = "es") -> Formatted:
    if channel == "telegram":
        return _telegram(replies, language)
    if channel == "whatsapp":
        return _whatsapp(replies, language)
    if channel == "sms":
        return _sms(replies, language)
    raise ValueError(f"unknown channel {channel!r}")


def continue_sms(rest: str, language: str = "es") -> Formatted:
    """The next part of a long SMS answer, after the person replied "MÁS"."""
    composed = sms.compose(rest, texts.text("more_hint", language))
    return Formatted([Part(composed.text)], [], composed.rest)
