import re
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from bot.console.app import SESSION_COOKIE, create_app
from bot.console.passwords import WeakPassword, hash_password, verify_password
from bot.console.users import create_user
from bot.db.models import AuditLog, ConsoleSession, User
from bot.db.session import session_scope

PASSWORD = "correcto-caballo-7"


@pytest.fixture()
def client(database_url):
    with TestClient(create_app(), base_url="https://testserver") as c:
        yield c


@pytest.fixture()
def make_user(database_url, unique):
    def _make(role="operator", name=None):
        username = name or f"{role}-{unique}"
        with session_scope() as db:
            create_user(db, username, PASSWORD, role)
        return username

    return _make


def login(client, username, password=PASSWORD):
    page = client.get("/login")
    csrf = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
    return client.post("/login", data={"username": username, "password": password, "csrf": csrf},
                       follow_redirects=False)


def csrf_of(page_html):
    return re.search(r'name="csrf-token" content="([^"]+)"', page_html).group(1)


def test_password_hashing():
    stored = hash_password(PASSWORD)
    assert stored.startswith("scrypt$") and PASSWORD not in stored
    assert verify_password(PASSWORD, stored)
    assert not verify_password(PASSWORD + "x", stored)
    assert not verify_password(PASSWORD, "garbage")
    with pytest.raises(WeakPassword):
        hash_password("corta")


def test_login_sets_a_secure_http_only_strict_session_cookie(client, make_user):
    response = login(client, make_user())
    assert response.status_code == 303 and response.headers["location"] == "/"
    cookie = next(h for h in response.headers.get_list("set-cookie") if h.startswith(SESSION_COOKIE + "="))
    assert "HttpOnly" in cookie and "Secure" in cookie and "SameSite=strict" in cookie
    home = client.get("/")
    assert home.status_code == 200 and "Hola," in home.text


def test_pages_need_login(client):
    response = client.get("/", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/login"
    assert client.post("/chat/send", json={"message": "hola"}).status_code == 401


def test_login_form_without_its_csrf_token_is_refused(client, make_user):
    client.get("/login")
    response = client.post("/login", data={"username": make_user(), "password": PASSWORD, "csrf": "forged"})
    assert response.status_code == 400
    assert SESSION_COOKIE not in client.cookies


def test_unknown_user_and_wrong_password_get_the_same_answer(client, make_user):
    wrong = login(client, make_user(), "contraseña-mala-1")
    unknown = login(client, "nadie-existe", "contraseña-mala-1")
    assert wrong.status_code == unknown.status_code == 401
    assert "Usuario o contraseña incorrectos" in wrong.text and "Usuario o contraseña incorrectos" in unknown.text


def test_five_wrong_passwords_lock_the_account_even_for_the_right_password(client, make_user):
    username = make_user()
    for _ in range(4):
        assert login(client, username, "contraseña-mala-1").status_code == 401
    assert login(client, username, "contraseña-mala-1").status_code == 423
    locked = login(client, username, PASSWORD)
    assert locked.status_code == 423 and "bloqueada" in locked.text
    with session_scope() as db:
        user = db.execute(select(User).where(User.username == username)).scalar_one()
        actions = db.execute(select(AuditLog.action).where(AuditLog.actor_id == user.id)).scalars().all()
    assert "user.locked" in actions and "login.refused_locked" in actions


def test_idle_session_expires(client, make_user):
    login(client, make_user())
    with session_scope() as db:
        for row in db.execute(select(ConsoleSession)).scalars():
            row.last_seen_at = row.last_seen_at - timedelta(minutes=31)
    response = client.get("/", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/login"


def test_logout_needs_csrf_and_ends_the_session(client, make_user):
    login(client, make_user())
    token = csrf_of(client.get("/").text)
    assert client.post("/logout", data={"csrf": "forged"}).status_code == 400
    assert client.get("/", follow_redirects=False).status_code == 200
    assert client.post("/logout", data={"csrf": token}, follow_redirects=False).status_code == 303
    client.cookies.clear()
    assert client.get("/", follow_redirects=False).status_code == 303


def test_every_role_can_open_the_test_chat(client, make_user, unique):
    for role in ("operator", "supervisor", "teacher", "admin"):
        client.cookies.clear()
        login(client, make_user(role, f"{role}x-{unique}"))
        assert client.get("/chat").status_code == 200


def test_chat_send_checks_csrf_and_is_kind_when_the_assistant_is_down(client, make_user, monkeypatch):
    from bot import rasa_client

    async def down(*args, **kwargs):
        raise rasa_client.RasaUnavailable("ConnectError")

    monkeypatch.setattr(rasa_client, "send_async", down)
    login(client, make_user())
    token = csrf_of(client.get("/chat").text)
    assert client.post("/chat/send", json={"message": "hola"}).status_code == 400
    response = client.post("/chat/send", json={"message": "hola"}, headers={"X-CSRF-Token": token})
    assert response.status_code == 503
    assert "no está disponible" in response.json()["messages"][0]["text"]
    assert client.post("/chat/send", json={"message": 5}, headers={"X-CSRF-Token": token}).status_code == 422


@pytest.mark.parametrize("assistant_up", [True, False])
def test_health_reports_database_and_assistant(client, monkeypatch, assistant_up):
    from bot import rasa_client

    async def status(*args, **kwargs):
        return assistant_up

    monkeypatch.setattr(rasa_client, "status_async", status)
    response = client.get("/health")
    assert response.status_code == 200
    expected = "ok" if assistant_up else "unavailable"
    assert response.json()["checks"] == {"database": "ok", "assistant": expected}


def test_security_headers_and_no_caching(client):
    response = client.get("/login")
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["cache-control"] == "no-store"
