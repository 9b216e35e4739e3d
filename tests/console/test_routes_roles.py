"""Every route, every role: the response matches the permissions table.

The table below must name every route of the app (the first test fails when a new route
is added without deciding who may use it). Teachers are checked against an explicit
list: they never see a case, in pages or in the API.
"""
from datetime import date

import pytest
from fastapi.routing import APIRoute

from bot.console.permissions import decide
from tests.console.conftest import Browser

PUBLIC = {("GET", "/health"), ("GET", "/login"), ("POST", "/login"), ("POST", "/logout"),
          ("GET", "/sounds/p1.wav"), ("GET", "/api/openapi.json"),
          # the students' classroom chat: no login (tests/console/test_classroom.py)
          ("GET", "/aula/{code}"), ("POST", "/aula/send")}

CASE = "/cases/{case_id:int}"
API_CASE = "/api/v1/cases/{case_id}"
ROUTES = {
    ("GET", "/"): "use_console", ("POST", "/session/keepalive"): "use_console",
    ("GET", "/queue"): "view_queue", ("GET", "/queue/poll"): "view_queue",
    ("GET", CASE): "view_case",
    ("POST", CASE + "/claim"): "claim_case", ("POST", CASE + "/release"): "claim_case",
    ("POST", CASE + "/reassign"): "reassign_case",
    ("POST", CASE + "/status"): "work_case", ("POST", CASE + "/notes"): "work_case",
    ("POST", CASE + "/derivations"): "work_case", ("POST", CASE + "/reply"): "work_case",
    ("POST", CASE + "/takeover"): "work_case", ("POST", CASE + "/handback"): "work_case",
    ("GET", "/cases/new"): "record_offline", ("POST", "/cases/new"): "record_offline",
    ("GET", "/supervision"): "view_load",
    ("GET", "/stats"): "view_statistics", ("GET", "/stats/export.csv"): "view_statistics",
    ("GET", "/audit"): "view_audit",
    ("GET", "/directory"): "view_directory", ("POST", "/directory"): "manage_directory",
    ("GET", "/admin/users"): "manage_users", ("POST", "/admin/users"): "manage_users",
    ("POST", "/admin/users/{user_id:int}/active"): "manage_users",
    ("POST", "/admin/users/{user_id:int}/unlock"): "manage_users",
    ("POST", "/admin/users/{user_id:int}/role"): "manage_users",
    ("POST", "/admin/users/{user_id:int}/password"): "manage_users",
    ("POST", "/admin/users/{user_id:int}/tokens"): "manage_users",
    ("POST", "/admin/tokens/{token_id:int}/revoke"): "manage_users",
    ("GET", "/admin/settings"): "view_settings",
    ("GET", "/chat"): "use_chat", ("POST", "/chat/send"): "use_chat", ("GET", "/chat/poll"): "use_chat",
    ("GET", "/classroom"): "run_classroom", ("POST", "/classroom"): "run_classroom",
    ("GET", "/classroom/{session_id}"): "run_classroom", ("GET", "/classroom/{session_id}/live.json"): "run_classroom",
    ("POST", "/classroom/{session_id}/end"): "run_classroom",
    ("GET", "/classroom/{session_id}/summary"): "run_classroom",
    ("GET", "/api/v1/me"): "use_console", ("GET", "/api/v1/queue"): "view_queue",
    ("GET", API_CASE): "view_case", ("GET", API_CASE + "/transcript"): "view_case",
    ("POST", API_CASE + "/claim"): "claim_case", ("POST", API_CASE + "/release"): "claim_case",
    ("POST", API_CASE + "/reassign"): "reassign_case",
    ("POST", API_CASE + "/status"): "work_case", ("POST", API_CASE + "/notes"): "work_case",
    ("POST", API_CASE + "/derivations"): "work_case", ("POST", API_CASE + "/reply"): "work_case",
    ("POST", API_CASE + "/takeover"): "work_case", ("POST", API_CASE + "/handback"): "work_case",
    ("GET", "/api/v1/directory"): "view_directory", ("GET", "/api/v1/load"): "view_load",
    ("GET", "/api/v1/stats"): "view_statistics",
}
TEACHER_MAY = {("GET", "/"), ("POST", "/session/keepalive"), ("GET", "/chat"), ("POST", "/chat/send"),
               ("GET", "/chat/poll"), ("GET", "/api/v1/me")} | {r for r, p in ROUTES.items() if p == "run_classroom"}
API_BODIES = {
    "/reassign": {"to_user_id": None}, "/status": {"status": "clasificado"}, "/notes": {"text": "nota"},
    "/derivations": {"institution": "pnp", "derived_on": date.today().isoformat()}, "/reply": {"text": "hola"},
}


def all_routes(app):
    out = set()
    for route in app.routes:
        if isinstance(route, APIRoute):
            for method in route.methods - {"HEAD"}:
                out.add((method, route.path))
        elif getattr(route, "path", "") == "/api/openapi.json":
            out.add(("GET", route.path))
    return out


def test_every_route_is_classified(app):
    routes = all_routes(app)
    assert routes == set(ROUTES) | PUBLIC, {
        "unclassified": sorted(routes - set(ROUTES) - PUBLIC), "missing": sorted(set(ROUTES) | PUBLIC - routes)}


@pytest.fixture()
def world(people, make_case, database_url):
    """A P1 case held by operator2, a throwaway user to administer, and one of its tokens."""
    from bot.cases import queue
    from bot.classroom import store as classroom
    from bot.console import tokens
    from bot.console.users import create_user
    from bot.db.session import session_scope

    result, _ = make_case("p1")
    queue.claim(result.case_id, people["operator2"].id)
    with session_scope() as db:
        target = create_user(db, f"target-{people['admin'].username}", "correcto-caballo-7", "operator")
        _, token = tokens.create(db, target.id)
        target_id = target.id
        class_id = classroom.create_session(db, people["teacher"].id, "derechos_ayuda", "es").id
    return {"case_id": result.case_id, "code": result.case_code, "user_id": target_id, "token_id": token.id,
            "holder": people["operator2"].id, "class_id": class_id}


def _url(path, world):
    return (path.replace("{case_id:int}", str(world["case_id"])).replace("{case_id}", str(world["case_id"]))
            .replace("{user_id:int}", str(world["user_id"])).replace("{token_id:int}", str(world["token_id"]))
            .replace("{session_id}", str(world["class_id"])))


def _refused_by_permission(response, api: bool) -> bool:
    if response.status_code != 403:
        return False
    if api or response.headers.get("content-type", "").startswith("application/json"):
        return response.json().get("error") == "forbidden"
    return "Sin acceso" in response.text


def _expected_refusal(role, permission, user_id, holder_id) -> bool:
    if permission == "work_case":
        return not decide(role, permission, user_id=user_id, holder_id=holder_id).ok
    return not decide(role, permission).ok


# Teachers and operators first: supervisors' walks change the case (reassign, status).
@pytest.mark.parametrize("role", ["teacher", "operator", "supervisor", "admin"])
def test_pages_answer_each_role_as_the_table_says(role, app, people, world, browser):
    person = people[role]
    b = browser(person)
    for (method, path), permission in sorted(ROUTES.items()):
        if path.startswith("/api/"):
            continue
        url = _url(path, world)
        if method == "GET":
            response = b.get(url)
        elif path == "/chat/send":
            response = b.client.post(url, json={"message": "hola"}, headers={"X-CSRF-Token": b.csrf},
                                     follow_redirects=False)
        else:
            response = b.post(url, {})
        expected = _expected_refusal(role, permission, person.id, world["holder"])
        assert _refused_by_permission(response, api=False) == expected, (role, method, path, response.status_code)
        if role == "teacher":
            assert ((method, path) in TEACHER_MAY) != expected, (method, path)
            assert world["code"] not in response.text, f"a teacher saw the case code on {method} {path}"


@pytest.mark.parametrize("role", ["teacher", "operator", "supervisor", "admin"])
def test_api_answers_each_role_as_the_table_says(role, app, people, world, api):
    person = people[role]
    client = api(person)
    for (method, path), permission in sorted(ROUTES.items()):
        if not path.startswith("/api/"):
            continue
        url = _url(path, world)
        if method == "GET":
            response = client.get(url)
        else:
            body = next((v for k, v in API_BODIES.items() if path.endswith(k)), None)
            response = client.post(url, json=body)
        expected = _expected_refusal(role, permission, person.id, world["holder"])
        assert _refused_by_permission(response, api=True) == expected, (role, method, path, response.status_code,
                                                                        response.text[:200])
        if role == "teacher":
            assert ((method, path) in TEACHER_MAY) != expected, (method, path)
            assert world["code"] not in response.text


def test_without_login_every_private_page_redirects_and_every_json_route_says_401(app, world, browser):
    b = browser(None)
    for (method, path) in ROUTES:
        url = _url(path, world)
        response = b.get(url) if method == "GET" else b.client.post(url, data={}, follow_redirects=False)
        if path.startswith(("/api/", "/chat/send", "/chat/poll", "/queue/poll", "/session/")):
            assert response.status_code == 401, (method, path, response.status_code)
        else:
            assert response.status_code == 303 and response.headers["location"] == "/login", (method, path)


def test_a_bad_token_is_401_and_a_revoked_token_stops_working(app, people, database_url):
    from fastapi.testclient import TestClient

    from bot.console import tokens
    from bot.db.session import session_scope

    with TestClient(app, base_url="https://testserver") as c:
        assert c.get("/api/v1/me", headers={"Authorization": "Bearer wkc_nope"}).status_code == 401
        assert c.get("/api/v1/me").status_code == 401
        with session_scope() as db:
            value, view = tokens.create(db, people["operator"].id)
        assert c.get("/api/v1/me", headers={"Authorization": f"Bearer {value}"}).json()["role"] == "operator"
        with session_scope() as db:
            tokens.revoke(db, view.id)
        assert c.get("/api/v1/me", headers={"Authorization": f"Bearer {value}"}).status_code == 401


def test_a_deactivated_users_token_stops_working(app, people, database_url):
    from fastapi.testclient import TestClient

    from bot.console import tokens, users
    from bot.db.session import session_scope

    with session_scope() as db:
        value, _ = tokens.create(db, people["operator"].id)
        users.set_active(db, people["operator"].id, False, actor_id=people["admin"].id)
    with TestClient(app, base_url="https://testserver") as c:
        assert c.get("/api/v1/me", headers={"Authorization": f"Bearer {value}"}).status_code == 401
