"""Statistics dashboard (inline SVG charts) and CSV export with small counts suppressed."""
from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from bot import audit
from bot.console import charts, queries, statistics
from bot.console.auth import Actor, require
from bot.console.web import page
from bot.db.session import session_scope

router = APIRouter(include_in_schema=False)


@router.get("/stats", response_class=HTMLResponse)
def stats_page(request: Request, actor: Actor = Depends(require("view_statistics"))):
    p = statistics.period(request.query_params.get("desde"), request.query_params.get("hasta"))
    tables = statistics.tables(p)
    sections = []
    for key, table in tables.items():
        cols = [(c, statistics.column_label(key, c)) for c in table.col_labels]
        if key == "categoria":
            every_month = statistics.months(p)
            chart = charts.stacked_columns(
                statistics.TABLES[key][2], [statistics.month_label(m) for m in every_month],
                [(name, [table.get(m, code) for m in every_month]) for code, name in cols],
                chart_id=f"chart-{key}")
        else:
            chart = charts.hbar(statistics.TABLES[key][2],
                                [(name, table.col_totals[code]) for code, name in cols if table.col_totals[code]],
                                chart_id=f"chart-{key}")
        sections.append({"key": key, "title": statistics.TABLES[key][2], "table": table, "cols": cols,
                         "chart": chart})
    times = queries.response_times(p.start, p.end)
    return page(request, actor, "stats.html", period=p, sections=sections, times=times,
                total=tables["categoria"].total)


@router.get("/stats/export.csv")
def export(request: Request, actor: Actor = Depends(require("view_statistics"))):
    p = statistics.period(request.query_params.get("desde"), request.query_params.get("hasta"))
    key = request.query_params.get("tabla") or "todas"
    tables = statistics.tables(p)
    keys = list(statistics.TABLES) if key == "todas" else [key] if key in statistics.TABLES else []
    if not keys:
        return Response("Tabla desconocida.", status_code=404, media_type="text/plain; charset=utf-8")
    body = "\n".join(statistics.csv_text(k, tables[k]) for k in keys)
    with session_scope() as db:
        audit.record(db, "stats.exported", actor_id=actor.id, object_type="stats",
                     details={"table": key, "export": f"{p.first}..{p.last}"})
    filename = f"willakuy-estadisticas-{key}-{p.first}-{p.last}.csv"
    return Response("\ufeff" + body, media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})
