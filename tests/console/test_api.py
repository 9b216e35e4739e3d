"""The JSON API: the same operations as the pages, with tokens, and an OpenAPI schema."""
from datetime import date

from bot.cases import store
from bot.console import directory


def test_the_openapi_schema_lists_the_api_and_no_pages(app, browser):
    schema = browser(None).get("/api/openapi.json").json()
    paths = set(schema["paths"])
    for path in ("/api/v1/queue", "/api/v1/cases/{case_id}", "/api/v1/cases/{case_id}/claim",
                 "/api/v1/cases/{case_id}/release", "/api/v1/cases/{case_id}/status", "/api/v1/cases/{case_id}/notes",
                 "/api/v1/cases/{case_id}/derivations", "/api/v1/cases/{case_id}/reply", "/api/v1/stats"):
        assert path in paths, path
    assert not any(p.startswith(("/queue", "/cases", "/admin", "/login")) for p in paths)
    assert "CaseOut" in schema["components"]["schemas"]


def test_a_case_worked_end_to_end_through_the_api(people, api, make_case, rasa):
    p1, conv = make_case("p1", channel="web")
    rasa.conversation(conv, ("user", "ayuda"), ("bot", "Soy Willakuy"))
    op = api(people["operator"])
    listed = op.get("/api/v1/queue", params={"priority": "P1"}).json()
    assert any(c["id"] == p1.case_id and c["code"] == p1.case_code for c in listed["cases"])
    assert op.post(f"/api/v1/cases/{p1.case_id}/notes", json={"text": "antes de tomar"}).status_code == 403
    claim = op.post(f"/api/v1/cases/{p1.case_id}/claim").json()
    assert claim == {"ok": True, "holder_id": people["operator"].id,
                     "holder_name": people["operator"].display_name, "already": False}
    second = api(people["operator2"]).post(f"/api/v1/cases/{p1.case_id}/claim").json()
    assert second["ok"] is False and second["holder_name"] == people["operator"].display_name
    case = op.get(f"/api/v1/cases/{p1.case_id}").json()
    assert case["next_statuses"] == ["clasificado", "no_valida"] and case["narrative"].startswith("Mi hermana")
    assert case["report"]["victims"][0]["age_years"] == 15 and "pnp" in case["suggested_derivations"]
    assert any(e["action"] == "viewed" and e["actor_id"] == people["operator"].id for e in case["events"])
    transcript = op.get(f"/api/v1/cases/{p1.case_id}/transcript").json()
    assert [m["sender"] for m in transcript["messages"] if m["sender"] != "system"] == ["user", "bot"]
    bad = op.post(f"/api/v1/cases/{p1.case_id}/status", json={"status": "cerrado", "reason": "x"})
    assert bad.status_code == 409 and bad.json()["error"] == "transition"
    assert op.post(f"/api/v1/cases/{p1.case_id}/status", json={"status": "clasificado"}).json() == {
        "old": "recibido", "new": "clasificado"}
    note = op.post(f"/api/v1/cases/{p1.case_id}/notes", json={"text": "llamar mañana"}).json()
    assert note["event_id"] > 0
    reply = op.post(f"/api/v1/cases/{p1.case_id}/reply", json={"text": "Hola desde la línea"}).json()
    assert reply["via"] == "web" and reply["took_over"] is True and reply["in_transcript"] is True
    entry = next(e for e in directory.entries() if e.target == "ministerio_publico")
    derived = op.post(f"/api/v1/cases/{p1.case_id}/derivations",
                      json={"entry_id": entry.id, "derived_on": date.today().isoformat(), "reference": "F-9"}).json()
    assert derived["status"] == "derivado" and derived["status_changed"] is True
    assert op.post(f"/api/v1/cases/{p1.case_id}/status", json={"status": "cerrado"}).status_code == 409
    assert op.post(f"/api/v1/cases/{p1.case_id}/status",
                   json={"status": "cerrado", "reason": "derivado y sin más contacto"}).json()["new"] == "cerrado"
    assert op.post(f"/api/v1/cases/{p1.case_id}/handback").json() == {"changed": False}
    detail = store.case_detail(p1.case_id)
    assert detail.status == "cerrado" and detail.derivations[0].reference == "F-9"


def test_release_and_reassign_through_the_api(people, api, make_case):
    p1, _ = make_case("p1")
    op, sup = api(people["operator"]), api(people["supervisor"])
    op.post(f"/api/v1/cases/{p1.case_id}/claim")
    refused = api(people["operator2"]).post(f"/api/v1/cases/{p1.case_id}/release")
    assert refused.status_code == 403 and refused.json()["error"] == "not_holder"
    assert op.post(f"/api/v1/cases/{p1.case_id}/reassign", json={"to_user_id": None}).status_code == 403
    assert sup.post(f"/api/v1/cases/{p1.case_id}/reassign",
                    json={"to_user_id": people["operator2"].id, "reason": "carga"}).json() == {"ok": True}
    assert store.case_detail(p1.case_id).assigned_to_id == people["operator2"].id
    loads = {row["user_id"]: row for row in sup.get("/api/v1/load").json()}
    assert loads[people["operator2"].id]["held"] >= 1 and loads[people["operator2"].id]["p1"] >= 1
    assert api(people["operator2"]).post(f"/api/v1/cases/{p1.case_id}/release").json() == {"ok": True}


def test_api_errors_are_json_in_spanish(people, api):
    op = api(people["operator"])
    missing = op.get("/api/v1/cases/99999999")
    assert missing.status_code == 404 and missing.json() == {"error": "not_found", "message": "Ese caso no existe."}
    assert op.post("/api/v1/cases/99999999/notes", json={}).status_code == 422
