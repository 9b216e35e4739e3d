"""Twilio webhook parameters (form-encoded) to ``Inbound`` and delivery status events.

Field names as Twilio sends them: MessageSid, From, To, Body, NumMedia, MediaUrl0,
MediaContentType0, and for WhatsApp ProfileName, WaId, ButtonText, ButtonPayload,
Latitude/Longitude. We keep the text exactly as sent ("¡Ayuda!" stays "¡Ayuda!") and
never keep ProfileName: a name is not needed to help.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from urllib.parse import parse_qs

from integrations.inbound import MEDIA, TEXT, BadPayload, Inbound, clip

_SID = re.compile(r"^[A-Z]{2}[0-9a-fA-F]{32}$")
_PHONE = re.compile(r"^\+?[0-9]{3,16}$")  # E.164, short codes
_STATUSES = {"accepted", "scheduled", "queued", "sending", "sent", "delivered", "read",
             "undelivered", "failed", "canceled", "receiving", "received"}
MAX_MEDIA = 10


class FormParams(dict):
    """Form fields as lists of values, with the ``getlist`` RequestValidator understands."""

    def getlist(self, name: str) -> list[str]:
        return self[name]

    def first(self, name: str) -> str:
        values = self.get(name) or [""]
        return values[0]


def parse_form(body: bytes) -> FormParams:
    """Parse like Twilio signs: blank values kept (Sanic's request.form drops them)."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BadPayload("form is not UTF-8") from exc
    return FormParams(parse_qs(text, keep_blank_values=True))


def _sender(raw: str, channel: str) -> str:
    if channel == "whatsapp":
        if not raw.startswith("whatsapp:"):
            raise BadPayload("WhatsApp sender without the whatsapp: prefix")
        number = raw[len("whatsapp:"):]
    else:
        if raw.startswith("whatsapp:"):
            raise BadPayload("WhatsApp message on the SMS webhook")
        number = raw
    if not _PHONE.match(number):
        raise BadPayload("sender is not a phone number")
    return number


def _media_types(form: FormParams) -> tuple[str, ...]:
    try:
        count = int(form.first("NumMedia") or "0")
    except ValueError:
        count = 0
    count = max(0, min(count, MAX_MEDIA))
    kinds = []
    for i in range(count):
        content_type = form.first(f"MediaContentType{i}")[:64]
        kinds.append(content_type.split("/", 1)[0] or "media" if content_type else "media")
    return tuple(kinds)


def parse_inbound(form: FormParams, channel: str) -> Inbound:
    sid = form.first("MessageSid") or form.first("SmsMessageSid") or form.first("SmsSid")
    if not _SID.match(sid):
        raise BadPayload("no MessageSid")
    number = _sender(form.first("From"), channel)
    address = f"whatsapp:{number}" if channel == "whatsapp" else number
    body = clip(form.first("Body"))
    media = _media_types(form)
    if form.first("Latitude") and form.first("Longitude"):
        media = media + ("location",)
    if not body.strip() and form.first("ButtonText"):
        body = clip(form.first("ButtonText"))
    kind = MEDIA if media else TEXT
    return Inbound(channel=channel, external_id=sid, user_id=number, address=address, kind=kind, text=body,
                   media=media)


@dataclass(frozen=True)
class StatusEvent:
    message_sid: str
    status: str
    error_code: str | None


def parse_status(form: FormParams) -> StatusEvent:
    sid = form.first("MessageSid") or form.first("SmsSid")
    status = (form.first("MessageStatus") or form.first("SmsStatus")).lower()
    if not _SID.match(sid) or status not in _STATUSES:
        raise BadPayload("not a status callback")
    error = form.first("ErrorCode")
    return StatusEvent(sid, status, error[:16] if error and error.isdigit() else None)


