"""Rows for the monthly statistics (bot.cases.stats) read from the database.

One row per case created in ``[start, end)``: month (in Peru's time, UTC-5 all year
since 1994, so a report at 22:00 on 31 March counts in March), category (the current
one, after any operator correction), purposes, region, channel, language and the
victims' sex and age band. No code, id, date or text: a row cannot be traced back to a
case. Suppression of small counts stays in ``stats.suppress_small``.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from typing import Any

from sqlalchemy import select

from bot.cases.stats import MISSING
from bot.db.models import Case, Report as ReportRow
from bot.db.session import session_scope

PERU = timezone(timedelta(hours=-5), "America/Lima")


def _bound(value: date | datetime) -> datetime:
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ValueError("datetimes must be timezone-aware; or pass a date (Peru's calendar)")
        return value
    return datetime(value.year, value.month, value.day, tzinfo=PERU)


def monthly_rows(start: date | datetime, end: date | datetime, *, url: str | None = None) -> list[dict[str, Any]]:
    """Statistics rows for cases created from ``start`` (included) to ``end`` (excluded).

    Dates are days of Peru's calendar: ``monthly_rows(date(2026, 3, 1), date(2026, 4, 1))``
    is March 2026.
    """
    lo, hi = _bound(start), _bound(end)
    query = (
        select(Case.created_at, Case.category, Case.region, Case.channel, Case.language, ReportRow.data)
        .outerjoin(ReportRow, ReportRow.case_id == Case.id)
        .where(Case.created_at >= lo, Case.created_at < hi)
        .order_by(Case.created_at, Case.id)
    )
    rows = []
    with session_scope(url) as db:
        for created_at, category, region, channel, language, data in db.execute(query):
            data = data or {}
            rows.append({
                "month": created_at.astimezone(PERU).strftime("%Y-%m"),
                "category": category,
                "purposes": list(data.get("purposes") or []),
                "region": region or MISSING,
                "channel": channel,
                "language": language,
                "victims": [{"sex": v.get("sex") or MISSING, "age_band": v.get("age_band") or MISSING}
                            for v in data.get("victims") or []],
            })
    return rows
