"""Contacts: a person on a channel, known only by a pseudonym, with their language."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.db.models import Contact
from bot.db.session import session_scope
from bot.db.types import utcnow
from bot.privacy.pseudonym import pseudonym

# Refresh last_seen at most this often: one write per message would cost every message.
TOUCH_EVERY = timedelta(minutes=10)


@dataclass(frozen=True)
class ContactView:
    id: int
    conversation_id: str
    channel: str
    language: str
    created: bool


def get(db: Session, conversation_id: str) -> Contact | None:
    return db.execute(select(Contact).where(Contact.conversation_id == conversation_id)).scalar_one_or_none()


def record(
    conversation_id: str,
    channel: str,
    language: str,
    *,
    language_source: str | None = None,
    address: str | None = None,
) -> ContactView:
    """Create or update the contact for a conversation; safe to call on every message."""
    channel = (channel or "unknown")[:20]
    with session_scope() as db:
        contact = get(db, conversation_id)
        created = contact is None
        now = utcnow()
        if contact is None:
            contact = Contact(
                conversation_id=conversation_id,
                pseudonym=pseudonym(channel, conversation_id),
                channel=channel,
                language=language,
                language_source=language_source,
                address=address,
                first_seen_at=now,
                last_seen_at=now,
            )
            db.add(contact)
            try:
                db.flush()
            except IntegrityError:
                # Two messages of one conversation raced; the other created it.
                db.rollback()
                contact = get(db, conversation_id)
                created = False
        if not created:
            if contact.language != language:
                contact.language = language
                contact.language_source = language_source
            if address and contact.address != address:
                contact.address = address
            if now - contact.last_seen_at >= TOUCH_EVERY:
                contact.last_seen_at = now
        return ContactView(contact.id, contact.conversation_id, contact.channel, contact.language, created)
