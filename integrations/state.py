"""Per-conversation channel state: last inbound time, numbered options, SMS "MÁS", opt-out.

Plain functions over the ``channel_conversations`` table, called from worker threads.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.db.models import ChannelConversation
from bot.db.session import session_scope
from bot.db.types import utcnow

# Numbered options answer the message that offered them, not one from yesterday.
OPTIONS_TTL = timedelta(hours=24)
# The last inbound time is refreshed at most this often: one write per message would cost
# every message, and the WhatsApp window is checked with a larger margin than this.
INBOUND_PRECISION = timedelta(seconds=60)


@dataclass(frozen=True)
class ConversationState:
    conversation_id: str
    channel: str
    last_inbound_at: datetime | None
    options: list[dict[str, str]]
    more_text: str
    opted_out: bool


_known: set[str] = set()


def _ensure(conversation_id: str, channel: str) -> None:
    """Create the row once; a concurrent creator (another replica) is not an error."""
    if conversation_id in _known:
        return
    try:
        with session_scope() as db:
            exists = db.execute(
                select(ChannelConversation.id).where(ChannelConversation.conversation_id == conversation_id)
            ).first()
            if exists is None:
                db.add(ChannelConversation(conversation_id=conversation_id, channel=channel[:20], updated_at=utcnow()))
    except IntegrityError:
        pass
    _known.add(conversation_id)


def _row(db: Session, conversation_id: str, channel: str) -> ChannelConversation:
    _ensure(conversation_id, channel)
    row = db.execute(
        select(ChannelConversation).where(ChannelConversation.conversation_id == conversation_id)
    ).scalar_one_or_none()
    if row is None:  # deleted since it was cached (tests reset databases)
        _known.discard(conversation_id)
        _ensure(conversation_id, channel)
        row = db.execute(
            select(ChannelConversation).where(ChannelConversation.conversation_id == conversation_id)
        ).scalar_one()
    return row


def _view(row: ChannelConversation | None, conversation_id: str, channel: str) -> ConversationState:
    if row is None:
        return ConversationState(conversation_id, channel, None, [], "", False)
    fresh = row.options_at is not None and utcnow() - row.options_at <= OPTIONS_TTL
    options = list(row.options or []) if fresh else []
    return ConversationState(
        conversation_id, row.channel, row.last_inbound_at, options, row.more_text or "", row.opted_out_at is not None
    )


def get(conversation_id: str, channel: str = "") -> ConversationState:
    with session_scope() as db:
        row = db.execute(
            select(ChannelConversation).where(ChannelConversation.conversation_id == conversation_id)
        ).scalar_one_or_none()
        return _view(row, conversation_id, channel)


def inbound(conversation_id: str, channel: str, *, consume_options: bool = True) -> ConversationState:
    """A message arrived: note the time (WhatsApp window) and hand back the state before it.

    Options and the pending "MÁS" text are returned and then cleared: they answer the
    message that offered them, and only the next message may use them (a person who
    writes about something else does not want the rest of the old answer).
    """
    with session_scope() as db:
        row = _row(db, conversation_id, channel)
        before = _view(row, conversation_id, channel)
        now = utcnow()
        if row.last_inbound_at is None or now - row.last_inbound_at >= INBOUND_PRECISION:
            row.last_inbound_at = now
            row.updated_at = now
        if consume_options and (row.options is not None or row.options_at is not None or row.more_text):
            row.options = None
            row.options_at = None
            row.more_text = None
            row.updated_at = now
        return before


def set_options(conversation_id: str, channel: str, options: list[dict[str, str]]) -> None:
    with session_scope() as db:
        row = _row(db, conversation_id, channel)
        row.options = options or None
        row.options_at = utcnow() if options else None
        row.updated_at = utcnow()


def set_more(conversation_id: str, channel: str, rest: str) -> None:
    with session_scope() as db:
        row = _row(db, conversation_id, channel)
        row.more_text = rest or None
        row.updated_at = utcnow()


def set_opt_out(conversation_id: str, channel: str, opted_out: bool, source: str) -> bool:
    """Record an opt-out (SMS STOP, Telegram block) or its end; True if anything changed."""
    with session_scope() as db:
        row = _row(db, conversation_id, channel)
        changed = (row.opted_out_at is not None) != opted_out
        if changed:
            row.opted_out_at = utcnow() if opted_out else None
            row.opt_out_source = source[:24]
            row.updated_at = utcnow()
        return changed


def is_opted_out(conversation_id: str) -> bool:
    with session_scope() as db:
        value = db.execute(
            select(ChannelConversation.opted_out_at).where(ChannelConversation.conversation_id == conversation_id)
        ).scalar_one_or_none()
        return value is not None
