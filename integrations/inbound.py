"""A message (or event) from a person, the same shape whatever the channel."""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass, fields

TEXT = "text"  # the person typed something
PAYLOAD = "payload"  # a button press or a /command: the payload goes to Rasa as is
MEDIA = "media"  # photo, voice note, sticker, location... (maybe with a caption in ``text``)
EDITED = "edited"  # the person edited an earlier message
BLOCKED = "blocked"  # the person blocked the bot (Telegram)
UNBLOCKED = "unblocked"

# Longer texts are cut: nobody types this much into a phone, and Rasa need not read a novel.
MAX_TEXT = 4096


@dataclass(frozen=True)
class Inbound:
    channel: str
    external_id: str  # Telegram update_id, Twilio MessageSid: the de-duplication key
    user_id: str  # what the pseudonym is made from (chat id, phone number)
    address: str  # where replies go ("12345", "whatsapp:+51...", "+51...")
    kind: str
    text: str = ""
    payload: str = ""
    language_code: str | None = None
    media: tuple[str, ...] = ()
    callback_id: str | None = None  # Telegram: the button press to answer


def dumps(message: Inbound) -> str:
    """JSON for the inbound journal (encrypted at rest there: it holds text and address)."""
    return json.dumps(asdict(message), ensure_ascii=False, separators=(",", ":"))


def loads(data: str) -> Inbound:
    values = json.loads(data)
    known = {f.name for f in fields(Inbound)}
    values = {k: v for k, v in values.items() if k in known}  # a field dropped by a later version
    values["media"] = tuple(values.get("media") or ())
    return Inbound(**values)


class BadPayload(ValueError):
    """The request body is not what the provider sends (answered 400, never 500)."""


def clip(text: str | None) -> str:
    return (text or "")[:MAX_TEXT]
