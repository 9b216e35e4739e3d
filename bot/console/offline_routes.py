"""Recording a contact that came in by phone or in person, as a case (origin "offline")."""
from __future__ import annotations

import asyncio
import functools
import secrets

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from bot.cases import store
from bot.console import labels, offline
from bot.console.auth import Actor, require, require_post
from bot.console.web import page

router = APIRouter(include_in_schema=False)


def _form_page(request: Request, actor: Actor, *, values: dict | None = None, multi: dict | None = None,
               problems: list[str] | None = None, status_code: int = 200):
    return page(
        request, actor, "offline.html", status_code=status_code,
        values=values or {}, multi=multi or {}, problems=problems or [],
        form_id=(values or {}).get("form_id") or secrets.token_urlsafe(16),
        o={name: labels.options(name) for name in (
            "categories", "languages", "reporter_roles", "sex", "age_bands", "purposes", "recruitment",
            "recruiter_relationship", "control_means", "channels")},
        offer_types=[(s.code, s.text("es")) for s in labels.vocab("categories").get("orientacion_oferta").subtypes],
        departments=[(c, n) for c, n in labels.regions() if c != "extranjero"],
        flags=[(key, text) for key, text in _flag_labels()],
        slots=range(1, offline.VICTIM_SLOTS + 1),
    )


def _flag_labels():
    from bot.console.report_view import FLAGS

    return FLAGS


@router.get("/cases/new", response_class=HTMLResponse)
def new_form(request: Request, actor: Actor = Depends(require("record_offline"))):
    return _form_page(request, actor, values={"channel": "telefono", "language": "es"})


@router.post("/cases/new")
async def create(request: Request, actor: Actor = Depends(require_post("record_offline"))):
    form = await request.form()
    values = {k: v for k, v in form.items() if isinstance(v, str) and k not in ("csrf", "purposes", "control_means")}
    multi = {k: [v for v in form.getlist(k) if isinstance(v, str)] for k in ("purposes", "control_means")}
    parsed = offline.parse(values, multi)
    form_id = values.get("form_id") or ""
    if parsed.problems or not form_id:
        return _form_page(request, actor, values=values, multi=multi,
                          problems=parsed.problems or ["El formulario expiró; vuelve a enviarlo."], status_code=422)
    submit = functools.partial(
        store.submit_report, parsed.report, conversation_id=None, channel=parsed.report.channel, language=parsed.report.language,
        idempotency_key=f"offline:{actor.id}:{form_id}", narrative=parsed.narrative or None,
        contact_details=parsed.contact_details or None, origin="offline", received_at=parsed.received_at,
        user_id=actor.id, use_spool=False,
    )
    result = await asyncio.to_thread(submit)
    return RedirectResponse(f"/cases/{result.case_id}?hecho=created", status_code=303)
