"""Monthly tables and small-count suppression."""
from __future__ import annotations

import random
from datetime import datetime

import pytest

from bot.cases.report import Location, Report, Victim
from bot.cases.stats import (
    by_age_band,
    by_channel,
    by_language,
    by_purpose,
    by_region,
    by_sex,
    contacts_by_category,
    crosstab,
    month_of,
    row_from_report,
    suppress_small,
)


def rows_of(spec: list[tuple[str, dict, int]]) -> list[dict]:
    out = []
    for month, row, n in spec:
        out.extend({"month": month, **row} for _ in range(n))
    return out


def test_month_from_month_or_created_at():
    assert month_of({"month": "2026-03"}) == "2026-03"
    assert month_of({"created_at": datetime(2026, 3, 9, 23, 0)}) == "2026-03"
    assert month_of({"created_at": "2026-04-01T00:00:00Z"}) == "2026-04"
    with pytest.raises(ValueError):
        month_of({})


def test_contacts_by_category_counts_per_month_in_taxonomy_order():
    rows = rows_of([("2026-01", {"category": "denuncia"}, 3), ("2026-01", {"category": "consulta"}, 7),
                    ("2026-02", {"category": "consulta"}, 2)])
    t = contacts_by_category(rows)
    assert t.col_labels[:3] == ["denuncia", "orientacion_oferta", "consulta"]
    assert t.get("2026-01", "denuncia") == 3 and t.get("2026-02", "consulta") == 2
    assert t.get("2026-02", "seguimiento") == 0
    assert t.row_totals == {"2026-01": 10, "2026-02": 2}
    assert t.col_totals["consulta"] == 9 and t.total == 12


def test_missing_values_are_counted_as_sin_dato():
    t = crosstab([{"month": "2026-01"}, {"month": "2026-01", "channel": ""}], "channel")
    assert t.get("2026-01", "sin_dato") == 2


def test_purposes_count_a_case_in_each_of_its_purposes():
    rows = [{"month": "2026-01", "purposes": ["explotacion_sexual", "explotacion_laboral"]},
            {"month": "2026-01", "purposes": ["explotacion_sexual"]},
            {"month": "2026-01", "purposes": []}]
    t = by_purpose(rows)
    assert t.multi
    assert t.get("2026-01", "explotacion_sexual") == 2
    assert t.get("2026-01", "explotacion_laboral") == 1
    assert t.get("2026-01", "sin_dato") == 1
    assert t.row_totals["2026-01"] == 3
    assert t.notes


def test_region_shows_department_names():
    rows = [{"month": "2026-01", "region": "17"}, {"month": "2026-01", "region": "extranjero"}]
    t = by_region(rows)
    assert t.get("2026-01", "Madre de Dios") == 1 and t.get("2026-01", "extranjero") == 1


def test_sex_and_age_count_victims_not_contacts():
    rows = [{"month": "2026-02", "victims": [{"sex": "mujer", "age_band": "13_17"}, {"sex": "mujer", "age_band": "0_6"}]},
            {"month": "2026-02", "victims": []}]
    assert by_sex(rows).get("2026-02", "mujer") == 2
    assert by_sex(rows).total == 2
    assert by_age_band(rows).get("2026-02", "13_17") == 1


def test_channel_and_language_tables():
    rows = rows_of([("2026-01", {"channel": "sms", "language": "qu"}, 2)])
    assert by_channel(rows).get("2026-01", "sms") == 2
    assert by_language(rows).get("2026-01", "qu") == 2


def test_row_from_report_has_no_text():
    report = Report(channel="telegram", language="qu", category_hint="denuncia",
                    victims=[Victim(sex="mujer", age_years=16)], purposes=["explotacion_sexual"],
                    destination=Location(ubigeo="170101"), narrative="secreto")
    row = row_from_report(report, datetime(2026, 5, 2))
    assert row == {"month": "2026-05", "category": "denuncia", "purposes": ["explotacion_sexual"], "region": "17",
                   "channel": "telegram", "language": "qu", "victims": [{"sex": "mujer", "age_band": "13_17"}]}
    assert "secreto" not in repr(row)


def test_row_region_abroad_and_fallbacks():
    abroad = Report(channel="sms", destination=Location(country="CL"), origin=Location(ubigeo="21"))
    assert row_from_report(abroad, "2026-01-01")["region"] == "extranjero"
    origin_only = Report(channel="sms", victims=[Victim(origin=Location(ubigeo="080901"))])
    assert row_from_report(origin_only, "2026-01-01")["region"] == "08"
    assert row_from_report(Report(channel="sms"), "2026-01-01")["region"] == "sin_dato"


# --- suppression ---

def _table(grid: dict[str, dict[str, int]]):
    rows = []
    for month, counts in grid.items():
        for category, n in counts.items():
            rows.extend({"month": month, "category": category} for _ in range(n))
    return contacts_by_category(rows)


def test_small_counts_become_less_than_five():
    t = suppress_small(_table({"2026-01": {"denuncia": 3, "consulta": 20, "seguimiento": 2}}))
    assert t.get("2026-01", "denuncia") == "<5"
    assert t.get("2026-01", "seguimiento") == "<5"
    assert t.get("2026-01", "orientacion_oferta") == 0


def test_counts_at_the_threshold_are_shown():
    t = suppress_small(_table({"2026-01": {"denuncia": 5, "consulta": 9}}))
    assert t.get("2026-01", "denuncia") == 5 and t.get("2026-01", "consulta") == 9


def test_a_lone_small_cell_gets_a_complementary_cell_hidden():
    # 23 = 3 + 20: with the total shown, hiding only the 3 would not hide it.
    t = suppress_small(_table({"2026-01": {"denuncia": 3, "consulta": 20}, "2026-02": {"denuncia": 9, "consulta": 12}}))
    assert t.get("2026-01", "denuncia") == "<5"
    assert t.get("2026-01", "consulta") == "x"
    assert t.row_totals["2026-01"] == 23
    # and the columns now each hide one cell, so a second row is hidden too
    assert t.get("2026-02", "denuncia") == "x" and t.get("2026-02", "consulta") == "x"


def test_the_smallest_open_cell_is_the_complement():
    t = suppress_small(_table({"2026-01": {"denuncia": 2, "consulta": 30, "seguimiento": 7}}))
    assert t.get("2026-01", "seguimiento") == "x" and t.get("2026-01", "consulta") == 30


def test_a_month_with_few_contacts_hides_its_total():
    t = suppress_small(_table({"2026-01": {"denuncia": 3}, "2026-02": {"consulta": 40}}))
    assert t.get("2026-01", "denuncia") == "<5"
    assert t.row_totals["2026-01"] == "<5"
    assert t.row_totals["2026-02"] == "x"     # else 43 - 40 would give it back
    assert t.get("2026-02", "consulta") == "x"   # else the hidden total is the sum of its row
    assert t.total == 43


def test_small_totals_are_hidden_too():
    t = suppress_small(_table({"2026-01": {"denuncia": 1, "consulta": 2}}))
    assert t.row_totals["2026-01"] == "<5" and t.total == "<5"


def test_threshold_is_configurable():
    t = suppress_small(_table({"2026-01": {"denuncia": 8, "consulta": 30}}), threshold=10)
    assert t.get("2026-01", "denuncia") == "<10"


def test_suppressing_twice_is_refused():
    t = suppress_small(_table({"2026-01": {"denuncia": 3, "consulta": 30}}))
    with pytest.raises(ValueError, match="already"):
        suppress_small(t)


def test_no_line_ever_has_exactly_one_hidden_entry():
    rng = random.Random(7)
    categories = ["denuncia", "orientacion_oferta", "consulta", "seguimiento", "no_valida"]
    for _ in range(300):
        grid = {f"2026-{m:02d}": {c: rng.choice([0, 0, 1, 2, 4, 5, 6, 12, 40]) for c in categories}
                for m in range(1, rng.randint(2, 6))}
        t = suppress_small(_table(grid))
        lines = [([t.get(r, c) for c in t.col_labels], t.row_totals[r]) for r in t.row_labels]
        lines += [([t.get(r, c) for r in t.row_labels], t.col_totals[c]) for c in t.col_labels]
        lines.append(([t.row_totals[r] for r in t.row_labels], t.total))
        lines.append(([t.col_totals[c] for c in t.col_labels], t.total))
        for members, total in lines:
            assert sum(isinstance(m, str) for m in [*members, total]) != 1, (grid, members, total)
        for r in t.row_labels:
            for c in t.col_labels:
                value = t.get(r, c)
                assert not (isinstance(value, int) and 0 < value < 5)


def test_to_rows_gives_header_body_and_totals():
    t = _table({"2026-01": {"denuncia": 6}})
    rows = t.to_rows()
    assert rows[0][0] == "" and rows[0][-1] == "total"
    assert rows[1][0] == "2026-01" and rows[1][1] == 6 and rows[1][-1] == 6
    assert rows[-1][0] == "total" and rows[-1][-1] == 6
