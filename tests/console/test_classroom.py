"""Classroom pages: creating, the code and QR, ownership, live counts, ending, the summary, students' chat."""
from __future__ import annotations

import re
import secrets

import pytest
from sqlalchemy import select

from bot.classroom import store
from bot.db.models import AuditLog, ClassParticipant, ClassSession
from bot.db.session import session_scope


def create(b, module="ofertas_enganosas", language="es", minutes=45):
    return b.post("/classroom", {"module_id": module, "language": language, "minutes": str(minutes)})


def created_id(response) -> int:
    assert response.status_code == 303, response.text[:300]
    return int(re.search(r"/classroom/(\d+)$", response.headers["location"]).group(1))


def test_a_teacher_creates_a_session_and_sees_the_code_and_a_qr_code(people, browser):
    b = browser(people["teacher"])
    session_id = created_id(create(b, "redes_sociales", "qu"))
    page = b.get(f"/classroom/{session_id}")
    assert page.status_code == 200
    with session_scope() as db:
        s = db.get(ClassSession, session_id)
        code, teacher_id, language = s.join_code, s.teacher_id, s.language
        assert s.expires_at > s.created_at
    assert (teacher_id, language) == (people["teacher"].id, "qu")
    assert f"CLASE {code[:3]} {code[3:]}" in page.text
    assert f"/aula/{code}" in page.text
    svg = re.search(r"<svg [^>]*aria-label=\"Código QR[^>]*>.*?</svg>", page.text, re.S)
    assert svg and "<path" in svg.group(0) and "style=" not in svg.group(0)
    assert "Guía para conversar después" in page.text
    with session_scope() as db:
        logged = db.execute(select(AuditLog).where(AuditLog.action == "class_session_created",
                                                   AuditLog.object_id == str(session_id))).scalar_one()
        assert logged.actor_id == people["teacher"].id and logged.details["module"] == "redes_sociales"


def test_the_qr_code_encodes_the_join_link():
    import segno

    from bot.console.classroom_routes import qr_svg

    link = "https://consola.example.pe/aula/K4M7P2"
    assert str(qr_svg(link)).count("<svg") == 1
    assert segno.make(link, error="m").svg_inline(scale=8, dark="#000000", light="#ffffff", omitsize=False) \
        .split('class="segno"', 1)[1] in str(qr_svg(link))


@pytest.mark.parametrize("role", ["operator", "supervisor"])
def test_operators_and_supervisors_cannot_create_or_see_sessions(role, people, browser):
    b = browser(people[role])
    assert create(b).status_code == 403
    assert b.get("/classroom").status_code == 403
    with session_scope() as db:
        other = store.create_session(db, people["teacher"].id, "derechos_ayuda", "es").id
    assert b.get(f"/classroom/{other}").status_code == 403
    assert b.get(f"/classroom/{other}/live.json").status_code == 403


def test_a_teacher_sees_only_own_sessions(people, browser, database_url):
    from bot.console.users import create_user

    with session_scope() as db:
        other_teacher = create_user(db, f"doc2-{secrets.token_hex(3)}", "correcto-caballo-7", "teacher",
                                    display_name="Otra Docente").id
        theirs = store.create_session(db, other_teacher, "derechos_ayuda", "es")
        theirs_id, theirs_code = theirs.id, theirs.join_code
    b = browser(people["teacher"])
    mine = created_id(create(b))
    listing = b.get("/classroom").text
    assert f"/classroom/{mine}" in listing and f"/classroom/{theirs_id}" not in listing
    for url in (f"/classroom/{theirs_id}", f"/classroom/{theirs_id}/summary"):
        response = b.get(url)
        assert response.status_code == 404 and theirs_code not in response.text
    assert b.get(f"/classroom/{theirs_id}/live.json").status_code == 404
    assert b.post(f"/classroom/{theirs_id}/end").status_code == 404
    with session_scope() as db:
        assert db.get(ClassSession, theirs_id).status == "active"
    # an admin sees every session
    assert b.get(f"/classroom/{theirs_id}").status_code == 404
    admin = browser(people["admin"])
    assert admin.get(f"/classroom/{theirs_id}").status_code == 200


def test_a_module_without_quechua_cannot_be_started_in_quechua(people, browser, monkeypatch):
    import dataclasses

    from bot.classroom import modules

    real = modules.get_module("ofertas_enganosas")
    q = real.questions[2]
    spanish_only = dataclasses.replace(real, questions=real.questions[:2] + (
        dataclasses.replace(q, explanation={"es": q.explanation["es"]}),) + real.questions[3:])
    monkeypatch.setattr(store, "get_module", lambda mid: spanish_only if mid == "ofertas_enganosas" else None)
    b = browser(people["teacher"])
    response = create(b, "ofertas_enganosas", "qu")
    assert response.status_code == 422
    assert "todavía no está traducido al quechua" in response.text
    assert "questions.bar_dni.explanation" in response.text


def test_live_json_counts_answers_and_the_summary_keeps_only_totals(people, browser):
    b = browser(people["teacher"])
    session_id = created_id(create(b))
    with session_scope() as db:
        code = db.get(ClassSession, session_id).join_code
    students = [f"s-{secrets.token_hex(5)}" for _ in range(5)]
    for i, who in enumerate(students):
        with session_scope() as db:
            store.join(db, code, who)
            store.answer(db, who, "b" if i < 3 else "a")   # 3 right, 2 wrong on question 1
    data = b.get(f"/classroom/{session_id}/live.json").json()
    assert data["joined"] == 5 and data["in_class"] == 5 and data["finished"] == 0
    first = data["questions"][0]
    assert first["counts"] == {"a": 2, "b": 3, "c": 0} and first["correct"] == "b" and first["correct_percent"] == 60
    assert data["wrong"][0] == {"question": "plaza_madre_de_dios", "number": 1, "choice": "a", "count": 2,
                                "text": "Aceptar: el sueldo es bueno y el pasaje es gratis"}
    assert "<svg" in data["html"] and "5</strong> se unieron" in data["html"]

    end = b.post(f"/classroom/{session_id}/end")
    assert end.status_code == 303 and end.headers["location"] == f"/classroom/{session_id}/summary"
    with session_scope() as db:
        assert db.execute(select(ClassParticipant).where(ClassParticipant.session_id == session_id)).first() is None
        assert db.get(ClassSession, session_id).join_code is None
    summary = b.get(f"/classroom/{session_id}/summary")
    assert summary.status_code == 200
    assert "Solo totales de la clase" in summary.text and "Imprimir" in summary.text
    assert not any(who in summary.text for who in students)
    live = b.get(f"/classroom/{session_id}").text
    assert "Esta sesión terminó" in live and code not in live
    data = b.get(f"/classroom/{session_id}/live.json").json()
    assert data["status"] == "ended" and data["joined"] == 5 and data["in_class"] == 0
    with session_scope() as db:
        actions = {a.action for a in db.execute(select(AuditLog).where(
            AuditLog.object_type == "class_session", AuditLog.object_id == str(session_id))).scalars()}
    assert actions == {"class_session_created", "class_session_ended", "class_summary_viewed"}


def test_the_students_chat_needs_no_login_but_its_own_token(app, monkeypatch):
    from fastapi.testclient import TestClient

    from bot import rasa_client

    sent = []

    async def fake_send(client, sender, message, metadata, settings):
        sent.append((sender, message, metadata))
        return [{"text": "Te uniste a la clase", "buttons": [{"title": "a) uno", "payload": "a"}]}]

    monkeypatch.setattr(rasa_client, "send_async", fake_send)

    client = TestClient(app, base_url="https://testserver")
    page = client.get("/aula/k4m7p2")
    assert page.status_code == 200 and 'data-first-message="CLASE K4M 7P2"' in page.text
    assert "wk_aula" in page.cookies
    token = re.search(r'name="csrf-token" content="([^"]+)"', page.text).group(1)
    assert client.post("/aula/send", json={"message": "a"}).status_code == 400            # no token
    assert client.post("/aula/send", json={"message": "a"}, headers={"X-CSRF-Token": "x" * 64}).status_code == 400
    other = TestClient(app, base_url="https://testserver")
    assert other.post("/aula/send", json={"message": "a"}, headers={"X-CSRF-Token": token}).status_code == 400
    response = client.post("/aula/send", json={"message": "CLASE K4M 7P2"}, headers={"X-CSRF-Token": token})
    assert response.status_code == 200
    assert response.json()["messages"][0]["buttons"] == [{"title": "a) uno", "payload": "a"}]
    assert len(sent) == 1 and sent[0][0].startswith("aula-") and sent[0][1:] == ("CLASE K4M 7P2", {"channel": "web"})
    assert page.cookies["wk_aula"] not in sent[0][0]


def test_the_students_chat_says_so_kindly_when_the_assistant_is_down(app, monkeypatch):
    from fastapi.testclient import TestClient

    from bot import rasa_client

    async def down(*args, **kwargs):
        raise rasa_client.RasaUnavailable("ConnectError")

    monkeypatch.setattr(rasa_client, "send_async", down)

    client = TestClient(app, base_url="https://testserver")
    token = re.search(r'name="csrf-token" content="([^"]+)"', client.get("/aula/A2B3C4").text).group(1)
    response = client.post("/aula/send", json={"message": "a"}, headers={"X-CSRF-Token": token})
    assert response.status_code == 503 and "no está disponible" in response.json()["messages"][0]["text"]


def test_teacher_pages_fill_the_helpline_placeholders(people, browser):
    from bot.config import template_values

    b = browser(people["teacher"])
    session_id = created_id(create(b, "derechos_ayuda"))
    live = b.get(f"/classroom/{session_id}").text
    summary = b.get(f"/classroom/{session_id}/summary").text
    for html in (live, summary):
        assert "{hotline_label}" not in html and "{police_number}" not in html
        assert template_values()["hotline_label"] in html
