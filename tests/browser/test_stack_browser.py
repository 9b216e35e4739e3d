"""End to end with the real assistant: a person writes in the web chat, a P1 case appears in
the queue, an operator claims it, reads the transcript, replies (the person sees it), derives
it, hands the conversation back and closes the case."""
import time

import pytest

from bot.cases import store
from bot.config import template_values
from bot.console.chat_routes import CHAT_COOKIE, conversation_id
from tests.browser.conftest import login, no_browser_storage, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.stack]

PERSON_SAYS = "mi prima de 15 años está en un bar de Mazuko y no la dejan salir"


@pytest.fixture()
def case_for_conversation():
    """The case source: the assistant itself, which opened a P1 case when the person wrote
    that someone is held (danger now: numbers first, then the case and an operator)."""
    def _find(conversation: str):
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            case = store.open_case_for_conversation(conversation)
            if case is not None:
                return case
            time.sleep(0.3)
        raise AssertionError("the assistant opened no case for the conversation")
    return _find


def chat_say(page, text):
    before = page.locator("li.msg").count()
    page.fill("#message", text)
    page.press("#message", "Enter")
    page.wait_for_function(f"() => document.querySelectorAll('li.msg').length > {before}")


def test_a_case_from_the_web_chat_worked_end_to_end(stack, staff, open_page, case_for_conversation):
    base = stack.console_url
    person = open_page()
    login(person, base, staff["teacher"])                     # the "person" uses the demo chat
    person.goto(base + "/chat")
    chat_say(person, "hola")
    person.locator("li.msg.bot").first.wait_for(timeout=60_000)
    cookie = next(c["value"] for c in person.context.cookies() if c["name"] == CHAT_COOKIE)
    conversation = conversation_id(cookie)

    operator = open_page()
    login(operator, base, staff["operator"])
    operator.goto(base + "/queue")                            # open before the case exists

    bots = person.locator("li.msg.bot").count()
    chat_say(person, PERSON_SAYS)
    person.wait_for_function(f"() => document.querySelectorAll('li.msg.bot').length > {bots}", timeout=60_000)
    assert template_values()["police_number"] in person.locator("li.msg.bot").nth(bots).inner_text()  # numbers first
    case = case_for_conversation(conversation)
    row = operator.locator(f'tr[data-case-id="{case.case_id}"]')
    row.wait_for(timeout=20_000)                              # appears without reloading
    assert "P1 · Urgente ahora" in row.inner_text()
    row.locator('button:has-text("Tomar")').click()
    operator.wait_for_url(f"**/cases/{case.case_id}?hecho=claimed")

    transcript = operator.locator("#transcript")
    assert PERSON_SAYS in transcript.inner_text()
    assert transcript.locator("li.msg.user .who").first.inner_text() == "Persona"
    assert transcript.locator("li.msg.bot .who").first.inner_text() == "Asistente"
    meta = operator.locator("#h-transcript + p").inner_text()
    assert "Idioma: Castellano" in meta and "Canal: Web" in meta    # slot, or detected by bot.language

    operator.select_option("#canned", "saludo")
    reply = operator.input_value("#reply")
    assert staff["operator"].display_name in reply and "Línea 1818" in reply
    operator.click('#reply-form button[type=submit]')
    operator.wait_for_url("**hecho=reply")
    assert operator.locator("#transcript li.msg.operator").last.inner_text().count(staff["operator"].display_name)
    assert "Atendida por una persona" in operator.locator("#h-transcript + p").inner_text()

    person.locator("li.msg.operator").first.wait_for(timeout=15_000)   # the chat polled it in
    assert reply in person.locator("li.msg.operator").first.inner_text()
    screenshot(person, "chat-person")

    bots = person.locator("li.msg.bot").count()
    chat_say(person, "sí, ahora estoy en mi casa")
    person.wait_for_timeout(3000)
    assert person.locator("li.msg.bot").count() == bots      # paused: only the operator answers
    operator.reload()
    assert "sí, ahora estoy en mi casa" in operator.locator("#transcript").inner_text()
    screenshot(operator, "case")

    operator.click('button:has-text("Pasar a «Clasificado»")')
    operator.wait_for_url("**hecho=status")
    pnp = operator.locator("#entry option", has_text="Policía Nacional").first.get_attribute("value")
    operator.select_option("#entry", pnp)
    operator.fill("#reference", "OF-2026-0077")
    operator.click('button:has-text("Registrar derivación")')
    operator.wait_for_url("**hecho=derivation")
    assert operator.locator("#case-status").inner_text() == "Derivado"

    operator.click('button:has-text("Devolver al asistente")')
    operator.wait_for_url("**hecho=handback")
    bots = person.locator("li.msg.bot").count()
    chat_say(person, "hola")
    person.wait_for_function(f"() => document.querySelectorAll('li.msg.bot').length > {bots}", timeout=60_000)

    operator.fill("#reason-cerrado", "Derivado a la PNP; la persona está a salvo.")
    operator.click('button:has-text("Pasar a «Cerrado»")')
    operator.wait_for_url("**hecho=status")
    assert operator.locator("#case-status").inner_text() == "Cerrado"

    events = stack.tracker(conversation)["events"]
    replies = [e for e in events if e.get("event") == "bot" and (e.get("metadata") or {}).get("operator")]
    assert [e["text"] for e in replies] == [reply]
    assert [e["event"] for e in events if e["event"] in ("pause", "resume")] == ["pause", "resume"]
    detail = store.case_detail(case.case_id)
    assert detail.status == "cerrado" and detail.derivations[0].reference == "OF-2026-0077"
    assert no_browser_storage(person) and no_browser_storage(operator)
    assert not any(PERSON_SAYS.split()[2] in url for url in (person.url, operator.url))
