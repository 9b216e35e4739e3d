"""Users and roles, API tokens, the derivation directory, the helpline settings page."""
import re

from sqlalchemy import select

from bot.console import directory
from bot.console.users import authenticate
from bot.db.models import AuditLog, Institution, User
from bot.db.session import session_scope
from tests.console.conftest import PASSWORD


def user(username):
    with session_scope() as db:
        return db.execute(select(User).where(User.username == username)).scalar_one()


def audit_actions(object_id):
    with session_scope() as db:
        return db.execute(select(AuditLog.action).where(AuditLog.object_type == "user",
                                                        AuditLog.object_id == str(object_id))).scalars().all()


def test_admins_create_users_and_a_generated_password_is_shown_once(people, browser, unique):
    admin = browser(people["admin"])
    response = admin.post("/admin/users", {"username": f"nueva-{unique}", "display_name": "Nueva Operadora",
                                           "role": "operator", "password": ""})
    assert response.status_code == 200
    shown = re.search(r'<code id="secret-value">([^<]+)</code>', response.text).group(1)
    with session_scope() as db:
        assert authenticate(db, f"nueva-{unique}", shown).user is not None
    assert shown not in admin.get("/admin/users").text
    assert "user.created" in audit_actions(user(f"nueva-{unique}").id)
    refused = admin.post("/admin/users", {"username": f"nueva-{unique}", "role": "operator", "password": PASSWORD})
    assert refused.status_code == 422 and "ya existe" in refused.text
    weak = admin.post("/admin/users", {"username": f"otra-{unique}", "role": "operator", "password": "corta"})
    assert weak.status_code == 422 and "al menos 10" in weak.text


def test_deactivating_ends_the_sessions_and_blocks_login(people, browser):
    victim = browser(people["operator2"])
    assert victim.get("/queue").status_code == 200
    admin = browser(people["admin"])
    assert admin.post(f"/admin/users/{people['operator2'].id}/active", {"active": "0"}).status_code == 303
    assert victim.get("/queue").status_code == 303
    with session_scope() as db:
        assert authenticate(db, people["operator2"].username, PASSWORD).reason == "inactive"
    assert admin.post(f"/admin/users/{people['admin'].id}/active", {"active": "0"}).status_code == 422
    admin.post(f"/admin/users/{people['operator2'].id}/active", {"active": "1"})
    assert {"user.deactivated", "user.activated"} <= set(audit_actions(people["operator2"].id))


def test_reset_password_and_unlock(people, browser):
    with session_scope() as db:
        for _ in range(5):
            authenticate(db, people["operator"].username, "contraseña-equivocada")
    admin = browser(people["admin"])
    page = admin.get("/admin/users").text
    assert "Bloqueada hasta" in page
    assert admin.post(f"/admin/users/{people['operator'].id}/unlock").status_code == 303
    with session_scope() as db:
        assert authenticate(db, people["operator"].username, PASSWORD).user is not None
    reset = admin.post(f"/admin/users/{people['operator'].id}/password")
    new = re.search(r'<code id="secret-value">([^<]+)</code>', reset.text).group(1)
    with session_scope() as db:
        assert authenticate(db, people["operator"].username, PASSWORD).user is None
        assert authenticate(db, people["operator"].username, new).user is not None
    assert {"user.unlocked", "user.password_reset"} <= set(audit_actions(people["operator"].id))


def test_changing_a_role_takes_effect_at_once(people, browser):
    teacher = browser(people["teacher"])
    assert teacher.get("/queue").status_code == 403
    admin = browser(people["admin"])
    assert admin.post(f"/admin/users/{people['teacher'].id}/role", {"role": "operator"}).status_code == 303
    assert teacher.get("/queue").status_code == 303            # sessions end on a role change
    assert user(people["teacher"].username).role == "operator"
    assert admin.post(f"/admin/users/{people['teacher'].id}/role", {"role": "rey"}).status_code == 422
    assert admin.post(f"/admin/users/{people['admin'].id}/role", {"role": "operator"}).status_code == 422


def test_api_tokens_are_shown_once_and_can_be_revoked(people, browser, app):
    from fastapi.testclient import TestClient

    admin = browser(people["admin"])
    page = admin.post(f"/admin/users/{people['operator'].id}/tokens", {"label": "script"})
    value = re.search(r'<code id="secret-value">(wkc_[^<]+)</code>', page.text).group(1)
    with TestClient(app, base_url="https://testserver") as c:
        assert c.get("/api/v1/me", headers={"Authorization": f"Bearer {value}"}).json()["id"] == people["operator"].id
        token_id = re.search(r'action="/admin/tokens/(\d+)/revoke"', admin.get("/admin/users").text).group(1)
        assert admin.post(f"/admin/tokens/{token_id}/revoke").status_code == 303
        assert c.get("/api/v1/me", headers={"Authorization": f"Bearer {value}"}).status_code == 401


def test_the_directory_is_seeded_from_the_derivation_targets(database_url, app):
    from bot.cases.definitions import load

    entries = directory.entries()
    targets = set(load()["derivation_targets"].codes)
    assert targets <= {e.target for e in entries}
    cem = next(e for e in entries if e.target == "mimp_cem" and e.region == "")
    assert "excluye" in (cem.notes or "") and cem.phone is None
    assert directory.ensure_seeded() == 0                      # idempotent


def test_supervisors_edit_the_directory_and_operators_only_read_it(people, browser, unique):
    sup = browser(people["supervisor"])
    created = sup.post("/directory", {"target": "pnp", "region": "08", "name": f"Comisaría Wanchaq {unique}",
                                      "phone": "(084) 000-000", "email": "wanchaq@example.org", "active": "1"})
    assert created.status_code == 303
    entry = next(e for e in directory.entries() if e.name == f"Comisaría Wanchaq {unique}")
    assert (entry.region, entry.phone, entry.email) == ("08", "(084) 000-000", "wanchaq@example.org")
    bad = sup.post("/directory", {"target": "pnp", "region": "08", "name": "X", "email": "no-es-correo"})
    assert bad.status_code == 422
    dup = sup.post("/directory", {"target": "pnp", "region": "08", "name": f"Comisaría Wanchaq {unique}"})
    assert dup.status_code == 422 and "Ya hay una entrada" in dup.text
    sup.post("/directory", {"entry_id": entry.id, "target": "pnp", "region": "08", "name": entry.name,
                            "phone": "084-111111", "active": "0"})
    updated = directory.get(entry.id)
    assert updated.phone == "084-111111" and updated.active is False
    op = browser(people["operator"])
    page = op.get("/directory").text
    assert entry.name in page and "Editar" not in page
    assert op.post("/directory", {"target": "pnp", "name": "Intruso"}).status_code == 403
    with session_scope() as db:
        assert db.execute(select(AuditLog).where(AuditLog.action == "directory.changed",
                                                 AuditLog.object_id == str(entry.id))).first()
        assert not db.execute(select(Institution).where(Institution.name == "Intruso")).first()


def test_inactive_directory_entries_are_not_offered_for_derivation(people, browser, make_case, unique):
    p1, _ = make_case("p1")
    sup = browser(people["supervisor"])
    sup.post("/directory", {"target": "pnp", "region": "17", "name": f"Comisaría cerrada {unique}", "active": "0"})
    html = sup.get(f"/cases/{p1.case_id}").text
    assert f"Comisaría cerrada {unique}" not in html


def test_the_helpline_numbers_are_shown_read_only(people, browser):
    html = browser(people["supervisor"]).get("/admin/settings").text
    assert "Solo lectura" in html and "105" in html and "Línea 1818, opción 1" in html
    assert "<form" not in html.split("<main")[1].split("</main>")[0]
    assert "hours: verify" in html                             # unverified facts are flagged
