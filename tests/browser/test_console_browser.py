"""The console in a real browser, without the assistant running: login and lockout, the queue's
live P1 alert, claiming races, teachers kept out, keyboard use, the inactivity warning, and
screenshots of the supervisors' screens."""
import re
import secrets

import pytest

from bot.cases import queue, store
from tests.browser.conftest import LAPTOP, TABLET, login, no_browser_storage, screenshot
from tests.cases_store.helpers import minor_report, question_report

pytestmark = pytest.mark.browser


@pytest.fixture()
def new_case():
    """The case source for these tests: the case store API (a conversation is not needed here)."""
    def _make(kind="p1", **overrides):
        report = minor_report(**overrides) if kind == "p1" else question_report(**overrides)
        return store.submit_report(report, conversation_id=f"conv-{secrets.token_hex(5)}", channel=report.channel,
                                   language=report.language, idempotency_key="browser:" + secrets.token_hex(8))
    return _make


def test_five_wrong_passwords_lock_the_account(console_url, staff, open_page):
    page = open_page()
    for attempt in range(5):
        login(page, console_url, staff["operator"], "contraseña-equivocada")
        alert = page.locator("p.error[role=alert]").inner_text()
        expected = "bloqueada" if attempt == 4 else "Usuario o contraseña incorrectos"
        assert expected in alert, (attempt, alert)
    login(page, console_url, staff["operator"])               # the right password, too late
    assert "bloqueada" in page.locator("p.error[role=alert]").inner_text()
    assert page.url.endswith("/login")


def test_a_new_p1_case_appears_without_reloading_and_alerts(console_url, staff, open_page, new_case):
    page = open_page()
    login(page, console_url, staff["operator"])
    page.goto(console_url + "/queue")
    page.click("#sound-toggle")
    assert page.get_attribute("#sound-toggle", "aria-pressed") == "true"
    page.evaluate("""() => { const a = document.getElementById('p1-sound');
                             window.__plays = 0; a.addEventListener('play', () => { window.__plays += 1; }); }""")
    title = page.title()
    case = new_case("p1")
    row = page.locator(f'tr[data-case-id="{case.case_id}"]')
    row.wait_for(timeout=15_000)                               # polled in, no reload
    assert "new" in row.get_attribute("class")
    assert f"Nuevo caso P1 urgente: {case.case_code}" in page.locator("#queue-live").inner_text()
    assert page.title().startswith("(1) ¡Caso P1 nuevo!") and title in page.title()
    assert page.evaluate("() => window.__plays") >= 1        # the alert sound was started
    assert "P1 · Urgente ahora" in row.inner_text() and "⚠" in row.inner_text()
    page.keyboard.press("Tab")
    assert page.title() == title                               # seen: the title calms down
    screenshot(page, "queue", full_page=False)
    page.set_viewport_size(TABLET)
    screenshot(page, "queue-tablet", full_page=False)
    page.set_viewport_size(LAPTOP)
    assert no_browser_storage(page)


def test_two_operators_race_for_a_case_and_only_one_gets_it(console_url, staff, open_page, new_case):
    case = new_case("p1")
    ana, beto = open_page(), open_page()
    for page, who in ((ana, "operator"), (beto, "operator2")):
        login(page, console_url, staff[who])
        page.goto(console_url + "/queue")
    claim = f'tr[data-case-id="{case.case_id}"] button:has-text("Tomar")'
    ana.click(claim)
    ana.wait_for_url(f"**/cases/{case.case_id}?hecho=claimed")
    assert ana.locator("#case-holder").inner_text() == "Tú"
    beto.click(claim)                                          # his page still showed "Tomar"
    beto.wait_for_url(f"**/cases/{case.case_id}?hecho=taken")
    assert "Este caso ya lo tiene otra persona." in beto.content()
    assert beto.locator("#case-holder").inner_text() == f"Tomado por {staff['operator'].display_name}"
    assert beto.locator("#reply-form").count() == 0 and beto.locator('form[action$="/notes"]').count() == 0
    assert store.case_detail(case.case_id).assigned_to_id == staff["operator"].id
    beto.goto(console_url + "/queue")
    assert f"Tomado por {staff['operator'].display_name}" in beto.locator(f'tr[data-case-id="{case.case_id}"]').inner_text()


def test_a_teacher_cannot_open_a_case(console_url, staff, open_page, new_case):
    case = new_case("p1")
    page = open_page()
    login(page, console_url, staff["teacher"])
    nav = page.locator("nav[aria-label=Principal]").inner_text()
    assert "Cola" not in nav and "Probar el asistente" in nav
    response = page.goto(f"{console_url}/cases/{case.case_id}")
    assert response.status == 403 and "Sin acceso" in page.content()
    assert case.case_code not in page.content()
    assert page.goto(console_url + "/queue").status == 403
    assert page.goto(console_url + "/queue/poll").status == 403


def test_keyboard_skip_link_and_visible_focus(console_url, staff, open_page, new_case):
    new_case("p1")
    page = open_page()
    login(page, console_url, staff["operator"])
    page.goto(console_url + "/queue")
    page.keyboard.press("Tab")
    focused = page.evaluate("() => document.activeElement.textContent")
    assert focused == "Saltar al contenido"
    outline = page.evaluate("() => getComputedStyle(document.activeElement).outlineStyle")
    assert outline == "solid"
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.id") == "main"
    page.keyboard.press("Tab")                                  # into the page, not back to the menu
    assert page.evaluate("() => document.getElementById('main').contains(document.activeElement)")


def test_the_inactivity_warning_appears_and_staying_keeps_the_session(console_url, staff, open_page):
    page = open_page()
    login(page, console_url, staff["operator"])

    def short_idle(route):
        response = route.fetch()
        body = response.text().replace('data-idle-seconds="1800"', 'data-idle-seconds="9"')
        route.fulfill(response=response, body=body)

    page.route(f"{console_url}/queue", short_idle)
    page.goto(console_url + "/queue")
    warning = page.locator("#idle-warning")
    warning.wait_for(state="visible", timeout=10_000)
    assert "sesión está por cerrarse" in warning.inner_text()
    assert page.evaluate("() => document.activeElement.id") == "idle-stay"
    page.keyboard.press("Enter")                              # "Seguir conectado"
    warning.wait_for(state="hidden", timeout=5_000)
    page.wait_for_url("**/login?motivo=inactividad", timeout=20_000)   # nobody touched it again
    assert "cerró por inactividad" in page.content()


def test_supervisor_screens(console_url, staff, open_page, new_case):
    from datetime import date

    from bot.console import directory

    cases = [new_case("p1"), new_case("p1", purposes=["explotacion_laboral"], channel="sms"), new_case("p3")]
    queue.claim(cases[0].case_id, staff["operator"].id)
    queue.change_status(cases[0].case_id, "clasificado", staff["operator"].id)
    queue.add_note(cases[0].case_id, staff["operator"].id, "La tía volverá a llamar a las 18:00.")
    queue.add_derivation(cases[0].case_id, "pnp", date.today(), "OF-0042-2026", staff["operator"].id, region="17")
    queue.claim(cases[1].case_id, staff["operator2"].id)
    page = open_page()
    login(page, console_url, staff["supervisor"])
    page.goto(f"{console_url}/cases/{cases[0].case_id}")
    assert "ref. OF-0042-2026" in page.content()
    screenshot(page, "case-supervisor")
    page.goto(console_url + "/stats")
    assert page.locator("svg.chart").count() == 7
    screenshot(page, "statistics")
    page.goto(console_url + "/supervision")
    assert staff["operator2"].display_name in page.locator("table").inner_text()
    screenshot(page, "supervision")
    page.goto(console_url + f"/audit?caso={cases[0].case_id}")
    assert "Caso visto" in page.content() and "Derivación" in page.content()
    screenshot(page, "audit")
    page.goto(console_url + "/directory")
    screenshot(page, "directory", full_page=False)
    page.goto(console_url + "/cases/new")
    screenshot(page, "offline-contact", full_page=False)
    admin = open_page()
    login(admin, console_url, staff["admin"])
    admin.goto(console_url + "/admin/users")
    assert staff["teacher"].username in admin.content()
    screenshot(admin, "users", full_page=False)
    assert no_browser_storage(page) and no_browser_storage(admin)
    assert directory.entries()
