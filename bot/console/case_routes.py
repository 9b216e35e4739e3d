"""The case page and what an operator does on it (claim, reply, note, status, derivation...).

Every POST checks the session's CSRF token and the permission (``require_post``); the
case-level rule (hold the case, or be a supervisor) is checked in ``casework``. After
a change the browser is redirected to the case page with a short notice code in the
URL (never free text); a refused change re-renders the page with the reason.
"""
from __future__ import annotations

import asyncio
from datetime import date

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from bot.cases.definitions import load
from bot.console import canned, casework, delivery, directory, labels, queries
from bot.console.auth import Actor, require, require_post
from bot.console.casework import CaseworkError
from bot.console.web import page

router = APIRouter(include_in_schema=False)

NOTICES = {
    "claimed": "Tomaste el caso.",
    "taken": "Este caso ya lo tiene otra persona.",
    "released": "Liberaste el caso: vuelve a la cola.",
    "reassigned": "Caso reasignado.",
    "status": "Estado actualizado.",
    "note": "Nota guardada.",
    "derivation": "Derivación registrada.",
    "derivation_warning": "Derivación registrada, pero el estado no cambió (ver la advertencia en la línea de tiempo).",
    "reply": "Respuesta enviada.",
    "reply_window": "Respuesta en espera: la ventana de 24 h de WhatsApp está cerrada. Se envió una plantilla "
                    "para que la persona vuelva a escribir; el mensaje sale cuando responda.",
    "reply_warning": "Respuesta enviada, pero no quedó anotada en la conversación del asistente.",
    "takeover": "Tomaste la conversación: el asistente no responderá mientras la atiendes.",
    "takeover_already": "La conversación ya estaba en manos de una persona de la línea.",
    "handback": "La conversación volvió al asistente.",
    "created": "Contacto registrado como caso nuevo.",
}


def render(request: Request, actor: Actor, case_id: int, *, error: str | None = None, status_code: int = 200,
           form: dict | None = None, mark: bool = True):
    view = casework.view(actor, case_id, mark=mark)
    d = view.detail
    language = (view.transcript.language if view.transcript and view.transcript.language else d.language)
    return page(
        request, actor, "case.html", status_code=status_code,
        case=d, v=view, error=error, form=form or {},
        notice=NOTICES.get(request.query_params.get("hecho", "")),
        canned=canned.for_form(language, actor.display_name) if view.reply_channel else [],
        reply_language=language,
        staff=queries.users(active_only=True, staff_only=True),
        directory=directory.entries(active_only=True),
        targets=labels.options("derivation_targets", d.definition_version),
        target_scopes={v.code: v.extra.get("scope") for v in load(d.definition_version)["derivation_targets"]
                       if v.extra.get("scope")},
        regions=labels.regions(),
        today=date.today().isoformat(),
        status_label=delivery.status_label,
        workflow=load(d.definition_version).workflow,
    )


def _done(case_id: int, notice: str) -> RedirectResponse:
    return RedirectResponse(f"/cases/{case_id}?hecho={notice}", status_code=303)


def _refused(request: Request, actor: Actor, case_id: int, exc: CaseworkError, form: dict | None = None):
    if exc.status == 404:
        raise exc
    return render(request, actor, case_id, error=exc.message, status_code=exc.status, form=form, mark=False)


@router.get("/cases/{case_id:int}", response_class=HTMLResponse)
def case_page(request: Request, case_id: int, actor: Actor = Depends(require("view_case"))):
    return render(request, actor, case_id)


@router.post("/cases/{case_id:int}/claim")
def claim(case_id: int, actor: Actor = Depends(require_post("claim_case"))):
    result = casework.claim(actor, case_id)
    return _done(case_id, "claimed" if result.ok else "taken")


@router.post("/cases/{case_id:int}/release")
def release(request: Request, case_id: int, actor: Actor = Depends(require_post("claim_case"))):
    try:
        casework.release(actor, case_id)
    except CaseworkError as exc:
        return _refused(request, actor, case_id, exc)
    return RedirectResponse("/queue", status_code=303)


@router.post("/cases/{case_id:int}/reassign")
def reassign(request: Request, case_id: int, to_user: str = Form(""), reason: str = Form(""),
             actor: Actor = Depends(require_post("reassign_case"))):
    try:
        casework.reassign(actor, case_id, int(to_user) if to_user.isdigit() else None, reason)
    except CaseworkError as exc:
        return _refused(request, actor, case_id, exc)
    return _done(case_id, "reassigned")


@router.post("/cases/{case_id:int}/status")
def change_status(request: Request, case_id: int, status: str = Form(""), reason: str = Form(""),
                  actor: Actor = Depends(require_post("work_case"))):
    try:
        casework.change_status(actor, case_id, status, reason)
    except CaseworkError as exc:
        return _refused(request, actor, case_id, exc, {"status": status, "reason": reason})
    return _done(case_id, "status")


@router.post("/cases/{case_id:int}/notes")
def add_note(request: Request, case_id: int, text: str = Form(""), actor: Actor = Depends(require_post("work_case"))):
    try:
        casework.add_note(actor, case_id, text)
    except CaseworkError as exc:
        return _refused(request, actor, case_id, exc, {"note": text})
    return _done(case_id, "note")


@router.post("/cases/{case_id:int}/derivations")
def add_derivation(request: Request, case_id: int, entry: str = Form(""), derived_on: str = Form(""),
                   reference: str = Form(""), actor: Actor = Depends(require_post("work_case"))):
    form = {"entry": entry, "derived_on": derived_on, "reference": reference}
    try:
        try:
            day = date.fromisoformat(derived_on)
        except ValueError:
            day = None   # refused in casework, after the permission check
        if entry.isdigit():
            result = casework.add_derivation(actor, case_id, entry_id=int(entry), derived_on=day, reference=reference)
        else:
            result = casework.add_derivation(actor, case_id, institution=entry or None, derived_on=day,
                                             reference=reference)
    except CaseworkError as exc:
        return _refused(request, actor, case_id, exc, form)
    if result.warnings:
        return render(request, actor, case_id, error="Derivación registrada. " + _warning(result.warnings),
                      status_code=200, mark=False)
    return _done(case_id, "derivation")


def _warning(warnings: tuple[str, ...]) -> str:
    text = " ".join(warnings)
    if "CEM" in text:
        return ("El estado no cambió: un caso laboral nunca se deriva solo al CEM. "
                "Deriva también a la PNP o al Ministerio Público (PN L1271).")
    return "El estado no cambió: desde el estado actual el caso no puede pasar a «Derivado»."


@router.post("/cases/{case_id:int}/reply")
async def reply(request: Request, case_id: int, text: str = Form(""), actor: Actor = Depends(require_post("work_case"))):
    try:
        outcome = await casework.reply(actor, case_id, text)
    except CaseworkError as exc:
        return await asyncio.to_thread(_refused, request, actor, case_id, exc, {"reply": text})
    if outcome.delivery.window_closed:
        return _done(case_id, "reply_window")
    return _done(case_id, "reply_warning" if outcome.warnings else "reply")


@router.post("/cases/{case_id:int}/takeover")
def take_over(request: Request, case_id: int, actor: Actor = Depends(require_post("work_case"))):
    try:
        changed = casework.take_over(actor, case_id)
    except CaseworkError as exc:
        return _refused(request, actor, case_id, exc)
    return _done(case_id, "takeover" if changed else "takeover_already")


@router.post("/cases/{case_id:int}/handback")
def hand_back(request: Request, case_id: int, actor: Actor = Depends(require_post("work_case"))):
    try:
        casework.hand_back(actor, case_id)
    except CaseworkError as exc:
        return _refused(request, actor, case_id, exc)
    return _done(case_id, "handback")
