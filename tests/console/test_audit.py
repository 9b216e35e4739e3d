"""The audit log viewer: views and changes of cases and account events, by whom, filterable."""
import re

from bot.cases import queue


def rows(html):
    body = html.split("<tbody>")[1].split("</tbody>")[0]
    return [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", r)).strip() for r in body.split("<tr>")[1:]]


def test_views_and_changes_of_a_case_are_listed_with_who_and_no_free_text(people, browser, make_case):
    p1, _ = make_case("p1")
    op = browser(people["operator"])
    op.get(f"/cases/{p1.case_id}")
    op.post(f"/cases/{p1.case_id}/claim")
    op.post(f"/cases/{p1.case_id}/notes", {"text": "dato sensible de la nota"})
    html = browser(people["supervisor"]).get(f"/audit?caso={p1.case_id}").text
    lines = rows(html)
    name = people["operator"].display_name
    assert any("Caso visto" in line and name in line for line in lines)
    assert any("Caso tomado" in line and name in line for line in lines)
    assert any("Nota" in line and name in line for line in lines)
    assert any("Caso creado" in line and "Asistente" in line for line in lines)
    assert "dato sensible de la nota" not in html
    assert "Mi hermana Rosa" not in html
    assert all(f"#{p1.case_id}" in line for line in lines)


def test_filters_by_person_action_kind_and_date(people, browser, make_case):
    p1, _ = make_case("p1")
    queue.claim(p1.case_id, people["operator2"].id)
    sup = browser(people["supervisor"])
    mine = rows(sup.get(f"/audit?usuario={people['operator2'].id}&accion=claimed").text)
    assert mine and all("Caso tomado" in line for line in mine)
    assert rows(sup.get(f"/audit?usuario={people['operator2'].id}&accion=claimed&desde=2000-01-01&hasta=2000-01-02")
                .text) == ["Nada con estos filtros."]
    accounts = rows(sup.get("/audit?origen=account&accion=user.created").text)
    assert accounts and all("Usuario creado" in line for line in accounts)
    only_cases = rows(sup.get(f"/audit?origen=case&usuario={people['operator2'].id}").text)
    assert only_cases and not any("Usuario creado" in line for line in only_cases)


def test_login_failures_and_lockouts_appear_as_account_events(people, browser, database_url):
    from bot.console.users import authenticate
    from bot.db.session import session_scope

    with session_scope() as db:
        for _ in range(5):
            authenticate(db, people["operator2"].username, "contraseña-equivocada")
    lines = rows(browser(people["admin"]).get(f"/audit?usuario={people['operator2'].id}&origen=account").text)
    assert any("Cuenta bloqueada" in line for line in lines)
    assert sum("Ingreso fallido" in line for line in lines) == 4


def test_the_audit_log_pages(people, browser, make_case):
    p1, _ = make_case("p1")
    op = browser(people["operator"])
    for _ in range(105):
        queue.mark_viewed(p1.case_id, people["operator"].id)
    sup = browser(people["supervisor"])
    first = sup.get(f"/audit?caso={p1.case_id}").text
    assert len(rows(first)) == 100 and "Más antiguos" in first
    second = sup.get(f"/audit?caso={p1.case_id}&pagina=2").text
    assert 0 < len(rows(second)) <= 10 and "Más recientes" in second
    assert op.get("/audit").status_code == 403
