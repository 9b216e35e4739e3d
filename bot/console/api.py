"""JSON API under /api/v1: the console's operations for scripts and tests.

Authentication is a bearer token per user (``willakuy console token create USER``);
the API takes no cookies, so it needs no CSRF token. Every route declares the same
permission as its page (``auth.require_api`` -> ``permissions.decide``), and case
operations go through the same ``casework`` functions as the pages.
The schema is FastAPI's, at /api/openapi.json.
"""
from __future__ import annotations

from datetime import date, datetime
from typing import Any, Dict, List, Optional

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, Field

from bot.cases import queue
from bot.console import casework, directory, queries, statistics
from bot.console.auth import Actor, require_api
from bot.console.queue_routes import item_json, parse_filters

router = APIRouter(tags=["consola"])


# --- schemas ---------------------------------------------------------------------------------

class Me(BaseModel):
    id: int
    username: str
    display_name: str
    role: str


class QueueCase(BaseModel):
    id: int
    code: str
    priority: str
    category: str
    subtype: Optional[str]
    status: str
    region: Optional[str]
    language: str
    channel: str
    assigned_to_id: Optional[int]
    assigned_to_name: Optional[str]
    waiting_for_operator: bool
    created_at: datetime


class QueueOut(BaseModel):
    cases: List[QueueCase]
    counts: Dict[str, int]


class EventOut(BaseModel):
    id: int
    at: datetime
    action: str
    actor_type: str
    actor_id: Optional[int]
    old: Optional[str]
    new: Optional[str]
    text: Optional[str] = Field(None, description="Nota o motivo (texto libre, descifrado)")


class DerivationOut(BaseModel):
    id: int
    institution: str
    region: Optional[str]
    derived_on: date
    reference: Optional[str]
    created_by_id: Optional[int]


class CaseOut(BaseModel):
    id: int
    code: str
    category: str
    subtype: Optional[str]
    priority: str
    status: str
    next_statuses: List[str] = Field(..., description="Estados a los que este usuario puede mover el caso ahora")
    language: str
    channel: str
    region: Optional[str]
    origin: str
    assigned_to_id: Optional[int]
    assigned_to_name: Optional[str]
    waiting_for_operator: bool
    created_at: datetime
    closed_at: Optional[datetime]
    purged: bool
    has_conversation: bool
    report: Optional[Dict[str, Any]]
    screening: Optional[Dict[str, Any]]
    narrative: Optional[str]
    suggested_derivations: List[str]
    derivations: List[DerivationOut]
    events: List[EventOut]


class MessageOut(BaseModel):
    index: int
    at: Optional[datetime]
    sender: str = Field(..., description="user | bot | operator | system")
    text: str
    operator_name: Optional[str]


class TranscriptOut(BaseModel):
    conversation: bool
    language: Optional[str]
    channel: Optional[str]
    paused: bool
    messages: List[MessageOut]


class ClaimOut(BaseModel):
    ok: bool
    holder_id: Optional[int]
    holder_name: Optional[str]
    already: bool


class Ok(BaseModel):
    ok: bool = True


class ReassignIn(BaseModel):
    to_user_id: Optional[int] = Field(None, description="null: devolver el caso a la cola")
    reason: Optional[str] = None


class StatusIn(BaseModel):
    status: str
    reason: Optional[str] = None


class StatusOut(BaseModel):
    old: str
    new: str


class NoteIn(BaseModel):
    text: str


class NoteOut(BaseModel):
    event_id: int


class DerivationIn(BaseModel):
    entry_id: Optional[int] = Field(None, description="Entrada del directorio de derivación")
    institution: Optional[str] = Field(None, description="Código de institución (si no se usa entry_id)")
    derived_on: date
    reference: Optional[str] = None
    region: Optional[str] = None


class DerivationResultOut(BaseModel):
    derivation_id: int
    status: str
    status_changed: bool
    warnings: List[str]


class ReplyIn(BaseModel):
    text: str


class ReplyOut(BaseModel):
    event_id: int
    via: str
    status: str
    message_id: Optional[str]
    window_closed: bool
    in_transcript: bool
    took_over: bool
    warnings: List[str]


class TakeoverOut(BaseModel):
    changed: bool


class DirectoryEntryOut(BaseModel):
    id: int
    target: str
    region: str
    name: str
    phone: Optional[str]
    email: Optional[str]
    notes: Optional[str]
    active: bool


class LoadOut(BaseModel):
    user_id: int
    display_name: str
    role: str
    held: int
    p1: int
    waiting: int


class StatsTable(BaseModel):
    title: str
    months: List[str]
    columns: List[str]
    cells: Dict[str, Dict[str, Any]] = Field(..., description="mes -> columna -> recuento")
    column_totals: Dict[str, Any]
    total: Any
    notes: List[str]


class StatsOut(BaseModel):
    first_month: str
    last_month: str
    suppressed: bool
    tables: Dict[str, StatsTable]
    response_times: Dict[str, Any]


# --- routes ----------------------------------------------------------------------------------

@router.get("/me", response_model=Me)
def me(actor: Actor = Depends(require_api("use_console"))):
    return Me(id=actor.id, username=actor.username, display_name=actor.display_name, role=actor.role)


@router.get("/queue", response_model=QueueOut)
def get_queue(request: Request, category: Optional[str] = None, status: Optional[str] = None,
              priority: Optional[str] = None, region: Optional[str] = None, language: Optional[str] = None,
              channel: Optional[str] = None,
              assignee: Optional[str] = Query(None, description="me | none | id de usuario"),
              waiting: Optional[str] = Query(None, description="1: solo quienes esperan a una persona"),
              actor: Actor = Depends(require_api("view_queue"))):
    filters = parse_filters(request.query_params, actor)
    return {"cases": [item_json(i) for i in queue.list_queue(filters.query)], "counts": queue.count_by_priority()}


def _case_out(actor: Actor, case_id: int) -> dict:
    v = casework.view(actor, case_id, with_transcript=False)
    d = v.detail
    return {
        "id": d.id, "code": d.code, "category": d.category, "subtype": d.subtype, "priority": d.priority,
        "status": d.status, "next_statuses": [o.code for o in v.status_options], "language": d.language,
        "channel": d.channel, "region": d.region, "origin": d.origin, "assigned_to_id": d.assigned_to_id,
        "assigned_to_name": d.assigned_to_name, "waiting_for_operator": d.waiting_for_operator,
        "created_at": d.created_at, "closed_at": d.closed_at, "purged": d.purged_at is not None,
        "has_conversation": bool(d.conversation_id), "report": v.report, "screening": v.screening,
        "narrative": d.narrative, "suggested_derivations": v.suggested_derivations,
        "derivations": [{"id": x.id, "institution": x.institution, "region": x.region, "derived_on": x.derived_on,
                         "reference": x.reference, "created_by_id": x.created_by_id} for x in d.derivations],
        "events": [{"id": e.id, "at": e.at, "action": e.action, "actor_type": e.actor_type, "actor_id": e.actor_id,
                    "old": e.old_value, "new": e.new_value, "text": e.text} for e in d.events],
    }


@router.get("/cases/{case_id}", response_model=CaseOut)
def get_case(case_id: int, actor: Actor = Depends(require_api("view_case"))):
    """The case with its report, timeline and derivations. Writes a "viewed" audit event."""
    return _case_out(actor, case_id)


@router.get("/cases/{case_id}/transcript", response_model=TranscriptOut)
def get_transcript(case_id: int, actor: Actor = Depends(require_api("view_case"))):
    v = casework.view(actor, case_id, with_transcript=True)
    if v.transcript_error:
        raise casework.CaseworkError("assistant_unavailable", v.transcript_error, 503)
    t = v.transcript
    if t is None:
        return {"conversation": False, "language": None, "channel": None, "paused": False, "messages": []}
    return {"conversation": True, "language": t.language, "channel": t.channel, "paused": t.paused,
            "messages": [{"index": m.index, "at": m.at, "sender": m.sender, "text": m.text,
                          "operator_name": m.operator_name} for m in t.messages]}


@router.post("/cases/{case_id}/claim", response_model=ClaimOut)
def claim(case_id: int, actor: Actor = Depends(require_api("claim_case"))):
    r = casework.claim(actor, case_id)
    return {"ok": r.ok, "holder_id": r.holder_id, "holder_name": r.holder_name, "already": r.already}


@router.post("/cases/{case_id}/release", response_model=Ok)
def release(case_id: int, actor: Actor = Depends(require_api("claim_case"))):
    casework.release(actor, case_id)
    return {"ok": True}


@router.post("/cases/{case_id}/reassign", response_model=Ok)
def reassign(case_id: int, body: ReassignIn, actor: Actor = Depends(require_api("reassign_case"))):
    casework.reassign(actor, case_id, body.to_user_id, body.reason)
    return {"ok": True}


@router.post("/cases/{case_id}/status", response_model=StatusOut)
def change_status(case_id: int, body: StatusIn, actor: Actor = Depends(require_api("work_case"))):
    change = casework.change_status(actor, case_id, body.status, body.reason)
    return {"old": change.old, "new": change.new}


@router.post("/cases/{case_id}/notes", response_model=NoteOut)
def add_note(case_id: int, body: NoteIn, actor: Actor = Depends(require_api("work_case"))):
    return {"event_id": casework.add_note(actor, case_id, body.text)}


@router.post("/cases/{case_id}/derivations", response_model=DerivationResultOut)
def add_derivation(case_id: int, body: DerivationIn, actor: Actor = Depends(require_api("work_case"))):
    r = casework.add_derivation(actor, case_id, institution=body.institution, entry_id=body.entry_id,
                                derived_on=body.derived_on, reference=body.reference, region=body.region)
    return {"derivation_id": r.derivation_id, "status": r.status, "status_changed": r.status_changed,
            "warnings": list(r.warnings)}


@router.post("/cases/{case_id}/reply", response_model=ReplyOut)
async def reply(case_id: int, body: ReplyIn, actor: Actor = Depends(require_api("work_case"))):
    """Write to the person: appended to the conversation and delivered on their channel."""
    o = await casework.reply(actor, case_id, body.text)
    return {"event_id": o.event_id, "via": o.delivery.via, "status": o.delivery.status,
            "message_id": o.delivery.message_id, "window_closed": o.delivery.window_closed,
            "in_transcript": o.in_transcript, "took_over": o.took_over, "warnings": list(o.warnings)}


@router.post("/cases/{case_id}/takeover", response_model=TakeoverOut)
def take_over(case_id: int, actor: Actor = Depends(require_api("work_case"))):
    return {"changed": casework.take_over(actor, case_id)}


@router.post("/cases/{case_id}/handback", response_model=TakeoverOut)
def hand_back(case_id: int, actor: Actor = Depends(require_api("work_case"))):
    return {"changed": casework.hand_back(actor, case_id).changed}


@router.get("/directory", response_model=List[DirectoryEntryOut])
def get_directory(actor: Actor = Depends(require_api("view_directory"))):
    return [e.__dict__ for e in directory.entries()]


@router.get("/load", response_model=List[LoadOut])
def get_load(actor: Actor = Depends(require_api("view_load"))):
    return [row.__dict__ for row in queries.operator_load()]


@router.get("/stats", response_model=StatsOut)
def get_stats(desde: Optional[str] = Query(None, description="primer mes, YYYY-MM"),
              hasta: Optional[str] = Query(None, description="último mes, YYYY-MM"),
              suppress: bool = Query(False, description="ocultar recuentos menores que 5, como la exportación CSV"),
              actor: Actor = Depends(require_api("view_statistics"))):
    from bot.cases.stats import suppress_small

    p = statistics.period(desde, hasta)
    out = {}
    for key, table in statistics.tables(p).items():
        shown = suppress_small(table) if suppress else table
        out[key] = {
            "title": statistics.TABLES[key][2], "months": shown.row_labels, "columns": shown.col_labels,
            "cells": {m: {c: shown.get(m, c) for c in shown.col_labels} for m in shown.row_labels},
            "column_totals": shown.col_totals, "total": shown.total, "notes": shown.notes,
        }
    return {"first_month": p.first, "last_month": p.last, "suppressed": suppress, "tables": out,
            "response_times": queries.response_times(p.start, p.end)}
