"""The case page: report, audit of views, transitions, notes, derivations, reassignment."""
import re
from datetime import date, timedelta

from sqlalchemy import func, select, update

from bot.cases import queue, store
from bot.console import directory
from bot.db.models import CaseEvent, Report as ReportRow
from bot.db.session import get_engine, session_scope
from tests.cases_store.helpers import minor_report


def events(case_id, action=None):
    with session_scope() as db:
        query = select(CaseEvent).where(CaseEvent.case_id == case_id).order_by(CaseEvent.id)
        if action:
            query = query.where(CaseEvent.action == action)
        return [(e.action, e.actor_id, e.old_value, e.new_value, e.text, e.details) for e in db.execute(query).scalars()]


def status_buttons(html):
    return re.findall(r'class="status-btn">Pasar a «([^»]+)»', html)


def test_the_report_is_shown_with_spanish_labels_and_the_narrative(people, browser, make_case):
    p1, _ = make_case("p1")
    html = browser(people["operator"]).get(f"/cases/{p1.case_id}").text
    for text in ("P1 · Urgente ahora", "Explotación sexual", "Mujer · 15 años · MENOR DE EDAD", "Cusco",
                 "Madre de Dios", "Le quitaron sus documentos", "Familiar o cuidador(a)",
                 "Mi hermana Rosa trabaja en un bar de Mazuko"):
        assert text in html, text
    assert "explotacion_sexual" not in html.split('id="h-report"')[1].split("</section>")[0]


def test_viewing_a_case_writes_a_viewed_event_each_time(people, browser, make_case):
    p1, _ = make_case("p1")
    b = browser(people["operator"])
    b.get(f"/cases/{p1.case_id}")
    b.get(f"/cases/{p1.case_id}")
    viewed = events(p1.case_id, "viewed")
    assert len(viewed) == 2 and all(actor == people["operator"].id for _, actor, *_ in viewed)
    assert "Visto 3 veces" in b.get(f"/cases/{p1.case_id}").text   # this view counts too


def test_only_the_allowed_next_statuses_are_offered(people, browser, make_case):
    p1, _ = make_case("p1")
    queue.claim(p1.case_id, people["operator"].id)
    b = browser(people["operator"])
    assert status_buttons(b.get(f"/cases/{p1.case_id}").text) == ["Clasificado", "No válido"]
    queue.change_status(p1.case_id, "clasificado", people["operator"].id)
    html = b.get(f"/cases/{p1.case_id}").text
    assert status_buttons(html) == ["Orientado", "No válido", "Cerrado"]
    assert "registra una derivación abajo" in html          # derivado needs a derivation first
    queue.change_status(p1.case_id, "cerrado", people["operator"].id, "sin respuesta")
    assert status_buttons(b.get(f"/cases/{p1.case_id}").text) == []      # reopening is for supervisors
    assert status_buttons(browser(people["supervisor"]).get(f"/cases/{p1.case_id}").text) == ["Clasificado"]


def test_status_changes_follow_the_workflow_with_spanish_refusals(people, browser, make_case):
    p1, _ = make_case("p1")
    b = browser(people["operator"])
    b.post(f"/cases/{p1.case_id}/claim")
    refused = b.post(f"/cases/{p1.case_id}/status", {"status": "cerrado", "reason": "x"})
    assert refused.status_code == 409 and "no está permitido" in refused.text
    no_reason = b.post(f"/cases/{p1.case_id}/status", {"status": "no_valida", "reason": "  "})
    assert no_reason.status_code == 409 and "necesita un motivo" in no_reason.text
    assert events(p1.case_id, "status_changed") == []
    ok = b.post(f"/cases/{p1.case_id}/status", {"status": "clasificado"})
    assert ok.status_code == 303 and ok.headers["location"].endswith("hecho=status")
    page = b.get(ok.headers["location"]).text
    assert "Estado actualizado." in page and 'id="case-status">Clasificado<' in page
    b.post(f"/cases/{p1.case_id}/status", {"status": "no_valida", "reason": "era una broma"})
    change = events(p1.case_id, "status_changed")[-1]
    assert change[2:5] == ("clasificado", "no_valida", "era una broma")
    assert "era una broma" in b.get(f"/cases/{p1.case_id}").text


def test_an_operator_must_hold_the_case_to_work_it_and_a_supervisor_need_not(people, browser, make_case):
    p1, _ = make_case("p1")
    queue.claim(p1.case_id, people["operator2"].id)
    b = browser(people["operator"])
    html = b.get(f"/cases/{p1.case_id}").text
    assert f"hoy lo tiene {people['operator2'].display_name}" in html and 'action="/cases/%d/notes"' % p1.case_id not in html
    refused = b.post(f"/cases/{p1.case_id}/notes", {"text": "nota"})
    assert refused.status_code == 403 and "Primero toma el caso" in refused.text
    assert events(p1.case_id, "note_added") == []
    sup = browser(people["supervisor"])
    assert sup.post(f"/cases/{p1.case_id}/notes", {"text": "revisado por supervisión"}).status_code == 303
    assert events(p1.case_id, "note_added")[0][1] == people["supervisor"].id


def test_notes_are_stored_encrypted_and_shown_on_the_timeline(people, browser, make_case):
    p1, _ = make_case("p1")
    b = browser(people["operator"])
    b.post(f"/cases/{p1.case_id}/claim")
    assert b.post(f"/cases/{p1.case_id}/notes", {"text": "   "}).status_code == 422
    assert b.post(f"/cases/{p1.case_id}/notes", {"text": "Llamó la tía desde Quillabamba"}).status_code == 303
    assert "Llamó la tía desde Quillabamba" in b.get(f"/cases/{p1.case_id}").text
    with get_engine().connect() as conn:
        raw = conn.exec_driver_sql("SELECT text FROM case_events WHERE action = 'note_added' AND case_id = %d"
                                   % p1.case_id).scalar_one()
    assert raw.startswith("enc1:") and "Quillabamba" not in raw


def test_deriving_to_a_directory_entry_marks_the_case_derived(people, browser, make_case):
    p1, _ = make_case("p1")
    b = browser(people["operator"])
    b.post(f"/cases/{p1.case_id}/claim")
    b.post(f"/cases/{p1.case_id}/status", {"status": "clasificado"})
    html = b.get(f"/cases/{p1.case_id}").text
    assert "(sugerida)" in html                                  # triage suggestions are marked
    pnp = next(e for e in directory.entries() if e.target == "pnp")
    future = (date.today() + timedelta(days=2)).isoformat()
    assert b.post(f"/cases/{p1.case_id}/derivations", {"entry": pnp.id, "derived_on": future}).status_code == 422
    assert b.post(f"/cases/{p1.case_id}/derivations", {"entry": pnp.id, "derived_on": ""}).status_code == 422
    done = b.post(f"/cases/{p1.case_id}/derivations",
                  {"entry": pnp.id, "derived_on": date.today().isoformat(), "reference": "OF-123-2026"})
    assert done.status_code == 303
    detail = store.case_detail(p1.case_id)
    assert detail.status == "derivado" and detail.derivations[0].institution == "pnp"
    assert detail.derivations[0].reference == "OF-123-2026" and detail.derivations[0].created_by_id == people["operator"].id
    page = b.get(f"/cases/{p1.case_id}").text
    assert "ref. OF-123-2026" in page and 'id="case-status">Derivado<' in page


def test_a_labour_case_derived_only_to_the_cem_stays_and_says_why(people, browser, make_case):
    labour, _ = make_case("p1", purposes=["explotacion_laboral"])
    b = browser(people["operator"])
    b.post(f"/cases/{labour.case_id}/claim")
    b.post(f"/cases/{labour.case_id}/status", {"status": "clasificado"})
    cem = next(e for e in directory.entries() if e.target == "mimp_cem")
    page = b.post(f"/cases/{labour.case_id}/derivations", {"entry": cem.id, "derived_on": date.today().isoformat()})
    assert page.status_code == 200 and "nunca se deriva solo al CEM" in page.text
    assert store.case_detail(labour.case_id).status == "clasificado"


def test_supervisors_reassign_and_the_timeline_names_both_people(people, browser, make_case):
    p1, _ = make_case("p1")
    queue.claim(p1.case_id, people["operator"].id)
    sup = browser(people["supervisor"])
    done = sup.post(f"/cases/{p1.case_id}/reassign", {"to_user": people["operator2"].id, "reason": "turno de noche"})
    assert done.status_code == 303
    assert store.case_detail(p1.case_id).assigned_to_id == people["operator2"].id
    html = sup.get(f"/cases/{p1.case_id}").text
    assert f"{people['operator'].display_name} → {people['operator2'].display_name}" in html
    assert sup.post(f"/cases/{p1.case_id}/reassign", {"to_user": people["teacher"].id}).status_code == 422
    assert sup.post(f"/cases/{p1.case_id}/reassign", {"to_user": ""}).status_code == 303
    assert store.case_detail(p1.case_id).assigned_to_id is None


def test_screening_indicators_are_shown_when_the_report_carries_them(people, browser, make_case):
    p1, _ = make_case("p1")
    with session_scope() as db:
        row = db.execute(select(ReportRow).where(ReportRow.case_id == p1.case_id)).scalar_one()
        row.data = {**row.data, "screening": {"risk": "high", "indicators": [
            {"id": "no_experience_high_pay", "evidence": "sin experiencia, 3000 soles"}, {"id": "otro_id"}]}}
    html = browser(people["operator"]).get(f"/cases/{p1.case_id}").text
    assert "Revisión de la oferta" in html and "Riesgo alto" in html
    assert "«sin experiencia, 3000 soles»" in html and "otro_id" in html
    assert "Explotación sexual" in html        # the rest of the report still shows


def test_a_case_without_conversation_offers_no_reply(people, browser, make_case):
    offline, _ = make_case("p1", conversation_id=None)
    b = browser(people["operator"])
    b.post(f"/cases/{offline.case_id}/claim")
    html = b.get(f"/cases/{offline.case_id}").text
    assert "no tiene conversación" in html and 'id="reply-form"' not in html
    refused = b.post(f"/cases/{offline.case_id}/reply", {"text": "hola"})
    assert refused.status_code == 409 and "no tiene una conversación" in refused.text


def test_a_purged_case_says_so(people, browser, make_case):
    p1, _ = make_case("p1")
    with session_scope() as db:
        from bot.db.models import Case
        from bot.db.types import utcnow

        db.execute(update(Case).where(Case.id == p1.case_id).values(purged_at=utcnow(), conversation_id=None))
    html = browser(people["operator"]).get(f"/cases/{p1.case_id}").text
    assert "se borraron" in html


def test_an_unknown_case_is_404(people, browser):
    response = browser(people["operator"]).get("/cases/99999999")
    assert response.status_code == 404 and "Ese caso no existe" in response.text


def test_offline_contact_records_a_case(people, browser):
    b = browser(people["operator"])
    form = b.get("/cases/new").text
    form_id = re.search(r'name="form_id" value="([^"]+)"', form).group(1)
    data = {"channel": "presencial", "language": "qu", "category_hint": "denuncia", "reporter_role": "victima",
            "v1_sex": "mujer", "v1_age": "16", "v1_origin_dept": "21", "v1_origin_place": "Juliaca",
            "purposes": "explotacion_laboral", "destination_dept": "17", "destination_place": "Huepetuhe",
            "ongoing_exploitation": "si", "narrative": "Trabaja en una mina desde hace un mes",
            "form_id": form_id}
    created = b.post("/cases/new", data)
    assert created.status_code == 303
    case_id = int(re.search(r"/cases/(\d+)", created.headers["location"]).group(1))
    again = b.post("/cases/new", data)                       # double submit: same case
    assert again.headers["location"] == created.headers["location"]
    detail = store.case_detail(case_id)
    assert (detail.origin, detail.channel, detail.language, detail.priority) == ("offline", "presencial", "qu", "P1")
    assert detail.narrative == "Trabaja en una mina desde hace un mes"
    assert detail.report.victims[0].origin.ubigeo.startswith("2111")          # Juliaca, San Román, Puno
    assert detail.report.destination.ubigeo.startswith("17")
    created_event = [e for e in detail.events if e.action == "created"][0]
    assert created_event.actor_id == people["operator"].id
    assert "Contacto registrado como caso nuevo." in b.get(created.headers["location"]).text


def test_offline_form_problems_come_back_in_spanish_with_the_values_kept(people, browser):
    b = browser(people["operator"])
    form_id = re.search(r'name="form_id" value="([^"]+)"', b.get("/cases/new").text).group(1)
    response = b.post("/cases/new", {"channel": "telefono", "v1_age": "15", "v1_band": "25_mas",
                                     "narrative": "texto que no se pierde", "form_id": form_id})
    assert response.status_code == 422 and "Persona 1, rango de edad" in response.text
    assert "texto que no se pierde" in response.text
