"""Replying from the case page: tracker events, channel delivery, hand-over and hand-back."""
import types

from sqlalchemy import select

from bot.cases import handoff, queue
from bot.console import delivery
from bot.db.models import CaseEvent
from bot.db.session import session_scope


def reply_events(case_id):
    with session_scope() as db:
        return [(e.actor_id, e.text, e.details) for e in db.execute(
            select(CaseEvent).where(CaseEvent.case_id == case_id, CaseEvent.action == "operator_replied")
            .order_by(CaseEvent.id)).scalars()]


def held_case(make_case, people, kind="p1", **overrides):
    result, conv = make_case(kind, **overrides)
    queue.claim(result.case_id, people["operator"].id)
    return result, conv


def test_the_transcript_shows_who_said_what_with_language_and_channel(people, browser, make_case, rasa):
    p1, conv = make_case("p1")
    rasa.conversation(conv, ("user", "hola, me ofrecieron trabajo"), ("bot", "Soy Willakuy"))
    rasa.append(conv, [{"event": "bot", "text": "Te escribe la línea", "metadata": {"operator": True,
                                                                                    "operator_name": "Ana"}}])
    html = browser(people["operator"]).get(f"/cases/{p1.case_id}").text
    transcript = html.split('id="transcript"')[1].split("</ol>")[0]
    assert '<li class="msg user">' in transcript and '<span class="who">Persona</span>' in transcript
    assert '<li class="msg bot">' in transcript and '<span class="who">Asistente</span>' in transcript
    assert '<li class="msg operator">' in transcript and "Operador(a): Ana" in transcript
    assert "hola, me ofrecieron trabajo" in transcript and "Te escribe la línea" in transcript
    assert "Idioma: <strong>Castellano</strong>" in html and "Canal: <strong>Web</strong>" in html


def test_when_rasa_is_down_the_page_still_opens_and_says_so(people, browser, make_case, rasa):
    p1, _ = make_case("p1")
    rasa.down = True
    response = browser(people["operator"]).get(f"/cases/{p1.case_id}")
    assert response.status_code == 200 and "El asistente (Rasa) no responde" in response.text


def test_a_web_reply_pauses_the_bot_and_lands_in_the_tracker_and_the_timeline(people, browser, make_case, rasa):
    p1, conv = held_case(make_case, people, channel="web")
    rasa.conversation(conv, ("user", "necesito ayuda"))
    b = browser(people["operator"])
    html = b.get(f"/cases/{p1.case_id}").text
    assert 'id="reply-form"' in html and "el chat web lo muestra" in html
    done = b.post(f"/cases/{p1.case_id}/reply", {"text": "Hola, soy de la línea. ¿Estás a salvo?"})
    assert done.status_code == 303 and done.headers["location"].endswith("hecho=reply")
    appended = [events for c, events in rasa.appended if c == conv]
    assert appended[0] == [{"event": "pause"}]
    assert appended[1] == [{"event": "bot", "text": "Hola, soy de la línea. ¿Estás a salvo?",
                            "metadata": {"operator": True, "operator_name": people["operator"].display_name}}]
    (actor, text, details), = reply_events(p1.case_id)
    assert actor == people["operator"].id and text == "Hola, soy de la línea. ¿Estás a salvo?"
    assert details["via"] == "web" and details["status"] == "in_chat" and details["in_transcript"] is True
    b.post(f"/cases/{p1.case_id}/reply", {"text": "Sigo aquí"})
    assert [e for c, e in rasa.appended if c == conv][2:] == [[{"event": "bot", "text": "Sigo aquí", "metadata": {
        "operator": True, "operator_name": people["operator"].display_name}}]]   # no second pause
    page = b.get(f"/cases/{p1.case_id}").text
    assert "Atendida por una persona" in page and "Conversación tomada por operador(a)" in page


def test_an_empty_or_overlong_reply_is_refused_before_anything_is_sent(people, browser, make_case, rasa):
    p1, conv = held_case(make_case, people, channel="web")
    b = browser(people["operator"])
    assert b.post(f"/cases/{p1.case_id}/reply", {"text": "  "}).status_code == 422
    assert b.post(f"/cases/{p1.case_id}/reply", {"text": "x" * 4001}).status_code == 422
    assert rasa.appended == [] and reply_events(p1.case_id) == []


def fake_outbound(status="sent", fail=None, window=False):
    sent = []

    async def send_to_conversation(conversation_id, text, *, buttons=None):
        if fail:
            raise fail
        sent.append((conversation_id, text))
        result = types.SimpleNamespace(message_id="msg-1", status=status)
        if window:
            result.window_closed = True
        return result

    def delivery_status(message_id):
        return types.SimpleNamespace(status="delivered", history=[("sent", None), ("delivered", None)])

    module = types.SimpleNamespace(send_to_conversation=send_to_conversation, delivery_status=delivery_status)
    return module, sent


def test_a_whatsapp_reply_goes_through_the_outbound_service_and_shows_its_status(
        people, browser, make_case, rasa, monkeypatch):
    p1, conv = held_case(make_case, people)                   # minor_report: WhatsApp
    module, sent = fake_outbound()
    monkeypatch.setattr(delivery, "load_outbound", lambda: module)
    b = browser(people["operator"])
    assert "Se envía por WhatsApp" in b.get(f"/cases/{p1.case_id}").text
    assert b.post(f"/cases/{p1.case_id}/reply", {"text": "Hola"}).status_code == 303
    assert sent == [(conv, "Hola")]
    (_, _, details), = reply_events(p1.case_id)
    assert details == {"channel": "whatsapp", "via": "outbound", "status": "sent", "message_id": "msg-1",
                       "window_closed": False, "in_transcript": True}
    assert "Entrega: Entregado" in b.get(f"/cases/{p1.case_id}").text    # live status from the service


def test_a_closed_whatsapp_window_is_flagged(people, browser, make_case, rasa, monkeypatch):
    p1, _ = held_case(make_case, people)
    module, _ = fake_outbound(status="held")
    monkeypatch.setattr(delivery, "load_outbound", lambda: module)
    b = browser(people["operator"])
    done = b.post(f"/cases/{p1.case_id}/reply", {"text": "Hola"})
    assert done.headers["location"].endswith("hecho=reply_window")
    assert "ventana de 24 h de WhatsApp está cerrada" in b.get(done.headers["location"]).text
    assert reply_events(p1.case_id)[0][2]["window_closed"] is True


def test_a_failed_delivery_writes_nothing_to_the_transcript_or_timeline(people, browser, make_case, rasa, monkeypatch):
    p1, conv = held_case(make_case, people)
    module, _ = fake_outbound(fail=RuntimeError("twilio down"))
    monkeypatch.setattr(delivery, "load_outbound", lambda: module)
    response = browser(people["operator"]).post(f"/cases/{p1.case_id}/reply", {"text": "Hola"})
    assert response.status_code == 502 and "No se pudo enviar el mensaje" in response.text
    assert not any(e.get("event") == "bot" for c, evs in rasa.appended for e in evs)
    assert reply_events(p1.case_id) == []


def test_without_the_outbound_service_a_whatsapp_reply_is_refused_not_faked(people, browser, make_case, rasa,
                                                                            monkeypatch):
    p1, _ = held_case(make_case, people)
    monkeypatch.setattr(delivery, "load_outbound", lambda: None)
    response = browser(people["operator"]).post(f"/cases/{p1.case_id}/reply", {"text": "Hola"})
    assert response.status_code == 502 and "canal no disponible" in response.text
    assert reply_events(p1.case_id) == []


def test_when_rasa_is_down_a_web_reply_is_refused(people, browser, make_case, rasa):
    p1, _ = held_case(make_case, people, channel="web")
    rasa.down = True
    response = browser(people["operator"]).post(f"/cases/{p1.case_id}/reply", {"text": "Hola"})
    assert response.status_code == 503 and reply_events(p1.case_id) == []


def test_take_over_and_hand_back(people, browser, make_case, rasa):
    p1, conv = held_case(make_case, people, kind="p3", channel="web")
    handoff.request_operator(reason="asked", conversation_id=conv)
    rasa.conversation(conv, ("user", "quiero hablar con una persona"))
    b = browser(people["operator"])
    assert b.post(f"/cases/{p1.case_id}/takeover").headers["location"].endswith("hecho=takeover")
    assert b.post(f"/cases/{p1.case_id}/takeover").headers["location"].endswith("hecho=takeover_already")
    assert [e for c, e in rasa.appended if c == conv] == [[{"event": "pause"}]]
    assert b.post(f"/cases/{p1.case_id}/handback").headers["location"].endswith("hecho=handback")
    assert [e for c, e in rasa.appended if c == conv][-1] == [{"event": "resume"}]
    with session_scope() as db:
        actions = db.execute(select(CaseEvent.action, CaseEvent.actor_id).where(CaseEvent.case_id == p1.case_id)
                             .order_by(CaseEvent.id)).all()
    assert ("taken_over", people["operator"].id) in actions and ("handed_back", people["operator"].id) in actions
    from bot.cases import store

    assert store.case_detail(p1.case_id).waiting_for_operator is False
    assert "La conversación volvió al asistente." in b.get(f"/cases/{p1.case_id}").text


def test_canned_replies_are_offered_in_the_conversations_language(people, browser, make_case, rasa):
    p1, conv = held_case(make_case, people, channel="web")
    rasa.conversation(conv, ("user", "allinllachu"))
    rasa.append(conv, [{"event": "slot", "name": "language", "value": "qu"}])
    html = browser(people["operator"]).get(f"/cases/{p1.case_id}").text
    assert "Respuesta preparada (Quechua)" in html and "quechua pendiente de revisión nativa" in html
    assert "Allinllachu, ñuqaqa" in html and people["operator"].display_name in html
