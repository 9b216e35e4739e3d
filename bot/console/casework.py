"""What an operator does to a case, for the pages and the API alike.

Each operation checks the permission (``auth.authorize``, i.e. ``permissions.decide``,
with the case's current holder for holder-bound permissions), calls the case store,
and turns the store's errors into ``CaseworkError`` with a Spanish message and an HTTP
status. Pages render the message; the API returns it as JSON.
"""
from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from bot.cases import handoff, queue, store
from bot.cases.definitions import TransitionError, load
from bot.console import delivery, directory, queries, report_view, transcripts
from bot.console.auth import Actor, authorize
from bot.console.permissions import SUPERVISORS
from bot.console.transcripts import Transcript, TranscriptUnavailable

MAX_REPLY = 4000


class CaseworkError(Exception):
    def __init__(self, code: str, message: str, status: int = 409):
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status


def _transition_message(exc: TransitionError) -> str:
    text = str(exc)
    if "needs a reason" in text:
        return "Este cambio de estado necesita un motivo."
    if "only a supervisor" in text:
        return "Solo una persona supervisora puede hacer este cambio."
    if "derivation" in text:
        return "Para marcar el caso como derivado, registra primero una derivación."
    return "Ese cambio de estado no está permitido desde el estado actual."


def translate(exc: Exception) -> CaseworkError:
    """The store's exceptions as CaseworkError (Spanish message, HTTP status)."""
    if isinstance(exc, CaseworkError):
        return exc
    if isinstance(exc, store.CaseNotFound):
        return CaseworkError("not_found", "Ese caso no existe.", 404)
    if isinstance(exc, TransitionError):
        return CaseworkError("transition", _transition_message(exc), 409)
    if isinstance(exc, queue.StaleCase):
        return CaseworkError("stale", "Otra persona cambió el caso mientras lo veías. Recarga la página.", 409)
    if isinstance(exc, queue.NotHolder):
        return CaseworkError("not_holder", "Solo quien tiene el caso puede liberarlo.", 403)
    if isinstance(exc, queue.DerivationError):
        return CaseworkError("derivation", "La derivación no es válida: revisa la institución, la fecha y la "
                                           "referencia (máximo 64 caracteres).", 422)
    if isinstance(exc, TranscriptUnavailable):
        return CaseworkError("assistant_unavailable",
                             "El asistente (Rasa) no responde: no se pudo leer ni escribir la conversación.", 503)
    raise exc


def _holder(case_id: int) -> int | None:
    from bot.db.models import Case
    from bot.db.session import session_scope

    with session_scope() as db:
        case = db.get(Case, case_id)
        if case is None:
            raise CaseworkError("not_found", "Ese caso no existe.", 404)
        return case.assigned_to_id


def _work(actor: Actor, case_id: int) -> None:
    authorize(actor, "work_case", holder_id=_holder(case_id))


def detail(case_id: int) -> store.CaseDetail:
    try:
        return store.case_detail(case_id)
    except store.CaseNotFound as exc:
        raise translate(exc) from None


# --- reading -------------------------------------------------------------------------------

@dataclass(frozen=True)
class StatusOption:
    code: str
    label: str
    needs_reason: bool


@dataclass(frozen=True)
class ReplyInfo:
    event_id: int
    status: str
    status_label: str
    window_closed: bool
    via: str | None
    message_id: str | None


@dataclass
class CaseView:
    detail: store.CaseDetail
    report: dict | None
    sections: list[report_view.Section]
    screening: dict | None
    transcript: Transcript | None
    transcript_error: str | None
    names: dict[int, str]
    status_options: list[StatusOption]
    derivation_blocked: bool            # derivado is a next status but needs a derivation first
    reply_channel: str | None
    replies: dict[int, ReplyInfo]       # event id -> delivery info
    suggested_derivations: list[str]
    views: tuple[int, list] = (0, [])
    may_work: bool = False
    holder_is_me: bool = False
    extra: dict[str, Any] = field(default_factory=dict)


def view(actor: Actor, case_id: int, *, with_transcript: bool = True, mark: bool = True) -> CaseView:
    """Everything the case page shows; writes the audit "viewed" event."""
    authorize(actor, "view_case")
    if mark:
        try:
            queue.mark_viewed(case_id, actor.id)
        except store.CaseNotFound as exc:
            raise translate(exc) from None
    d = detail(case_id)
    data = queries.report_data(case_id)
    transcript, error = None, None
    if with_transcript and d.conversation_id:
        try:
            transcript = transcripts.transcript(d.conversation_id)
        except TranscriptUnavailable:
            error = "El asistente (Rasa) no responde: la conversación no se puede mostrar ahora."
    views = queries.recent_case_views(case_id)
    ids = ({e.actor_id for e in d.events} | {x.created_by_id for x in d.derivations} | {d.assigned_to_id}
           | {actor_id for _, actor_id in views[1]})
    for e in d.events:
        if e.action == "reassigned":
            ids |= {int(x) for x in (e.old_value, e.new_value) if x and x.isdigit()}
    flow = load(d.definition_version).workflow
    options, blocked = [], False
    for code in d.next_statuses:
        requires = flow.find(d.status, code).requires
        if "supervisor" in requires and actor.role not in SUPERVISORS:
            continue
        if "derivation" in requires and not d.derivations:
            blocked = True
            continue
        options.append(StatusOption(code, _status_label(code, d.definition_version), "reason" in requires))
    replies = {}
    for e in d.events:
        if e.action == "operator_replied":
            info = e.details or {}
            status = info.get("status") or ""
            live = delivery.status(info.get("message_id")) if info.get("via") == "outbound" else None
            if live and live.status:
                status = live.status
            replies[e.id] = ReplyInfo(e.id, status, delivery.status_label(status),
                                      bool(info.get("window_closed")) or status in delivery.WINDOW_STATUSES,
                                      info.get("via"), info.get("message_id"))
    suggested = []
    for e in d.events:
        if e.action == "classified" and e.details:
            suggested = list(e.details.get("suggested_derivations") or [])
    channel = delivery.reply_channel(d.channel, queries.contact_channel(d.conversation_id)) \
        if d.conversation_id and not d.purged_at else None
    return CaseView(
        detail=d, report=data, sections=report_view.sections(data), screening=report_view.screening(data),
        transcript=transcript, transcript_error=error, names=queries.user_names(ids), status_options=options,
        derivation_blocked=blocked, reply_channel=channel, replies=replies, suggested_derivations=suggested,
        views=views,
        may_work=_may_work(actor, d.assigned_to_id), holder_is_me=d.assigned_to_id == actor.id,
    )


def _may_work(actor: Actor, holder_id: int | None) -> bool:
    from bot.console.permissions import decide

    return decide(actor.role, "work_case", user_id=actor.id, holder_id=holder_id).ok


def _status_label(code: str, version: str) -> str:
    from bot.console.labels import label

    return label("statuses", code, version)


# --- changing --------------------------------------------------------------------------------

def claim(actor: Actor, case_id: int) -> queue.ClaimResult:
    authorize(actor, "claim_case")
    try:
        return queue.claim(case_id, actor.id)
    except Exception as exc:  # noqa: BLE001 - translated or re-raised
        raise translate(exc) from None


def release(actor: Actor, case_id: int) -> None:
    authorize(actor, "claim_case")
    try:
        queue.release(case_id, actor.id)
    except Exception as exc:  # noqa: BLE001
        raise translate(exc) from None


def reassign(actor: Actor, case_id: int, to_user_id: int | None, reason: str | None) -> int | None:
    authorize(actor, "reassign_case")
    if to_user_id is not None:
        target = next((u for u in queries.users(active_only=True, staff_only=True) if u.id == to_user_id), None)
        if target is None:
            raise CaseworkError("bad_user", "Solo se puede asignar a una persona activa del equipo.", 422)
    try:
        return queue.reassign(case_id, to_user_id, actor.id, reason=(reason or "").strip() or None)
    except Exception as exc:  # noqa: BLE001
        raise translate(exc) from None


def change_status(actor: Actor, case_id: int, status: str, reason: str | None) -> queue.StatusChange:
    _work(actor, case_id)
    try:
        return queue.change_status(case_id, status, actor.id, (reason or "").strip() or None)
    except Exception as exc:  # noqa: BLE001
        raise translate(exc) from None


def add_note(actor: Actor, case_id: int, text: str) -> int:
    _work(actor, case_id)
    if not isinstance(text, str) or not text.strip():
        raise CaseworkError("empty", "La nota está vacía.", 422)
    if len(text) > queue.MAX_NOTE:
        raise CaseworkError("too_long", f"La nota tiene más de {queue.MAX_NOTE} caracteres.", 422)
    try:
        return queue.add_note(case_id, actor.id, text.strip())
    except Exception as exc:  # noqa: BLE001
        raise translate(exc) from None


def add_derivation(actor: Actor, case_id: int, *, institution: str | None = None, entry_id: int | None = None,
                   derived_on: date | None, reference: str | None = None, region: str | None = None
                   ) -> queue.DerivationResult:
    """Derive to a directory entry (``entry_id``) or a bare derivation target code (``institution``)."""
    _work(actor, case_id)
    if entry_id is not None:
        try:
            entry = directory.get(entry_id)
        except directory.DirectoryError as exc:
            raise CaseworkError("derivation", str(exc), 422) from None
        institution, region = entry.target, entry.region or region
    if not institution:
        raise CaseworkError("derivation", "Elige la institución a la que se deriva.", 422)
    if derived_on is None:
        raise CaseworkError("derivation", "Indica la fecha de la derivación.", 422)
    if derived_on > date.today():
        raise CaseworkError("derivation", "La fecha de derivación no puede estar en el futuro.", 422)
    try:
        return queue.add_derivation(case_id, institution, derived_on, (reference or "").strip() or None, actor.id,
                                    region=region or None)
    except Exception as exc:  # noqa: BLE001
        raise translate(exc) from None


def _conversation(case_id: int) -> tuple[store.CaseDetail, str]:
    d = detail(case_id)
    if not d.conversation_id or d.purged_at:
        raise CaseworkError("no_conversation",
                            "Este caso no tiene una conversación a la que responder (registro manual o datos ya borrados).",
                            409)
    return d, d.conversation_id


def take_over(actor: Actor, case_id: int) -> bool:
    """Pause the assistant in the case's conversation; False when it was already paused."""
    _work(actor, case_id)
    _, conversation_id = _conversation(case_id)
    try:
        if transcripts.transcript(conversation_id).paused:
            return False
        transcripts.pause(conversation_id)
    except Exception as exc:  # noqa: BLE001
        raise translate(exc) from None
    queries.record_takeover(case_id, actor.id)
    return True


def hand_back(actor: Actor, case_id: int) -> handoff.HandoffResult:
    """Resume the assistant and clear "waiting for an operator"."""
    _work(actor, case_id)
    _, conversation_id = _conversation(case_id)
    try:
        transcripts.resume(conversation_id)
        return handoff.hand_back_to_bot(case_id=case_id, user_id=actor.id)
    except Exception as exc:  # noqa: BLE001
        raise translate(exc) from None


@dataclass(frozen=True)
class ReplyOutcome:
    event_id: int
    delivery: delivery.DeliveryResult
    in_transcript: bool
    took_over: bool
    warnings: tuple[str, ...] = ()


async def reply(actor: Actor, case_id: int, text: str) -> ReplyOutcome:
    """Write to the person: into the conversation's tracker and out through their channel.

    The assistant is paused first (if it was not), so it does not answer the person's
    next message in parallel with the operator. On Telegram, WhatsApp and SMS the
    message is delivered first and written to the transcript after, so the transcript
    never shows a reply that could not be sent.
    """
    await asyncio.to_thread(_work, actor, case_id)
    text = (text or "").strip()
    if not text:
        raise CaseworkError("empty", "Escribe la respuesta antes de enviarla.", 422)
    if len(text) > MAX_REPLY:
        raise CaseworkError("too_long", f"La respuesta tiene más de {MAX_REPLY} caracteres.", 422)
    d, conversation_id = await asyncio.to_thread(_conversation, case_id)
    channel = delivery.reply_channel(d.channel, await asyncio.to_thread(queries.contact_channel, conversation_id))
    if not delivery.can_reply(channel):
        raise CaseworkError("no_channel", "No hay un canal por el que responder a esta persona.", 409)
    try:
        state = await asyncio.to_thread(transcripts.transcript, conversation_id)
        took_over = not state.paused
        if took_over:
            await asyncio.to_thread(transcripts.pause, conversation_id)
            await asyncio.to_thread(queries.record_takeover, case_id, actor.id)
    except TranscriptUnavailable as exc:
        raise translate(exc) from None
    warnings: list[str] = []
    result = await delivery.send(conversation_id, channel, text)
    if not result.delivered_or_queued:
        raise CaseworkError("not_delivered", f"No se pudo enviar el mensaje: {delivery.status_label(result.status)}.",
                            502)
    in_transcript = True
    try:
        await asyncio.to_thread(transcripts.add_operator_message, conversation_id, text, actor.display_name)
    except TranscriptUnavailable as exc:
        if result.via == "web":
            raise translate(exc) from None
        in_transcript = False
        warnings.append("El mensaje se envió, pero no se pudo anotar en la conversación del asistente.")
    details = {"channel": channel, "via": result.via, "status": result.status, "message_id": result.message_id,
               "window_closed": result.window_closed, "in_transcript": in_transcript}
    event_id = await asyncio.to_thread(queries.record_reply, case_id, actor.id, text, details)
    return ReplyOutcome(event_id, result, in_transcript, took_over, tuple(warnings))
