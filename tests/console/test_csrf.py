"""Every page POST needs the session's own CSRF token; without it nothing changes."""
from sqlalchemy import func, select

from bot.db.models import (
    ApiToken, AuditLog, Case, CaseEvent, ClassSession, ConsoleSession, Derivation, Institution, User,
)
from bot.db.session import session_scope
from tests.console.test_routes_roles import ROUTES, _url

PAGE_POSTS = sorted(path for (method, path) in ROUTES if method == "POST" and not path.startswith("/api/"))
FORMS = {
    "/status": {"status": "clasificado"}, "/notes": {"text": "nota"}, "/reply": {"text": "hola"},
    "/derivations": {"entry": "", "derived_on": "2026-01-01"}, "/reassign": {"to_user": ""},
    "/admin/users": {"username": "csrf-nuevo", "role": "operator", "password": "correcto-caballo-7"},
    "/directory": {"target": "pnp", "name": "Comisaría CSRF", "region": ""},
    "/active": {"active": "0"}, "/role": {"role": "admin"},
    "/classroom": {"module_id": "derechos_ayuda", "language": "es", "minutes": "30"},
}


def snapshot():
    with session_scope() as db:
        counts = tuple(db.execute(select(func.count()).select_from(t)).scalar_one()
                       for t in (CaseEvent, AuditLog, Institution, User, ApiToken, Derivation, ClassSession))
        classes = tuple(db.execute(select(ClassSession.id, ClassSession.status).order_by(ClassSession.id)).all())
        cases = tuple(db.execute(select(Case.id, Case.status, Case.assigned_to_id).order_by(Case.id)).all())
        users = tuple(db.execute(select(User.id, User.role, User.active, User.password_hash).order_by(User.id)).all())
        sessions = db.execute(select(func.count()).select_from(ConsoleSession)
                              .where(ConsoleSession.revoked_at.is_(None))).scalar_one()
    return counts, cases, users, sessions, classes


def _form(path):
    return next((v for k, v in FORMS.items() if path.endswith(k)), {})


def test_every_page_post_without_or_with_a_foreign_csrf_token_is_refused_and_changes_nothing(
        app, people, browser, make_case, database_url):
    from bot.classroom import store as classroom
    from bot.console import tokens

    result, _conv = make_case("p1")
    with session_scope() as db:
        _, token = tokens.create(db, people["operator"].id)
        class_id = classroom.create_session(db, people["admin"].id, "derechos_ayuda", "es").id
    world = {"case_id": result.case_id, "user_id": people["operator"].id, "token_id": token.id, "class_id": class_id}
    admin = browser(people["admin"])
    other = browser(people["supervisor"])
    before = snapshot()
    for path in PAGE_POSTS:
        url = _url(path, world)
        for label, token_value in (("missing", None), ("foreign", other.csrf), ("empty", "")):
            data = dict(_form(path))
            if token_value is not None:
                data["csrf"] = token_value
            if path == "/chat/send":
                headers = {} if token_value is None else {"X-CSRF-Token": token_value}
                response = admin.client.post(url, json={"message": "hola"}, headers=headers, follow_redirects=False)
            else:
                response = admin.post(url, data, csrf=False)
            assert response.status_code == 400, (path, label, response.status_code)
    assert snapshot() == before


def test_logout_without_csrf_keeps_the_session(people, browser):
    b = browser(people["operator"])
    assert b.post("/logout", {}, csrf=False).status_code == 400
    assert b.get("/").status_code == 200


def test_the_csrf_token_may_come_as_a_header(people, browser, make_case):
    result, _ = make_case("p1")
    b = browser(people["operator"])
    response = b.client.post(f"/cases/{result.case_id}/claim", headers={"X-CSRF-Token": b.csrf},
                             follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"].endswith("hecho=claimed")
