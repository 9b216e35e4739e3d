"""A teacher's live view in a real browser: the counts and charts update as answers arrive."""
from __future__ import annotations

import secrets

import pytest

from bot.classroom import store
from bot.db.session import session_scope
from tests.browser.conftest import LAPTOP, login, screenshot

pytestmark = pytest.mark.browser


def test_the_live_view_updates_as_students_answer_and_the_summary_prints_totals(console_url, staff, open_page):
    page = open_page(LAPTOP)
    problems: list[str] = []
    # Content-Security-Policy violations and script errors show up here; failed requests below.
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" and "Failed to load resource"
            not in m.text else None)
    page.on("response", lambda r: problems.append(f"{r.status} {r.url}") if r.status >= 400
            and not r.url.endswith("/favicon.ico") else None)
    login(page, console_url, staff["teacher"])
    page.goto(console_url + "/classroom")
    page.check("input[name=module_id][value=derechos_ayuda]")
    page.select_option("#language", "es")
    page.click("form[action='/classroom'] button[type=submit]")
    page.wait_for_url("**/classroom/*")
    code = page.locator(".class-code").inner_text().removeprefix("CLASE ").replace(" ", "")
    assert len(code) == 6
    assert page.locator(".class-qr svg path").count() >= 1
    assert page.locator("#joined-count").get_attribute("data-value") == "0"

    students = [f"nav-{secrets.token_hex(4)}" for _ in range(3)]
    for who, choice in zip(students, ["a", "a", "c"]):       # "a" is the safe answer to question 1
        with session_scope() as db:
            store.join(db, code, who)
            store.answer(db, who, choice)

    page.wait_for_selector('#joined-count[data-value="3"]', timeout=15_000)   # polled in, no reload
    figure = page.locator("#question-donde_denunciar")
    assert figure.get_attribute("data-total") == "3"
    assert "67 % eligió la respuesta más segura" in figure.inner_text()
    assert "3 respuestas" in figure.inner_text()
    desc = figure.locator("svg desc").inner_html()
    assert ": 2" in desc and ": 1" in desc
    assert "En ningún lado si no tiene pruebas" in page.locator(".class-wrong").inner_text()

    # one more answer arrives while the page is open
    with session_scope() as db:
        store.answer(db, students[0], "b")
    page.wait_for_selector("#question-no_es_su_culpa[data-total='1']", timeout=15_000)
    screenshot(page, "classroom-live")

    page.click("form[action$='/end'] button[type=submit]")
    page.wait_for_url("**/summary")
    body = page.locator("main").inner_text()
    assert "Solo totales de la clase" in body and "3 se unieron" in body
    assert not any(s in page.content() for s in students)
    screenshot(page, "classroom-summary")
    assert not problems, problems


@pytest.mark.stack
def test_a_student_plays_from_the_qr_link_in_the_browser_and_the_teacher_sees_it(stack, staff, open_page):
    """The QR's link with the real assistant: the chat joins by itself; taps on answers count."""
    from bot.classroom.modules import get_module

    with session_scope() as db:
        session = store.create_session(db, staff["teacher"].id, "redes_sociales", "es")
        session_id, code = session.id, session.join_code
    module = get_module("redes_sociales")
    phone = open_page({"width": 390, "height": 800})
    phone.goto(f"{stack.console_url}/aula/{code}")
    phone.wait_for_selector("li.msg.bot >> text=Te uniste a la clase", timeout=60_000)
    phone.wait_for_selector("li.msg.bot .buttons button", timeout=30_000)
    for n, question in enumerate(module.questions, start=1):
        phone.locator("li.msg.bot").last.locator("button", has_text=f"{question.correct.id})").click()
        # the tap shows as the student's message, then the feedback arrives
        phone.wait_for_function(f"() => document.querySelectorAll('li.msg.bot p').length > 0 && "
                                f"[...document.querySelectorAll('li.msg.bot p')].filter("
                                f"p => p.textContent.startsWith('✅')).length >= {n}", timeout=60_000)
    phone.wait_for_selector("li.msg.bot >> text=Acertaste 4 de 4", timeout=60_000)
    screenshot(phone, "classroom-student-phone")

    teacher = open_page(LAPTOP)
    login(teacher, stack.console_url, staff["teacher"])
    teacher.goto(f"{stack.console_url}/classroom/{session_id}")
    assert teacher.locator("#finished-count").get_attribute("data-value") == "1"
    for question in module.questions:
        assert teacher.locator(f"#question-{question.id}").get_attribute("data-total") == "1"
        assert "100 % eligió" in teacher.locator(f"#question-{question.id}").inner_text()
