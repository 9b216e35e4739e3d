"""A conversation as the console shows it, read from (and written to) Rasa's tracker store.

Rasa's HTTP API, with the server's token:
  GET  {rasa_url}/conversations/{id}/tracker?include_events=ALL   the whole conversation
  POST {rasa_url}/conversations/{id}/tracker/events               append events

Operator replies are appended as ``bot`` events whose metadata says
``{"operator": true, "operator_name": ...}``: the transcript then tells them apart from
the assistant's messages, and the web chat finds them by polling. Taking a conversation
over appends ``pause`` (Rasa then stores the person's messages but does not answer);
handing it back appends ``resume``.

``parse`` is pure (tracker JSON in, ``Transcript`` out); the rest is I/O.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any
from urllib.parse import quote

import httpx

from bot.config import Settings, get_settings

TIMEOUT = httpx.Timeout(10.0, connect=3.0)


class TranscriptUnavailable(RuntimeError):
    """Rasa did not answer or refused; the page says so instead of failing."""


@dataclass(frozen=True)
class Message:
    index: int                   # position among the tracker's events (include_events=ALL)
    at: datetime | None
    sender: str                  # user | bot | operator | system
    text: str = field(repr=False)
    operator_name: str | None = None
    buttons: tuple[str, ...] = ()
    channel: str | None = None   # for the person's messages: the channel it came in on
    language: str | None = None  # for the person's messages: the language the NLU detected


@dataclass(frozen=True)
class Transcript:
    conversation_id: str
    messages: list[Message]
    language: str | None         # the conversation's language slot, last value (else last detected)
    channel: str | None          # the channel of the person's last message
    paused: bool                 # an operator has taken over (Rasa stays silent)
    event_count: int
    language_detected: bool = False   # language comes from detection, not from the slot


SYSTEM_EVENTS = {
    "pause": "Una persona de la línea tomó la conversación (el asistente no responde).",
    "resume": "La conversación volvió al asistente.",
    "session_started": "Nueva sesión de conversación.",
}


def _time(event: dict) -> datetime | None:
    stamp = event.get("timestamp")
    if isinstance(stamp, (int, float)):
        return datetime.fromtimestamp(stamp, tz=timezone.utc)
    return None


def _user_text(event: dict) -> str:
    text = event.get("text") or ""
    if text.startswith("/"):
        # A button payload: show what it meant, not the raw payload.
        intent = ((event.get("parse_data") or {}).get("intent") or {}).get("name") or text[1:].split("{")[0]
        return f"[opción elegida: {intent}]"
    return text


def _detected(event: dict) -> str | None:
    """The language the NLU's language component found for a message (bot.language)."""
    found = ((event.get("parse_data") or {}).get("language_detection") or {}).get("lang")
    return str(found) if found else None


def parse(conversation_id: str, tracker: dict[str, Any]) -> Transcript:
    """The messages of a tracker (``include_events=ALL``), labelled by who wrote them."""
    events = tracker.get("events") or []
    messages: list[Message] = []
    language = None
    detected = None
    channel = None
    for index, event in enumerate(events):
        kind = event.get("event")
        if kind == "user":
            meta = event.get("metadata") or {}
            channel = meta.get("channel") or event.get("input_channel") or channel
            lang = _detected(event)
            if lang in ("es", "qu"):
                detected = lang
            messages.append(Message(index, _time(event), "user", _user_text(event),
                                    channel=meta.get("channel") or event.get("input_channel"), language=lang))
        elif kind == "bot":
            meta = event.get("metadata") or {}
            data = event.get("data") or {}
            buttons = tuple(str(b.get("title", "")) for b in data.get("buttons") or [] if isinstance(b, dict))
            if meta.get("operator"):
                messages.append(Message(index, _time(event), "operator", event.get("text") or "",
                                        operator_name=meta.get("operator_name"), buttons=buttons))
            elif event.get("text") or buttons:
                messages.append(Message(index, _time(event), "bot", event.get("text") or "", buttons=buttons))
        elif kind == "slot" and event.get("name") == "language" and event.get("value"):
            language = str(event["value"])
        elif kind in SYSTEM_EVENTS:
            messages.append(Message(index, _time(event), "system", SYSTEM_EVENTS[kind]))
    paused = tracker.get("paused")
    if paused is None:
        paused = _paused_from_events(events)
    return Transcript(conversation_id, messages, language or detected, channel, bool(paused), len(events),
                      language_detected=language is None and detected is not None)


def _paused_from_events(events: list[dict]) -> bool:
    paused = False
    for event in events:
        if event.get("event") == "pause":
            paused = True
        elif event.get("event") in ("resume", "restart"):
            paused = False
    return paused


def operator_messages_after(tracker: dict[str, Any], after: int | None) -> tuple[list[dict], int]:
    """Operator replies after event index ``after`` (for the web chat), and the next index."""
    events = tracker.get("events") or []
    if after is None:
        return [], len(events)
    out = []
    for index, event in enumerate(events):
        if index < after or event.get("event") != "bot":
            continue
        meta = event.get("metadata") or {}
        if meta.get("operator"):
            out.append({"text": event.get("text") or "", "operator": True})
    return out, len(events)


# --- I/O ------------------------------------------------------------------------------

def _url(settings: Settings, conversation_id: str, suffix: str = "") -> str:
    return f"{settings.rasa_url}/conversations/{quote(conversation_id, safe='')}/tracker{suffix}"


def fetch(conversation_id: str, settings: Settings | None = None) -> dict[str, Any]:
    """The conversation's tracker with every event; raises TranscriptUnavailable."""
    settings = settings or get_settings()
    try:
        response = httpx.get(_url(settings, conversation_id),
                             params={"token": settings.rasa_token, "include_events": "ALL"}, timeout=TIMEOUT)
        response.raise_for_status()
        return response.json()
    except (httpx.HTTPError, ValueError) as exc:
        raise TranscriptUnavailable(type(exc).__name__) from exc


def transcript(conversation_id: str, settings: Settings | None = None) -> Transcript:
    return parse(conversation_id, fetch(conversation_id, settings))


def append(conversation_id: str, events: list[dict[str, Any]], settings: Settings | None = None) -> dict[str, Any]:
    """Append events to the conversation (Rasa locks the conversation while it does)."""
    settings = settings or get_settings()
    try:
        response = httpx.post(_url(settings, conversation_id, "/events"), params={"token": settings.rasa_token},
                              json=events, timeout=TIMEOUT)
        response.raise_for_status()
        return response.json()
    except (httpx.HTTPError, ValueError) as exc:
        raise TranscriptUnavailable(type(exc).__name__) from exc


def operator_event(text: str, operator_name: str) -> dict[str, Any]:
    return {"event": "bot", "text": text, "metadata": {"operator": True, "operator_name": operator_name}}


def add_operator_message(conversation_id: str, text: str, operator_name: str,
                         settings: Settings | None = None) -> None:
    append(conversation_id, [operator_event(text, operator_name)], settings)


def pause(conversation_id: str, settings: Settings | None = None) -> None:
    append(conversation_id, [{"event": "pause"}], settings)


def resume(conversation_id: str, settings: Settings | None = None) -> None:
    append(conversation_id, [{"event": "resume"}], settings)
