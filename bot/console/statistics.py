"""The statistics screen's data: monthly tables from the case store, Spanish labels, CSV.

Counting and suppression are ``bot.cases.stats``'s; this module picks the period, puts
Spanish labels on codes and writes CSV. The dashboard (supervisors only) shows exact
counts; the CSV export, meant to leave the line, has counts under 5 suppressed.
"""
from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Callable

from bot.cases import stats
from bot.cases.stats_queries import PERU, monthly_rows
from bot.console import labels

# key -> (builder, vocabulary for column labels or None, title)
TABLES: dict[str, tuple[Callable, str | None, str]] = {
    "categoria": (stats.contacts_by_category, "categories", "Contactos por categoría (rubros de la línea 0800)"),
    "finalidad": (stats.by_purpose, "purposes", "Casos por finalidad de explotación"),
    "region": (stats.by_region, None, "Contactos por región (lugar de los hechos)"),
    "edad": (stats.by_age_band, "age_bands", "Víctimas por rango de edad"),
    "sexo": (stats.by_sex, "sex", "Víctimas por sexo"),
    "canal": (stats.by_channel, "channels", "Contactos por canal"),
    "idioma": (stats.by_language, "languages", "Contactos por idioma"),
}
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


@dataclass(frozen=True)
class Period:
    start: date        # first day of the first month
    end: date          # first day of the month after the last
    first: str         # "YYYY-MM"
    last: str


def _month(value: str | None) -> tuple[int, int] | None:
    m = _MONTH.match(value or "")
    if not m or not 1 <= int(m.group(2)) <= 12:
        return None
    return int(m.group(1)), int(m.group(2))


def period(first: str | None, last: str | None, today: date | None = None) -> Period:
    """From ``first`` to ``last`` month included (YYYY-MM); default the last 12 months."""
    today = today or datetime.now(PERU).date()
    end_m = _month(last) or (today.year, today.month)
    start_m = _month(first)
    if start_m is None:
        total = end_m[0] * 12 + end_m[1] - 1 - 11
        start_m = (total // 12, total % 12 + 1)
    if start_m > end_m:
        start_m, end_m = end_m, start_m
    after = end_m[0] * 12 + end_m[1]          # index of the month after end (0-based months)
    end = date(after // 12, after % 12 + 1, 1)
    return Period(date(start_m[0], start_m[1], 1), end, f"{start_m[0]:04d}-{start_m[1]:02d}",
                  f"{end_m[0]:04d}-{end_m[1]:02d}")


def months(p: Period) -> list[str]:
    """Every month of the period, "YYYY-MM", so charts show empty months too."""
    out, (y, m) = [], (p.start.year, p.start.month)
    while (y, m) < (p.end.year, p.end.month):
        out.append(f"{y:04d}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


MONTHS_ES = ("ene", "feb", "mar", "abr", "may", "jun", "jul", "ago", "set", "oct", "nov", "dic")


def month_label(month: str) -> str:
    """"2026-03" -> "mar 26" (short, for chart axes)."""
    return f"{MONTHS_ES[int(month[5:7]) - 1]} {month[2:4]}"


def column_label(key: str, code: str) -> str:
    vocab = TABLES[key][1]
    if code == stats.MISSING:
        return "Sin dato"
    if vocab is None:
        return "Extranjero" if code == stats.ABROAD else code
    return labels.label(vocab, code)


def tables(p: Period, *, url: str | None = None) -> dict[str, stats.Table]:
    rows = monthly_rows(p.start, p.end, url=url)
    return {key: builder(rows) for key, (builder, _, _) in TABLES.items()}


def csv_text(key: str, table: stats.Table) -> str:
    """One table as CSV with small counts suppressed, Spanish headers, notes at the end."""
    shown = stats.suppress_small(table)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([TABLES[key][2]])
    writer.writerow(["mes", *(column_label(key, c) for c in shown.col_labels), "total"])
    for row in shown.to_rows()[1:]:
        writer.writerow(row)
    for note in shown.notes:
        writer.writerow([note])
    return out.getvalue()
