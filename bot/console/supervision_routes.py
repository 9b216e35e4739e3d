"""Supervisors: each operator's load (open cases held, P1, waiting), with links to reassign."""
from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse

from bot.cases import queue
from bot.console import queries
from bot.console.auth import Actor, require
from bot.console.web import page

router = APIRouter(include_in_schema=False)


@router.get("/supervision", response_class=HTMLResponse)
def load_page(request: Request, actor: Actor = Depends(require("view_load"))):
    loads = queries.operator_load()
    held = {row.user_id: queries.held_cases(row.user_id) for row in loads if row.held}
    return page(request, actor, "supervision.html", loads=loads, held=held,
                unassigned=queue.count_by_priority(unassigned=True))
