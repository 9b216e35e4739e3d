"""Monthly tables like the line's reports, and small-count suppression before publishing.

Input rows are plain dicts (the DB layer builds them; ``row_from_report`` shows the
shape): ``month`` ("2026-03") or ``created_at``, ``category``, ``purposes`` (list),
``region`` (department ubigeo), ``channel``, ``language`` and ``victims`` (list of
{``sex``, ``age_band``}). No text, names or contact data ever enter a row.

Counting: contact-level tables count contacts; ``by_purpose`` counts a contact once in
each of its purposes, so its cells can add up to more than the row total (flagged by
``Table.multi``); ``by_sex`` and ``by_age_band`` count victims.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Callable, Iterable, Mapping, Sequence

from bot.cases import places
from bot.cases.definitions import load

MISSING = "sin_dato"
ABROAD = "extranjero"
SECONDARY = "x"


@dataclass
class Table:
    title: str
    row_labels: list[str]
    col_labels: list[str]
    cells: dict[tuple[str, str], Any]
    row_totals: dict[str, Any]
    col_totals: dict[str, Any]
    total: Any
    multi: bool = False
    notes: list[str] = field(default_factory=list)

    def get(self, row: str, col: str) -> Any:
        return self.cells.get((row, col), 0)

    def to_rows(self) -> list[list[Any]]:
        """Header, one line per row label, then the totals line: ready for CSV."""
        out: list[list[Any]] = [["", *self.col_labels, "total"]]
        for r in self.row_labels:
            out.append([r, *(self.get(r, c) for c in self.col_labels), self.row_totals[r]])
        out.append(["total", *(self.col_totals[c] for c in self.col_labels), self.total])
        return out


def month_of(row: Mapping[str, Any]) -> str:
    if row.get("month"):
        return str(row["month"])[:7]
    created = row.get("created_at")
    if isinstance(created, (datetime, date)):
        return created.strftime("%Y-%m")
    if isinstance(created, str) and len(created) >= 7:
        return created[:7]
    raise ValueError("each row needs 'month' (YYYY-MM) or 'created_at'")


def crosstab(
    rows: Iterable[Mapping[str, Any]],
    by: str,
    *,
    title: str | None = None,
    multi: bool = False,
    columns: Sequence[str] = (),
    rename: Callable[[str], str] | None = None,
) -> Table:
    """Count rows per month (table rows) and value of ``by`` (columns).

    ``columns`` fixes the order (and shows zero columns); values not in it are appended.
    """
    counts: dict[tuple[str, str], int] = {}
    row_totals: dict[str, int] = {}
    col_totals: dict[str, int] = {}
    seen_cols: list[str] = []
    total = 0
    for row in rows:
        month = month_of(row)
        raw = row.get(by)
        values = list(raw) if multi and isinstance(raw, (list, tuple, set)) else [raw]
        labels = []
        for value in values or [None]:
            label = MISSING if value in (None, "") else str(value)
            label = rename(label) if rename else label
            if label not in labels:
                labels.append(label)
        for label in labels:
            counts[(month, label)] = counts.get((month, label), 0) + 1
            col_totals[label] = col_totals.get(label, 0) + 1
            if label not in seen_cols:
                seen_cols.append(label)
        row_totals[month] = row_totals.get(month, 0) + 1
        total += 1
    fixed = [rename(c) if rename else c for c in columns]
    col_labels = list(dict.fromkeys(fixed)) + [c for c in seen_cols if c not in fixed]
    for c in col_labels:
        col_totals.setdefault(c, 0)
    row_labels = sorted(row_totals)
    cells = {(r, c): counts.get((r, c), 0) for r in row_labels for c in col_labels}
    return Table(title or by, row_labels, col_labels, cells, row_totals, col_totals, total, multi)


def _codes(vocab: str) -> tuple[str, ...]:
    return load()[vocab].codes


def victim_rows(rows: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """One row per victim, carrying the contact's month."""
    out = []
    for row in rows:
        for victim in row.get("victims") or []:
            out.append({"month": month_of(row), **victim})
    return out


def contacts_by_category(rows: Iterable[Mapping[str, Any]]) -> Table:
    return crosstab(rows, "category", title="Contactos por categoría", columns=_codes("categories"))


def by_purpose(rows: Iterable[Mapping[str, Any]]) -> Table:
    table = crosstab(rows, "purposes", title="Casos por finalidad", multi=True, columns=_codes("purposes"))
    table.notes.append("Un caso puede tener varias finalidades: las columnas pueden sumar más que el total.")
    return table


def _region_name(code: str) -> str:
    place = places.lookup(code) if code.isdigit() else None
    return place.departamento if place else code


def by_region(rows: Iterable[Mapping[str, Any]]) -> Table:
    return crosstab(rows, "region", title="Contactos por región", rename=_region_name)


def by_channel(rows: Iterable[Mapping[str, Any]]) -> Table:
    return crosstab(rows, "channel", title="Contactos por canal", columns=_codes("channels"))


def by_language(rows: Iterable[Mapping[str, Any]]) -> Table:
    return crosstab(rows, "language", title="Contactos por idioma", columns=_codes("languages"))


def by_age_band(rows: Iterable[Mapping[str, Any]]) -> Table:
    return crosstab(victim_rows(rows), "age_band", title="Víctimas por edad", columns=_codes("age_bands"))


def by_sex(rows: Iterable[Mapping[str, Any]]) -> Table:
    return crosstab(victim_rows(rows), "sex", title="Víctimas por sexo", columns=_codes("sex"))


def row_from_report(report: Any, created_at: datetime | date | str, category: str | None = None) -> dict[str, Any]:
    """The statistics row for a ``Report`` (pass the triaged category when there is one).

    Region is where the facts happened (destination), else the origin, else the first
    victim's origin; a place abroad counts as "extranjero".
    """
    region = MISSING
    for loc in (report.destination, report.origin, *(v.origin for v in report.victims)):
        if loc is None:
            continue
        if loc.country != "PE":
            region = ABROAD
            break
        if loc.ubigeo:
            region = loc.ubigeo[:2]
            break
    return {
        "month": month_of({"created_at": created_at}),
        "category": category or report.category_hint or MISSING,
        "purposes": list(report.purposes),
        "region": region,
        "channel": report.channel,
        "language": report.language,
        "victims": [{"sex": v.sex, "age_band": v.age_band} for v in report.victims],
    }


def suppress_small(table: Table, threshold: int = 5) -> Table:
    """Replace counts 1..threshold-1 by "<threshold", plus complementary suppression.

    Primary: every cell *and total* from 1 to threshold-1 becomes "<5". Zeros stay.
    Complementary: each line (a row with its total, a column with its total, and the
    two lines of totals with the grand total) is an equation; if exactly one of its
    entries (total included) is hidden, a reader can solve for it. So one more entry of
    that line, the smallest non-zero one, is hidden as "x" (or its total, when no other
    entry is left). Repeated until no line hides exactly one entry. This is a greedy
    heuristic, not an optimal or fully audited suppression (see docs/cases.md).
    """
    marker = f"<{threshold}"
    values: dict[tuple, int] = {}
    for (r, c), v in table.cells.items():
        values[("cell", r, c)] = v
    for r, v in table.row_totals.items():
        values[("rt", r)] = v
    for c, v in table.col_totals.items():
        values[("ct", c)] = v
    values[("t",)] = table.total
    if any(not isinstance(v, int) for v in values.values()):
        raise ValueError("suppress_small needs a table of counts (was it suppressed already?)")

    hidden: dict[tuple, str] = {k: marker for k, v in values.items() if 0 < v < threshold}
    lines: list[tuple[list[tuple], tuple]] = []
    for r in table.row_labels:
        lines.append(([("cell", r, c) for c in table.col_labels], ("rt", r)))
    for c in table.col_labels:
        lines.append(([("cell", r, c) for r in table.row_labels], ("ct", c)))
    lines.append(([("rt", r) for r in table.row_labels], ("t",)))
    lines.append(([("ct", c) for c in table.col_labels], ("t",)))

    # Each line is an equation members = total. With exactly one unknown in it, the
    # unknown can be solved for; so hide one more entry until no line has exactly one.
    changed = True
    while changed:
        changed = False
        for members, total in lines:
            entries = [*members, total]
            if sum(1 for m in entries if m in hidden) != 1:
                continue
            open_members = [m for m in members if m not in hidden and values[m] > 0]
            if open_members:
                victim = min(open_members, key=lambda m: values[m])
            elif total not in hidden:
                victim = total
            else:
                continue  # hidden total over members that are all 0: nothing to protect
            hidden[victim] = SECONDARY
            changed = True

    def shown(key: tuple) -> Any:
        return hidden.get(key, values[key])

    notes = list(table.notes) + [
        f"'{marker}': entre 1 y {threshold - 1}; '{SECONDARY}': oculto para que no se deduzca un valor pequeño."
    ]
    return Table(
        title=table.title,
        row_labels=list(table.row_labels),
        col_labels=list(table.col_labels),
        cells={(r, c): shown(("cell", r, c)) for (r, c) in table.cells},
        row_totals={r: shown(("rt", r)) for r in table.row_totals},
        col_totals={c: shown(("ct", c)) for c in table.col_totals},
        total=shown(("t",)),
        multi=table.multi,
        notes=notes,
    )
