"""The queue: P1 first, filters, and a small JSON endpoint the page polls for new cases."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, JSONResponse

from bot.cases import queue
from bot.cases.queue import QueueFilter, QueueItem
from bot.console import labels, queries
from bot.console.auth import Actor, require
from bot.console.web import env, page

router = APIRouter(include_in_schema=False)
POLL_SECONDS = 5
FILTER_KEYS = ("category", "status", "priority", "region", "language", "channel", "assignee", "waiting")


@dataclass(frozen=True)
class Filters:
    query: QueueFilter
    selected: dict[str, str]


def parse_filters(params: Mapping[str, str], actor: Actor) -> Filters:
    """Query parameters -> QueueFilter; unknown values are ignored rather than failing."""
    selected: dict[str, str] = {}
    values: dict[str, Any] = {}
    for key, vocab in (("category", "categories"), ("language", "languages"), ("channel", "channels")):
        value = params.get(key) or ""
        if value in labels.vocab(vocab):
            values[key] = selected[key] = value
    status = params.get("status") or ""
    if status == "todos":
        values["status"] = labels.vocab("statuses").codes
        selected["status"] = status
    elif status in labels.vocab("statuses"):
        values["status"] = selected["status"] = status
    priority = params.get("priority") or ""
    if priority in labels.PRIORITIES:
        values["priority"] = selected["priority"] = priority
    region = params.get("region") or ""
    if region in dict(labels.regions()):
        values["region"] = selected["region"] = region
    assignee = params.get("assignee") or ""
    if assignee == "me":
        values["assignee"] = actor.id
        selected["assignee"] = assignee
    elif assignee == "none":
        values["unassigned"] = True
        selected["assignee"] = assignee
    elif assignee.isdigit():
        values["assignee"] = int(assignee)
        selected["assignee"] = assignee
    if params.get("waiting") == "1":
        values["waiting_for_operator"] = True
        selected["waiting"] = "1"
    return Filters(QueueFilter(**values), selected)


def item_json(item: QueueItem) -> dict[str, Any]:
    return {
        "id": item.id, "code": item.code, "priority": item.priority, "category": item.category,
        "subtype": item.subtype, "status": item.status, "region": item.region, "language": item.language,
        "channel": item.channel, "assigned_to_id": item.assigned_to_id, "assigned_to_name": item.assigned_to_name,
        "waiting_for_operator": item.waiting_for_operator, "created_at": item.created_at.isoformat(),
    }


def _rows_html(items: list[QueueItem], actor: Actor, csrf: str | None) -> str:
    return env.get_template("_queue_rows.html").render(items=items, user=actor, csrf=csrf)


@router.get("/queue", response_class=HTMLResponse)
def queue_page(request: Request, actor: Actor = Depends(require("view_queue"))):
    filters = parse_filters(request.query_params, actor)
    items = queue.list_queue(filters.query)
    return page(
        request, actor, "queue.html",
        items=items, rows_html=_rows_html(items, actor, actor.csrf), selected=filters.selected,
        counts=queue.count_by_priority(), counts_unassigned=queue.count_by_priority(unassigned=True),
        p1_ids=[i.id for i in items if i.priority == "P1"], poll_seconds=POLL_SECONDS,
        staff=queries.users(active_only=True, staff_only=True), options=_options(),
        query_string=request.url.query,
    )


@router.get("/queue/poll")
def queue_poll(request: Request, actor: Actor = Depends(require("view_queue", touch=False))) -> JSONResponse:
    """The same list as the page, for the page's polling; does not count as activity."""
    filters = parse_filters(request.query_params, actor)
    items = queue.list_queue(filters.query)
    return JSONResponse({
        "cases": [item_json(i) for i in items],
        "html": _rows_html(items, actor, actor.csrf),
        "counts": queue.count_by_priority(),
        "counts_unassigned": queue.count_by_priority(unassigned=True),
        "p1_ids": [i.id for i in items if i.priority == "P1"],
    })


def _options() -> dict[str, list[tuple[str, str]]]:
    return {
        "category": labels.options("categories"),
        "status": labels.options("statuses"),
        "language": labels.options("languages"),
        "channel": labels.options("channels"),
        "region": labels.regions(),
        "priority": [(code, info["label"]) for code, info in labels.PRIORITIES.items()],
    }
