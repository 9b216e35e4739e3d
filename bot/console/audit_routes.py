"""The audit log viewer: every view and change of a case (case_events) and every account event
(audit_log), by whom and when, filterable. Free text (notes, reasons) is never shown here."""
from __future__ import annotations

from datetime import date
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse

from bot.console import queries
from bot.console.auth import Actor, require
from bot.console.web import page

router = APIRouter(include_in_schema=False)
PAGE_SIZE = 100


def _date(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


def parse_filter(params) -> tuple[queries.AuditFilter, dict[str, str]]:
    source = params.get("origen") or ""
    f = queries.AuditFilter(
        actor_id=_int(params.get("usuario")),
        action=(params.get("accion") or "").strip() or None,
        case_id=_int(params.get("caso")),
        source=source if source in ("case", "account") else None,
        start=_date(params.get("desde")),
        end=_date(params.get("hasta")),
    )
    selected = {k: params.get(k) or "" for k in ("usuario", "accion", "caso", "origen", "desde", "hasta")}
    return f, selected


@router.get("/audit", response_class=HTMLResponse)
def audit_page(request: Request, actor: Actor = Depends(require("view_audit"))):
    f, selected = parse_filter(request.query_params)
    number = max(1, _int(request.query_params.get("pagina")) or 1)
    entries = queries.audit_entries(f, limit=PAGE_SIZE + 1, offset=(number - 1) * PAGE_SIZE)
    more = len(entries) > PAGE_SIZE
    params = urlencode({k: v for k, v in selected.items() if v})
    return page(request, actor, "audit.html", entries=entries[:PAGE_SIZE], selected=selected, page_number=number,
                more=more, params=params, users=queries.users(), actions=queries.audit_actions())
