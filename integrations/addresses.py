"""Conversation ids and reply addresses.

Rasa's sender id is a pseudonym ("tg-", "wa-" or "sms-" + keyed hash of the chat id or
phone number); the real address needed to reply is stored encrypted on the contact
(bot.contacts). Because the id is derived from the address, an id always maps to the
same address, so this process may cache the mapping.
"""
from __future__ import annotations

from bot import contacts
from bot.db.session import session_scope
from bot.privacy.pseudonym import pseudonym

PREFIX = {"telegram": "tg", "whatsapp": "wa", "sms": "sms"}
_remembered: set[str] = set()


def conversation_id(channel: str, user_id: str) -> str:
    return f"{PREFIX[channel]}-{pseudonym(channel, user_id)}"


def remember(conversation: str, channel: str, address: str, language_hint: str | None = None) -> None:
    """Make sure the contact exists with its reply address, without touching its language.

    The language belongs to the action that decides it (action_detect_language); a new
    contact starts with the channel's hint, an existing one keeps what it has.
    """
    if conversation in _remembered:
        return
    with session_scope() as db:
        contact = contacts.get(db, conversation)
        known = (contact.language, contact.language_source, contact.address) if contact else None
    if known is None:
        language = "qu" if (language_hint or "").lower().startswith("qu") else "es"
        contacts.record(conversation, channel, language, language_source="channel", address=address)
    elif known[2] != address:
        contacts.record(conversation, channel, known[0], language_source=known[1], address=address)
    _remembered.add(conversation)


_addresses: dict[str, tuple[str, str]] = {}
CACHE_LIMIT = 10_000


def lookup(conversation: str) -> tuple[str, str] | None:
    """(channel, address) to reply to, or None when the conversation has no channel address."""
    found = _addresses.get(conversation)
    if found is not None:
        return found
    with session_scope() as db:
        contact = contacts.get(db, conversation)
        if contact is None or not contact.address:
            return None  # not cached: the contact may be recorded a moment later
        found = (contact.channel, contact.address)
    if len(_addresses) >= CACHE_LIMIT:
        _addresses.clear()
    _addresses[conversation] = found
    return found


def language(conversation: str) -> str:
    """The conversation's language as last decided (Spanish when unknown)."""
    with session_scope() as db:
        contact = contacts.get(db, conversation)
        return contact.language if contact and contact.language in ("es", "qu") else "es"
