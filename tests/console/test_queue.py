"""The queue page and its polling endpoint: P1 on top and unmistakable, filters, claims."""
import re
from datetime import timedelta

from sqlalchemy import select

from bot.cases import queue
from bot.db.models import ConsoleSession
from bot.db.session import session_scope
from tests.cases_store.helpers import Location, Victim


def rows(html):
    """(case id, priority) of each queue row, in order."""
    return [(int(case_id), prio.upper())
            for prio, case_id in re.findall(r'<tr class="row-(p\d)[^"]*" data-case-id="(\d+)"', html)]


def test_p1_cases_come_first_and_carry_colour_icon_and_words(people, browser, make_case):
    p3, _ = make_case("p3")
    p1, _ = make_case("p1")
    html = browser(people["operator"]).get("/queue?status=recibido").text
    order = [cid for cid, _ in rows(html)]
    assert order.index(p1.case_id) < order.index(p3.case_id)
    assert all(prio == "P1" for _, prio in rows(html)[:order.index(p1.case_id) + 1])
    row = re.search(rf'<tr class="row-p1[^"]*" data-case-id="{p1.case_id}">.*?</tr>', html, re.S).group(0)
    assert 'class="prio prio-p1"' in row and "⚠" in row and "P1 · Urgente ahora" in row


def test_filters_narrow_the_list(people, browser, make_case, unique):
    whatsapp, _ = make_case("p1")
    quechua, _ = make_case("p3")           # telegram, qu, consulta
    abroad, _ = make_case("p1", destination=Location(country="AR"), channel="sms")
    b = browser(people["operator"])

    def ids(query):
        return {cid for cid, _ in rows(b.get("/queue?" + query).text)}

    assert quechua.case_id in ids("language=qu") and whatsapp.case_id not in ids("language=qu")
    assert whatsapp.case_id in ids("channel=whatsapp") and quechua.case_id not in ids("channel=whatsapp")
    assert quechua.case_id in ids("category=consulta") and whatsapp.case_id not in ids("category=consulta")
    assert whatsapp.case_id in ids("priority=P1") and quechua.case_id not in ids("priority=P1")
    assert whatsapp.case_id in ids("region=17") and abroad.case_id not in ids("region=17")
    assert abroad.case_id in ids("region=extranjero")
    queue.claim(whatsapp.case_id, people["operator2"].id)
    assert ids(f"assignee={people['operator2'].id}") >= {whatsapp.case_id}
    assert whatsapp.case_id not in ids("assignee=none") and quechua.case_id in ids("assignee=none")
    queue.claim(quechua.case_id, people["operator"].id)
    assert quechua.case_id in ids("assignee=me") and whatsapp.case_id not in ids("assignee=me")
    queue.change_status(quechua.case_id, "clasificado", people["operator"].id)
    assert quechua.case_id in ids("status=clasificado") and whatsapp.case_id not in ids("status=clasificado")
    queue.change_status(quechua.case_id, "cerrado", people["operator"].id, "la persona dejó de responder")
    assert quechua.case_id not in ids("") and quechua.case_id in ids("status=todos")
    assert quechua.case_id in ids("status=cerrado")
    # nonsense values are ignored, not errors
    assert b.get("/queue?priority=P9&region=zz&assignee=alguien&status=borrado").status_code == 200


def test_waiting_for_an_operator_filter(people, browser, make_case):
    from bot.cases import handoff

    waiting, conv = make_case("p3")
    other, _ = make_case("p3")
    handoff.request_operator(reason="asked", conversation_id=conv)
    b = browser(people["operator"])
    listed = {cid for cid, _ in rows(b.get("/queue?waiting=1").text)}
    assert waiting.case_id in listed and other.case_id not in listed
    assert "Espera a una persona" in b.get("/queue?waiting=1").text


def test_poll_returns_the_same_rows_as_json_and_html(people, browser, make_case):
    p1, _ = make_case("p1")
    b = browser(people["operator"])
    data = b.get("/queue/poll?priority=P1").json()
    assert p1.case_id in data["p1_ids"]
    item = next(c for c in data["cases"] if c["id"] == p1.case_id)
    assert item["code"] == p1.case_code and item["priority"] == "P1"
    assert f'data-case-id="{p1.case_id}"' in data["html"]
    assert set(data["counts"]) == {"P1", "P2", "P3"} and data["counts"]["P1"] >= 1


def test_polling_does_not_count_as_activity_so_an_idle_queue_still_logs_out(people, browser):
    b = browser(people["operator"])
    with session_scope() as db:
        row = db.execute(select(ConsoleSession).where(ConsoleSession.user_id == people["operator"].id)).scalar_one()
        row.last_seen_at = row.last_seen_at - timedelta(minutes=20)
        seen = row.last_seen_at
    assert b.get("/queue/poll").status_code == 200
    with session_scope() as db:
        assert db.execute(select(ConsoleSession.last_seen_at).where(
            ConsoleSession.user_id == people["operator"].id)).scalar_one() == seen
        row = db.execute(select(ConsoleSession).where(ConsoleSession.user_id == people["operator"].id)).scalar_one()
        row.last_seen_at = row.last_seen_at - timedelta(minutes=11)
    assert b.get("/queue/poll").status_code == 401
    assert b.get("/queue").status_code == 303


def test_keepalive_counts_as_activity(people, browser):
    b = browser(people["operator"])
    with session_scope() as db:
        row = db.execute(select(ConsoleSession).where(ConsoleSession.user_id == people["operator"].id)).scalar_one()
        row.last_seen_at = row.last_seen_at - timedelta(minutes=20)
        old = row.last_seen_at
    response = b.client.post("/session/keepalive", headers={"X-CSRF-Token": b.csrf})
    assert response.status_code == 200 and response.json()["idle_seconds"] == 30 * 60
    with session_scope() as db:
        assert db.execute(select(ConsoleSession.last_seen_at).where(
            ConsoleSession.user_id == people["operator"].id)).scalar_one() > old


def test_pages_carry_the_idle_warning_and_its_timer(people, browser):
    html = browser(people["operator"]).get("/queue").text
    assert 'data-idle-seconds="1800"' in html and 'id="idle-warning"' in html and 'role="alertdialog"' in html
    assert "/static/session.js" in html


def test_claim_from_the_queue_and_a_second_operator_sees_who_holds_it(people, browser, make_case):
    p1, _ = make_case("p1")
    first, second = browser(people["operator"]), browser(people["operator2"])
    response = first.post(f"/cases/{p1.case_id}/claim")
    assert response.status_code == 303 and response.headers["location"] == f"/cases/{p1.case_id}?hecho=claimed"
    again = second.post(f"/cases/{p1.case_id}/claim")
    assert again.headers["location"] == f"/cases/{p1.case_id}?hecho=taken"
    page = second.get(again.headers["location"]).text
    assert "Este caso ya lo tiene otra persona." in page
    assert f"Tomado por {people['operator'].display_name}" in page
    row = re.search(rf'data-case-id="{p1.case_id}">.*?</tr>', second.get("/queue").text, re.S).group(0)
    assert f"Tomado por {people['operator'].display_name}" in row and "Tomar" not in row
    mine = re.search(rf'data-case-id="{p1.case_id}">.*?</tr>', first.get("/queue").text, re.S).group(0)
    assert "<strong>Tú</strong>" in mine


def test_release_returns_the_case_to_the_queue_and_only_the_holder_may(people, browser, make_case):
    p1, _ = make_case("p1")
    holder, other = browser(people["operator"]), browser(people["operator2"])
    holder.post(f"/cases/{p1.case_id}/claim")
    refused = other.post(f"/cases/{p1.case_id}/release")
    assert refused.status_code == 403 and "Solo quien tiene el caso puede liberarlo" in refused.text
    assert holder.post(f"/cases/{p1.case_id}/release").headers["location"] == "/queue"
    assert other.post(f"/cases/{p1.case_id}/claim").headers["location"].endswith("hecho=claimed")


def test_the_p1_sound_is_a_short_wav(browser, people):
    response = browser(None).get("/sounds/p1.wav")
    assert response.status_code == 200 and response.headers["content-type"] == "audio/wav"
    body = response.content
    assert body[:4] == b"RIFF" and body[8:12] == b"WAVE" and 10_000 < len(body) < 60_000
