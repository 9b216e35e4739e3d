"""Telegram updates (python-telegram-bot types) to ``Inbound``.

Only private chats are served: a hotline conversation does not belong in a group.
Commands map to payloads: /start -> greet, /ayuda -> ask_capabilities, /idioma ->
choose_language (with the language when given: "/idioma quechua").
"""
from __future__ import annotations

import json
from typing import Any

from telegram import Message, Update

from integrations.inbound import BLOCKED, EDITED, MEDIA, PAYLOAD, TEXT, UNBLOCKED, BadPayload, Inbound, clip

CHANNEL = "telegram"

COMMANDS = {
    "start": "/greet",
    "ayuda": "/ask_capabilities",
    "help": "/ask_capabilities",
    "idioma": "/choose_language",
    "language": "/choose_language",
    "simi": "/choose_language",
}
LANGUAGE_WORDS = {
    "es": "es", "espanol": "es", "español": "es", "castellano": "es",
    "qu": "qu", "quechua": "qu", "runasimi": "qu", "qichwa": "qu", "qhichwa": "qu",
}
MEDIA_FIELDS = ("photo", "voice", "audio", "video", "video_note", "sticker", "document", "animation",
                "location", "venue", "contact", "poll", "dice")


def _command(text: str) -> tuple[str, str] | None:
    """'/start@WillakuyBot abc' -> ('start', 'abc'); None when text is not a command."""
    if not text.startswith("/"):
        return None
    head, _, argument = text[1:].partition(" ")
    name = head.split("@", 1)[0].lower()
    return name, argument.strip()


def command_payload(text: str) -> str | None:
    found = _command(text)
    if found is None or found[0] not in COMMANDS:
        return None
    name, argument = found
    payload = COMMANDS[name]
    if payload == "/choose_language":
        language = LANGUAGE_WORDS.get(argument.lower())
        if language:
            payload += json.dumps({"language": language}, separators=(",", ":"))
    return payload


def _media_kinds(message: Message) -> tuple[str, ...]:
    return tuple(name for name in MEDIA_FIELDS if getattr(message, name, None))


def _base(update: Update, chat_id: int, kind: str, language_code: str | None, **fields: Any) -> Inbound:
    return Inbound(
        channel=CHANNEL, external_id=str(update.update_id), user_id=str(chat_id), address=str(chat_id),
        kind=kind, language_code=language_code, **fields,
    )


def parse(data: Any, bot_id: str = "") -> Inbound | None:
    """An Inbound, or None for updates we do not act on. Raises BadPayload for garbage."""
    if not isinstance(data, dict) or not isinstance(data.get("update_id"), int) or isinstance(data.get("update_id"), bool):
        raise BadPayload("not a Telegram update")
    try:
        update = Update.de_json(data, None)
    except Exception as exc:  # noqa: BLE001 - the library raises many types for malformed input
        raise BadPayload(type(exc).__name__) from exc
    try:
        return _parse(update)
    except (AttributeError, TypeError, ValueError) as exc:
        raise BadPayload(type(exc).__name__) from exc


def _language(user) -> str | None:
    code = getattr(user, "language_code", None)
    return code if isinstance(code, str) and len(code) <= 16 else None


def _private(chat) -> bool:
    return chat is not None and chat.type == "private" and isinstance(chat.id, int)


def _parse(update: Update) -> Inbound | None:
    if update.callback_query is not None:
        query = update.callback_query
        message = query.message
        chat = getattr(message, "chat", None)
        if not _private(chat) or not isinstance(query.data, str) or not query.data:
            return None
        return _base(update, chat.id, PAYLOAD, _language(query.from_user), payload=query.data[:64],
                     callback_id=str(query.id))
    if update.message is not None:
        message = update.message
        if not _private(message.chat):
            return None
        language = _language(message.from_user)
        if isinstance(message.text, str) and message.text:
            payload = command_payload(message.text)
            if payload:
                return _base(update, message.chat.id, PAYLOAD, language, payload=payload)
            return _base(update, message.chat.id, TEXT, language, text=clip(message.text))
        kinds = _media_kinds(message)
        if kinds:
            caption = message.caption if isinstance(message.caption, str) else ""
            return _base(update, message.chat.id, MEDIA, language, text=clip(caption), media=kinds)
        return None  # service messages (pinned, chat photo...): nothing to answer
    if update.edited_message is not None:
        message = update.edited_message
        if not _private(message.chat):
            return None
        return _base(update, message.chat.id, EDITED, _language(message.from_user))
    if update.my_chat_member is not None:
        change = update.my_chat_member
        if not _private(change.chat):
            return None
        status = change.new_chat_member.status
        if status in ("kicked", "left"):
            return _base(update, change.chat.id, BLOCKED, _language(change.from_user))
        if status == "member":
            return _base(update, change.chat.id, UNBLOCKED, _language(change.from_user))
        return None
    return None
