"""Tables. Sensitive columns use EncryptedText; nothing here holds plain message text.

Layout follows the hotline's work: a *contact* is a person on a channel (pseudonymous),
a *case* is what operators work (category, priority, status, holder), a *report* is the
structured account attached to a case, and *case events* are the case's timeline and
audit trail (append-only). Console users, their sessions and the general audit log
(logins, user changes) sit beside them.
"""
from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import declarative_base, relationship

from bot.db.types import EncryptedText, UTCDateTime, utcnow

# Stable constraint names so Alembic migrations are the same on SQLite and PostgreSQL.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

Base = declarative_base(metadata=MetaData(naming_convention=NAMING))

ROLES = ("operator", "supervisor", "teacher", "admin")


class Contact(Base):
    __tablename__ = "contacts"

    id = Column(Integer, primary_key=True)
    # Rasa's sender id. Channels we control set it to the pseudonym itself.
    conversation_id = Column(String(128), nullable=False, unique=True)
    pseudonym = Column(String(64), nullable=False, index=True)
    channel = Column(String(20), nullable=False)
    language = Column(String(8), nullable=False, default="es")
    language_source = Column(String(16), nullable=True)
    # Phone number or chat id needed to reply; never stored in clear.
    address = Column(EncryptedText, nullable=True)
    first_seen_at = Column(UTCDateTime, nullable=False, default=utcnow)
    last_seen_at = Column(UTCDateTime, nullable=False, default=utcnow)


class User(Base):
    __tablename__ = "console_users"

    id = Column(Integer, primary_key=True)
    username = Column(String(64), nullable=False, unique=True)
    display_name = Column(String(128), nullable=False)
    password_hash = Column(String(255), nullable=False)
    role = Column(String(16), nullable=False)
    active = Column(Boolean, nullable=False, default=True)
    failed_logins = Column(Integer, nullable=False, default=0)
    locked_until = Column(UTCDateTime, nullable=True)
    created_at = Column(UTCDateTime, nullable=False, default=utcnow)
    last_login_at = Column(UTCDateTime, nullable=True)


class ConsoleSession(Base):
    __tablename__ = "console_sessions"

    id = Column(Integer, primary_key=True)
    # Only a hash of the cookie token is stored: a leaked table opens no session.
    token_hash = Column(String(64), nullable=False, unique=True)
    user_id = Column(Integer, ForeignKey("console_users.id", ondelete="CASCADE"), nullable=False, index=True)
    csrf_token = Column(String(64), nullable=False)
    created_at = Column(UTCDateTime, nullable=False, default=utcnow)
    last_seen_at = Column(UTCDateTime, nullable=False, default=utcnow)
    expires_at = Column(UTCDateTime, nullable=False)
    revoked_at = Column(UTCDateTime, nullable=True)

    user = relationship(User)


class Case(Base):
    __tablename__ = "cases"

    id = Column(Integer, primary_key=True)
    code = Column(String(9), nullable=False, unique=True)
    contact_id = Column(Integer, ForeignKey("contacts.id", ondelete="SET NULL"), nullable=True, index=True)
    # Rasa's sender id, so a handoff or a reply finds the case even before the contact
    # row exists. Cleared by the retention purge together with contact_id.
    conversation_id = Column(String(128), nullable=True, index=True)
    # A second code that also answers for this case: the code a person was given from
    # the outage spool when the same submission had already reached the database.
    alt_code = Column(String(9), nullable=True, unique=True, index=True)
    category = Column(String(32), nullable=False)
    subtype = Column(String(32), nullable=True)
    status = Column(String(32), nullable=False, default="recibido")
    priority = Column(String(2), nullable=False)
    language = Column(String(8), nullable=False, default="es")
    channel = Column(String(20), nullable=False)
    region = Column(String(64), nullable=True)
    origin = Column(String(16), nullable=False, default="bot")  # bot | offline | screener
    definition_version = Column(String(8), nullable=False, default="v1")
    assigned_to_id = Column(Integer, ForeignKey("console_users.id", ondelete="SET NULL"), nullable=True, index=True)
    claimed_at = Column(UTCDateTime, nullable=True)
    waiting_for_operator = Column(Boolean, nullable=False, default=False)
    # Same submission twice (action retry, duplicate webhook) -> one case.
    idempotency_key = Column(String(64), nullable=True, unique=True)
    created_at = Column(UTCDateTime, nullable=False, default=utcnow)
    updated_at = Column(UTCDateTime, nullable=False, default=utcnow, onupdate=utcnow)
    closed_at = Column(UTCDateTime, nullable=True)
    # When the retention purge removed free text and contact data (bot.cases.retention).
    purged_at = Column(UTCDateTime, nullable=True)

    contact = relationship(Contact)
    assigned_to = relationship(User)
    report = relationship("Report", back_populates="case", uselist=False)

    __table_args__ = (Index("ix_cases_queue", "status", "priority", "created_at"),)


class Report(Base):
    __tablename__ = "reports"

    id = Column(Integer, primary_key=True)
    case_id = Column(Integer, ForeignKey("cases.id", ondelete="CASCADE"), nullable=False, unique=True)
    # Structured, non-identifying fields (victims' age bands, purposes, places...).
    data = Column(JSON, nullable=False, default=dict)
    narrative = Column(EncryptedText, nullable=True)
    contact_details = Column(EncryptedText, nullable=True)
    definition_version = Column(String(8), nullable=False, default="v1")
    created_at = Column(UTCDateTime, nullable=False, default=utcnow)

    case = relationship(Case, back_populates="report")


class CaseEvent(Base):
    """Timeline and audit trail of a case: who did what, when. Append-only."""

    __tablename__ = "case_events"

    id = Column(Integer, primary_key=True)
    case_id = Column(Integer, ForeignKey("cases.id", ondelete="CASCADE"), nullable=False, index=True)
    at = Column(UTCDateTime, nullable=False, default=utcnow)
    actor_type = Column(String(16), nullable=False)  # bot | operator | person | system
    actor_id = Column(Integer, ForeignKey("console_users.id", ondelete="SET NULL"), nullable=True)
    action = Column(String(32), nullable=False)
    old_value = Column(String(255), nullable=True)
    new_value = Column(String(255), nullable=True)
    details = Column(JSON, nullable=True)
    # Operator notes and similar free text, encrypted.
    text = Column(EncryptedText, nullable=True)

    actor = relationship(User)


class Derivation(Base):
    """A case sent to an institution (derivation target of the case's taxonomy version)."""

    __tablename__ = "derivations"

    id = Column(Integer, primary_key=True)
    case_id = Column(Integer, ForeignKey("cases.id", ondelete="CASCADE"), nullable=False, index=True)
    institution = Column(String(40), nullable=False)
    # Department (ubigeo) of the office that received it, when it matters (regional fiscalías).
    region = Column(String(64), nullable=True)
    derived_on = Column(Date, nullable=False)
    # The receiving institution's own number (oficio, denuncia, carpeta fiscal).
    reference = Column(String(64), nullable=True)
    created_by_id = Column(Integer, ForeignKey("console_users.id", ondelete="SET NULL"), nullable=True)
    created_at = Column(UTCDateTime, nullable=False, default=utcnow)

    created_by = relationship(User)


class CodeAttempt(Base):
    """Case-code look-ups by a pseudonymous sender, to slow down guessing (bot.cases.guessing)."""

    __tablename__ = "code_attempts"

    id = Column(Integer, primary_key=True)
    sender = Column(String(64), nullable=False)
    at = Column(UTCDateTime, nullable=False, default=utcnow)
    ok = Column(Boolean, nullable=False)

    __table_args__ = (Index("ix_code_attempts_sender_at", "sender", "at"),)


class AuditLog(Base):
    """Everything operators do outside a case: logins, lockouts, user and settings changes."""

    __tablename__ = "audit_log"

    id = Column(Integer, primary_key=True)
    at = Column(UTCDateTime, nullable=False, default=utcnow, index=True)
    actor_id = Column(Integer, ForeignKey("console_users.id", ondelete="SET NULL"), nullable=True)
    action = Column(String(48), nullable=False)
    object_type = Column(String(32), nullable=True)
    object_id = Column(String(64), nullable=True)
    details = Column(JSON, nullable=True)


class ApiToken(Base):
    """A console user's token for the JSON API (/api/v1). Only its SHA-256 is stored."""

    __tablename__ = "api_tokens"

    id = Column(Integer, primary_key=True)
    user_id = Column(Integer, ForeignKey("console_users.id", ondelete="CASCADE"), nullable=False, index=True)
    token_hash = Column(String(64), nullable=False, unique=True)
    label = Column(String(64), nullable=True)
    created_at = Column(UTCDateTime, nullable=False, default=utcnow)
    last_used_at = Column(UTCDateTime, nullable=True)
    revoked_at = Column(UTCDateTime, nullable=True)

    user = relationship(User)


class Institution(Base):
    """The derivation directory: an office of a derivation target, by region, with its contacts.

    ``target`` is a derivation target code of the taxonomy; ``region`` a department ubigeo,
    or "" for a national office (not NULL, so the unique constraint also holds for those).
    """

    __tablename__ = "institutions"

    id = Column(Integer, primary_key=True)
    target = Column(String(40), nullable=False, index=True)
    region = Column(String(8), nullable=False, default="")
    name = Column(String(200), nullable=False)
    phone = Column(String(64), nullable=True)
    email = Column(String(200), nullable=True)
    notes = Column(String(500), nullable=True)
    active = Column(Boolean, nullable=False, default=True)
    updated_at = Column(UTCDateTime, nullable=False, default=utcnow)
    updated_by_id = Column(Integer, ForeignKey("console_users.id", ondelete="SET NULL"), nullable=True)

    __table_args__ = (UniqueConstraint("target", "region", "name", name="uq_institutions_target_region_name"),)


# ---------------------------------------------------------------- channels (integrations/)


class ChannelDedup(Base):
    """Webhook deliveries already accepted (Telegram update_id, Twilio MessageSid).

    Shared by every Rasa replica, so a retried or duplicated webhook is answered once.
    Rows expire: providers stop retrying after hours, not weeks.

    Also the inbound journal: until the message has been processed the row keeps it
    (``payload``), so a message acknowledged by a process that then died is processed
    by the next one (integrations.dedup).
    """

    __tablename__ = "channel_dedup"

    id = Column(Integer, primary_key=True)
    key = Column(String(96), nullable=False, unique=True)  # "<channel>:<external id>"
    expires_at = Column(UTCDateTime, nullable=False, index=True)
    # The message as JSON (text, phone number or chat id) while it waits to be processed.
    payload = Column(EncryptedText, nullable=True)
    # When it was received, or last taken over by a recovery (a lease: younger rows are left alone).
    received_at = Column(UTCDateTime, nullable=True)
    attempts = Column(Integer, nullable=False, default=0, server_default="0")  # processing runs started

    # Only pending rows are indexed: the recovery query stays cheap however many finished
    # rows wait for expiry.
    __table_args__ = (Index("ix_channel_dedup_pending", "received_at", sqlite_where=text("payload IS NOT NULL"),
                            postgresql_where=text("payload IS NOT NULL")),)


class ChannelConversation(Base):
    """What a channel must remember about one conversation between messages."""

    __tablename__ = "channel_conversations"

    id = Column(Integer, primary_key=True)
    conversation_id = Column(String(128), nullable=False, unique=True)
    channel = Column(String(20), nullable=False)
    # WhatsApp's 24-hour customer-service window opens with each inbound message.
    last_inbound_at = Column(UTCDateTime, nullable=True)
    # Buttons sent as numbered options: [{"title": ..., "payload": ...}], so "2" maps back.
    options = Column(JSON, nullable=True)
    options_at = Column(UTCDateTime, nullable=True)
    # The rest of a long SMS answer, sent when the person replies "MÁS".
    more_text = Column(EncryptedText, nullable=True)
    opted_out_at = Column(UTCDateTime, nullable=True)
    opt_out_source = Column(String(24), nullable=True)
    updated_at = Column(UTCDateTime, nullable=False, default=utcnow)


class OutboundMessage(Base):
    """The outbox: every message we send on a channel, until the provider has it.

    The body is kept (encrypted) only until the provider accepts it; after that the
    tracker is the record of what was said, and this row keeps only the delivery status.
    """

    __tablename__ = "outbound_messages"

    id = Column(Integer, primary_key=True)
    # One call to send (an operator reply, a bot message) may become several parts.
    batch_id = Column(String(32), nullable=False, index=True)
    conversation_id = Column(String(128), nullable=False, index=True)
    channel = Column(String(20), nullable=False)
    origin = Column(String(16), nullable=False, default="bot")  # bot | operator | system
    kind = Column(String(16), nullable=False, default="text")  # text | template
    body = Column(EncryptedText, nullable=True)
    extra = Column(JSON, nullable=True)  # reply markup, template variables: never personal data
    status = Column(String(16), nullable=False, default="pending")
    attempts = Column(Integer, nullable=False, default=0)
    next_attempt_at = Column(UTCDateTime, nullable=True)
    claimed_until = Column(UTCDateTime, nullable=True)
    provider_id = Column(String(64), nullable=True, index=True)
    error = Column(String(64), nullable=True)  # error class or provider code, never text
    bypass_opt_out = Column(Boolean, nullable=False, default=False)
    created_at = Column(UTCDateTime, nullable=False, default=utcnow)
    updated_at = Column(UTCDateTime, nullable=False, default=utcnow)

    statuses = relationship("OutboundStatus", order_by="OutboundStatus.id", cascade="all, delete-orphan")

    __table_args__ = (Index("ix_outbound_messages_due", "status", "next_attempt_at"),)


class OutboundStatus(Base):
    """Status history of an outbound message (worker results and provider callbacks)."""

    __tablename__ = "outbound_message_statuses"

    id = Column(Integer, primary_key=True)
    outbound_id = Column(Integer, ForeignKey("outbound_messages.id", ondelete="CASCADE"), nullable=False, index=True)
    status = Column(String(24), nullable=False)
    at = Column(UTCDateTime, nullable=False, default=utcnow)
    error_code = Column(String(16), nullable=True)
    source = Column(String(16), nullable=False)  # worker | callback


# ---------------------------------------------------------------- classroom (bot/classroom)


class ClassSession(Base):
    """A teacher's prevention session: a module played by a class, joined with a short code.

    While it runs, ``salt`` keys the students' pseudonymous ids (class_participants); when
    it ends, the salt, the join code and every participant row are deleted and only the
    aggregate counts stay (bot.classroom.store.end_session).
    """

    __tablename__ = "class_sessions"

    id = Column(Integer, primary_key=True)
    teacher_id = Column(Integer, ForeignKey("console_users.id", ondelete="SET NULL"), nullable=True, index=True)
    module_id = Column(String(40), nullable=False)
    language = Column(String(8), nullable=False)
    join_code = Column(String(8), nullable=True, unique=True)
    salt = Column(String(64), nullable=True)
    status = Column(String(12), nullable=False, default="active")  # active | ended
    joined_count = Column(Integer, nullable=False, default=0)
    finished_count = Column(Integer, nullable=False, default=0)
    created_at = Column(UTCDateTime, nullable=False, default=utcnow)
    expires_at = Column(UTCDateTime, nullable=False)
    ended_at = Column(UTCDateTime, nullable=True)
    end_reason = Column(String(16), nullable=True)  # teacher | expired

    __table_args__ = (Index("ix_class_sessions_status_expires", "status", "expires_at"),)


class ClassParticipant(Base):
    """One student in a running session: a keyed hash of the sender id, never the id itself."""

    __tablename__ = "class_participants"

    id = Column(Integer, primary_key=True)
    session_id = Column(Integer, ForeignKey("class_sessions.id", ondelete="CASCADE"), nullable=False)
    participant_key = Column(String(64), nullable=False, index=True)
    position = Column(Integer, nullable=False, default=0)  # index of the next question
    correct_count = Column(Integer, nullable=False, default=0)
    joined_at = Column(UTCDateTime, nullable=False, default=utcnow)
    finished_at = Column(UTCDateTime, nullable=True)
    left_at = Column(UTCDateTime, nullable=True)

    __table_args__ = (UniqueConstraint("session_id", "participant_key", name="uq_class_participants_session_key"),)


class ClassAnswerCount(Base):
    """How many students of a session chose each answer: the only answer data kept."""

    __tablename__ = "class_answer_counts"

    id = Column(Integer, primary_key=True)
    session_id = Column(Integer, ForeignKey("class_sessions.id", ondelete="CASCADE"), nullable=False, index=True)
    question_id = Column(String(40), nullable=False)
    choice_id = Column(String(2), nullable=False)
    count = Column(Integer, nullable=False, default=0)

    __table_args__ = (
        UniqueConstraint("session_id", "question_id", "choice_id", name="uq_class_answer_counts_question_choice"),
    )
