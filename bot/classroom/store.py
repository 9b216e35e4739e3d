"""Classroom sessions in the database: create, join, answer, leave, end and purge.

Privacy by construction:
- a student is a keyed hash of the conversation's sender id with the session's own
  random salt (``participant_key``); the sender id itself is never written here;
- each answer only increments an aggregate counter (class_answer_counts) and the
  student's own position and score; no per-student answer is stored;
- when the session ends (the teacher ends it, or it expires), the salt, the join code
  and every participant row are deleted, and the assistant's memory of those
  conversations (tracker events, contact and channel rows) is purged, unless the
  conversation has a case (a student who asked for help keeps their case).
Only the counts stay, for the printable summary.
"""
from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Iterable

from sqlalchemy import delete, inspect, select, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot import audit
from bot.classroom import codes
from bot.classroom.modules import LANGUAGE_NAMES, Module, Question, get_module
from bot.db.models import (
    Case,
    ChannelConversation,
    ClassAnswerCount,
    ClassParticipant,
    ClassSession,
    Contact,
    OutboundMessage,
)
from bot.db.types import utcnow

DEFAULT_MINUTES = 90
MAX_MINUTES = 240


class ClassroomError(ValueError):
    """A teacher's request that cannot be done; the message is Spanish, for the console."""


def participant_key(salt: str, sender_id: str) -> str:
    """The student's id inside one session: HMAC-SHA256(salt, sender id)."""
    return hmac.new(salt.encode("ascii"), sender_id.encode("utf-8"), hashlib.sha256).hexdigest()


# ---------------------------------------------------------------- teacher side


def create_session(db: Session, teacher_id: int, module_id: str, language: str, *,
                   minutes: int = DEFAULT_MINUTES, now: datetime | None = None) -> ClassSession:
    module = get_module(module_id)
    if module is None:
        raise ClassroomError("Ese módulo no existe.")
    if language not in LANGUAGE_NAMES:
        raise ClassroomError("Elige castellano o quechua.")
    missing = module.missing_texts(language)
    if missing:
        raise ClassroomError(
            f"El módulo «{module.title['es']}» todavía no está traducido al {LANGUAGE_NAMES[language]}: "
            f"faltan {len(missing)} textos (por ejemplo {missing[0]}). Elige otro idioma o completa la traducción."
        )
    minutes = max(10, min(int(minutes), MAX_MINUTES))
    now = now or utcnow()
    for _ in range(20):
        code = codes.new_code()
        taken = db.execute(select(ClassSession.id).where(ClassSession.join_code == code)).first()
        if not taken:
            break
    else:  # pragma: no cover - 20 collisions among a few million codes
        raise ClassroomError("No se pudo crear un código; inténtalo otra vez.")
    session = ClassSession(teacher_id=teacher_id, module_id=module.id, language=language, join_code=code,
                           salt=secrets.token_hex(32), status="active", joined_count=0, finished_count=0,
                           created_at=now, expires_at=now + timedelta(minutes=minutes))
    db.add(session)
    db.flush()
    # Every counter exists from the start: an answer is one UPDATE, never a racing INSERT.
    for question in module.questions:
        for choice in question.choices:
            db.add(ClassAnswerCount(session_id=session.id, question_id=question.id, choice_id=choice.id, count=0))
    audit.record(db, "class_session_created", actor_id=teacher_id, object_type="class_session",
                 object_id=session.id, details={"module": module.id, "language": language, "minutes": minutes})
    db.flush()
    return session


def sessions_for(db: Session, user_id: int, *, all_teachers: bool = False) -> list[ClassSession]:
    query = select(ClassSession).order_by(ClassSession.created_at.desc(), ClassSession.id.desc())
    if not all_teachers:
        query = query.where(ClassSession.teacher_id == user_id)
    return list(db.execute(query.limit(100)).scalars())


def end_session(db: Session, session: ClassSession, *, actor_id: int | None, reason: str = "teacher",
                now: datetime | None = None) -> int:
    """End a session and forget who took part. Returns how many conversations were purged."""
    if session.status == "ended":
        return 0
    now = now or utcnow()
    purged = 0
    if session.salt:
        keys = set(db.execute(select(ClassParticipant.participant_key)
                              .where(ClassParticipant.session_id == session.id)).scalars())
        purged = _purge_conversations(db, session.salt, keys, since=session.created_at)
    db.execute(delete(ClassParticipant).where(ClassParticipant.session_id == session.id))
    session.salt = None
    session.join_code = None
    session.status = "ended"
    session.ended_at = now
    session.end_reason = reason
    audit.record(db, "class_session_ended", actor_id=actor_id, object_type="class_session", object_id=session.id,
                 details={"reason": reason, "joined": session.joined_count, "finished": session.finished_count,
                          "conversations_purged": purged})
    db.flush()
    return purged


def purge_expired(db: Session, now: datetime | None = None) -> int:
    """End every session past its time (called on each join/answer lookup and by the runner)."""
    now = now or utcnow()
    expired = list(db.execute(select(ClassSession).where(ClassSession.status == "active",
                                                         ClassSession.expires_at <= now)).scalars())
    for session in expired:
        end_session(db, session, actor_id=None, reason="expired", now=now)
    return len(expired)


def _purge_conversations(db: Session, salt: str, keys: set[str], *, since: datetime) -> int:
    """Delete what the assistant remembers of the participants' conversations.

    The sender ids are found again by hashing every conversation active since the session
    began with the salt; nothing else links them to the class. Conversations with a case
    are kept: the case needs them.
    """
    if not keys:
        return 0
    candidates: set[str] = set()
    candidates.update(db.execute(select(Contact.conversation_id).where(Contact.last_seen_at >= since)).scalars())
    candidates.update(db.execute(select(ChannelConversation.conversation_id)
                                 .where(ChannelConversation.updated_at >= since)).scalars())
    has_events = inspect(db.connection()).has_table("events")
    if has_events:
        rows = db.execute(text("SELECT DISTINCT sender_id FROM events WHERE timestamp >= :t"),
                          {"t": since.timestamp() - 60}).scalars()
        candidates.update(r for r in rows if r)
    mine = {c for c in candidates if participant_key(salt, c) in keys}
    if not mine:
        return 0
    with_case = set(db.execute(select(Case.conversation_id).where(Case.conversation_id.in_(mine))).scalars())
    mine -= with_case
    for chunk in _chunks(sorted(mine), 200):
        if has_events:
            db.execute(text("DELETE FROM events WHERE sender_id IN :ids").bindparams(
                _expanding("ids")), {"ids": chunk})
        db.execute(delete(Contact).where(Contact.conversation_id.in_(chunk)))
        db.execute(delete(ChannelConversation).where(ChannelConversation.conversation_id.in_(chunk)))
        db.execute(delete(OutboundMessage).where(OutboundMessage.conversation_id.in_(chunk)))
    return len(mine)


def _expanding(name: str):
    from sqlalchemy import bindparam

    return bindparam(name, expanding=True)


def _chunks(items: list[str], size: int) -> Iterable[list[str]]:
    for i in range(0, len(items), size):
        yield items[i:i + size]


# ---------------------------------------------------------------- student side


@dataclass
class Seat:
    """A student's place in a running session."""

    session: ClassSession
    participant: ClassParticipant
    module: Module

    @property
    def language(self) -> str:
        return self.session.language

    @property
    def question(self) -> Question | None:
        pos = self.participant.position
        return self.module.questions[pos] if pos < len(self.module.questions) else None

    @property
    def number(self) -> int:
        return self.participant.position + 1


@dataclass
class JoinResult:
    status: str  # joined | rejoined | unknown | expired
    seat: Seat | None = None


@dataclass
class AnswerResult:
    status: str  # counted | finished | invalid | not_in_class | done_already
    seat: Seat | None = None
    question: Question | None = None
    choice_id: str | None = None
    correct: bool = False
    next_question: Question | None = None
    score: int = 0
    total: int = 0


def _active(db: Session, now: datetime) -> list[ClassSession]:
    return list(db.execute(select(ClassSession).where(ClassSession.status == "active",
                                                      ClassSession.expires_at > now)).scalars())


def current_seat(db: Session, sender_id: str, now: datetime | None = None) -> Seat | None:
    """The running session this conversation is in (the latest one it joined and did not leave)."""
    now = now or utcnow()
    purge_expired(db, now)
    sessions = {s.id: s for s in _active(db, now) if s.salt}
    if not sessions:
        return None
    keys = {participant_key(s.salt, sender_id): s.id for s in sessions.values()}
    rows = db.execute(select(ClassParticipant).where(ClassParticipant.participant_key.in_(list(keys)),
                                                     ClassParticipant.left_at.is_(None))
                      .order_by(ClassParticipant.joined_at.desc(), ClassParticipant.id.desc())).scalars()
    for row in rows:
        if keys.get(row.participant_key) == row.session_id:
            module = get_module(sessions[row.session_id].module_id)
            if module is not None:
                return Seat(sessions[row.session_id], row, module)
    return None


def join(db: Session, code_text: str, sender_id: str, now: datetime | None = None) -> JoinResult:
    now = now or utcnow()
    purge_expired(db, now)
    code = codes.find_code(code_text)
    if not code:
        return JoinResult("unknown")
    session = db.execute(select(ClassSession).where(ClassSession.join_code == code)).scalar_one_or_none()
    if session is None:
        return JoinResult("unknown")
    if session.status != "active" or session.expires_at <= now or not session.salt:
        return JoinResult("expired")
    module = get_module(session.module_id)
    if module is None:
        return JoinResult("expired")
    # Joining a class leaves any other class this conversation was in.
    previous = current_seat(db, sender_id, now)
    if previous and previous.session.id != session.id:
        previous.participant.left_at = now
    key = participant_key(session.salt, sender_id)
    existing = db.execute(select(ClassParticipant).where(ClassParticipant.session_id == session.id,
                                                         ClassParticipant.participant_key == key)).scalar_one_or_none()
    if existing is not None:
        existing.left_at = None
        db.flush()
        return JoinResult("rejoined", Seat(session, existing, module))
    participant = ClassParticipant(session_id=session.id, participant_key=key, position=0, correct_count=0,
                                   joined_at=now)
    try:
        with db.begin_nested():
            db.add(participant)
            db.flush()
    except IntegrityError:  # the same student's message delivered twice at once
        participant = db.execute(select(ClassParticipant).where(
            ClassParticipant.session_id == session.id, ClassParticipant.participant_key == key)).scalar_one()
        return JoinResult("rejoined", Seat(session, participant, module))
    db.execute(update(ClassSession).where(ClassSession.id == session.id)
               .values(joined_count=ClassSession.joined_count + 1))
    db.refresh(session)
    return JoinResult("joined", Seat(session, participant, module))


def answer(db: Session, sender_id: str, choice_id: str, now: datetime | None = None) -> AnswerResult:
    """Count one answer to the student's current question (once: a repeat does not count twice)."""
    now = now or utcnow()
    seat = current_seat(db, sender_id, now)
    if seat is None:
        return AnswerResult("not_in_class")
    question = seat.question
    total = len(seat.module.questions)
    if question is None:
        return AnswerResult("done_already", seat, score=seat.participant.correct_count, total=total)
    choice = question.choice(choice_id)
    if choice is None:
        return AnswerResult("invalid", seat, question=question, total=total)
    position = seat.participant.position
    # The conditional UPDATE is the guard: of two copies of one answer only one moves on.
    moved = db.execute(
        update(ClassParticipant)
        .where(ClassParticipant.id == seat.participant.id, ClassParticipant.position == position)
        .values(position=position + 1, correct_count=ClassParticipant.correct_count + (1 if choice.correct else 0),
                finished_at=now if position + 1 >= total else None)
        .execution_options(synchronize_session=False)
    ).rowcount
    if moved != 1:
        db.refresh(seat.participant)
        return AnswerResult("done_already" if seat.question is None else "invalid", seat, question=seat.question,
                            score=seat.participant.correct_count, total=total)
    db.execute(update(ClassAnswerCount)
               .where(ClassAnswerCount.session_id == seat.session.id, ClassAnswerCount.question_id == question.id,
                      ClassAnswerCount.choice_id == choice.id)
               .values(count=ClassAnswerCount.count + 1).execution_options(synchronize_session=False))
    finished = position + 1 >= total
    if finished:
        db.execute(update(ClassSession).where(ClassSession.id == seat.session.id)
                   .values(finished_count=ClassSession.finished_count + 1).execution_options(synchronize_session=False))
    db.refresh(seat.participant)
    return AnswerResult("finished" if finished else "counted", seat, question=question, choice_id=choice.id,
                        correct=choice.correct, next_question=seat.question, score=seat.participant.correct_count,
                        total=total)


def leave(db: Session, sender_id: str, now: datetime | None = None) -> Seat | None:
    """The student leaves; what they answered stays in the counts. None if not in a class."""
    now = now or utcnow()
    seat = current_seat(db, sender_id, now)
    if seat is not None:
        seat.participant.left_at = now
        db.flush()
    return seat


# ---------------------------------------------------------------- results


@dataclass
class QuestionResult:
    question: Question
    counts: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def correct_count(self) -> int:
        return self.counts.get(self.question.correct.id, 0)

    @property
    def correct_percent(self) -> int | None:
        return round(100 * self.correct_count / self.total) if self.total else None


def results(db: Session, session: ClassSession) -> list[QuestionResult]:
    module = get_module(session.module_id)
    rows = db.execute(select(ClassAnswerCount).where(ClassAnswerCount.session_id == session.id)).scalars()
    counts: dict[str, dict[str, int]] = {}
    for row in rows:
        counts.setdefault(row.question_id, {})[row.choice_id] = row.count
    if module is None:
        return []
    return [QuestionResult(q, {c.id: counts.get(q.id, {}).get(c.id, 0) for c in q.choices})
            for q in module.questions]


def common_wrong_answers(items: list[QuestionResult], limit: int = 3) -> list[tuple[QuestionResult, str, int]]:
    """The wrong choices most students picked, most first (ties: module order)."""
    wrong = [(r, cid, n) for r in items for cid, n in r.counts.items()
             if n > 0 and cid != r.question.correct.id]
    wrong.sort(key=lambda item: -item[2])
    return wrong[:limit]


def active_count(db: Session, session: ClassSession) -> int:
    """Students in the session now (joined and not left); 0 once it has ended."""
    from sqlalchemy import func

    return db.execute(select(func.count()).select_from(ClassParticipant).where(
        ClassParticipant.session_id == session.id, ClassParticipant.left_at.is_(None))).scalar_one()
