"""Fixtures for the console tests: users of every role, logged-in clients, API clients,
cases, and an in-memory stand-in for Rasa's tracker API (the real one is exercised by
the stack and browser tests)."""
from __future__ import annotations

import re
import secrets
import time
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient

from bot.console import transcripts

PASSWORD = "correcto-caballo-7"
ROLES = ("operator", "operator2", "supervisor", "admin", "teacher")


@dataclass(frozen=True)
class Person:
    id: int
    username: str
    role: str
    display_name: str


@pytest.fixture(scope="session")
def app(database_url):
    from bot.console import directory
    from bot.console.app import create_app

    directory.ensure_seeded()   # what the app's startup event does; TestClient without `with` skips it
    return create_app()


@pytest.fixture()
def people(database_url, unique) -> dict[str, Person]:
    """One user per role (two operators), with unique names."""
    from bot.console.users import create_user
    from bot.db.session import session_scope

    out = {}
    with session_scope() as db:
        for key in ROLES:
            role = "operator" if key == "operator2" else key
            user = create_user(db, f"{key}-{unique}", PASSWORD, role, display_name=f"{key.title()} {unique}")
            out[key] = Person(user.id, user.username, role, user.display_name)
    return out


class Browser:
    """A TestClient logged in as one person, with that session's CSRF token."""

    def __init__(self, app, person: Person | None):
        self.client = TestClient(app, base_url="https://testserver")
        self.person = person
        self.csrf = None
        if person is not None:
            from bot.console.auth import SESSION_COOKIE
            from bot.console.users import start_session
            from bot.db.models import User
            from bot.db.session import session_scope

            with session_scope() as db:
                token, row = start_session(db, db.get(User, person.id))
                self.csrf = row.csrf_token
            self.client.cookies.set(SESSION_COOKIE, token)

    def get(self, url, **kw):
        kw.setdefault("follow_redirects", False)
        return self.client.get(url, **kw)

    def post(self, url, data=None, *, csrf=True, **kw):
        kw.setdefault("follow_redirects", False)
        data = dict(data or {})
        if csrf:
            data.setdefault("csrf", self.csrf)
        return self.client.post(url, data=data, **kw)


@pytest.fixture()
def browser(app):
    made = []

    def _make(person: Person | None) -> Browser:
        b = Browser(app, person)
        made.append(b)
        return b

    yield _make
    for b in made:
        b.client.close()


@pytest.fixture()
def api(app):
    """A client calling /api/v1 with a fresh token of the given person."""
    from bot.console import tokens
    from bot.db.session import session_scope

    made = []

    def _make(person: Person) -> TestClient:
        with session_scope() as db:
            value, _ = tokens.create(db, person.id, label="test")
        client = TestClient(app, base_url="https://testserver", headers={"Authorization": f"Bearer {value}"})
        made.append(client)
        return client

    yield _make
    for c in made:
        c.close()


def csrf_of(html: str) -> str:
    return re.search(r'name="csrf-token" content="([^"]+)"', html).group(1)


# --- cases -----------------------------------------------------------------------------------

@pytest.fixture()
def make_case(database_url):
    """Submit a report through the case store; returns the SubmitResult plus its conversation id."""
    from bot.cases import store
    from tests.cases_store.helpers import minor_report, question_report

    def _make(kind: str = "p1", conversation_id: str | None = "auto", **overrides):
        report = minor_report(**overrides) if kind == "p1" else question_report(**overrides)
        if conversation_id == "auto":
            conversation_id = f"conv-{secrets.token_hex(6)}"
        result = store.submit_report(report, conversation_id=conversation_id, channel=report.channel,
                                     language=report.language, idempotency_key="test:" + secrets.token_hex(8))
        return result, conversation_id

    return _make


# --- a stand-in for Rasa's tracker API ----------------------------------------------------------

class FakeRasa:
    """Trackers in memory, with the same JSON shape as Rasa's GET/POST tracker endpoints."""

    def __init__(self):
        self.trackers: dict[str, list[dict]] = {}
        self.down = False
        self.appended: list[tuple[str, list[dict]]] = []

    def conversation(self, conversation_id: str, *messages: tuple[str, str]) -> None:
        events = self.trackers.setdefault(conversation_id, [
            {"event": "action", "name": "action_session_start", "timestamp": time.time()},
            {"event": "session_started", "timestamp": time.time()},
        ])
        for who, text in messages:
            if who == "user":
                events.append({"event": "user", "text": text, "timestamp": time.time(), "input_channel": "rest",
                               "metadata": {"channel": "web"}})
            else:
                events.append({"event": "bot", "text": text, "timestamp": time.time(), "metadata": {}})
        events.append({"event": "slot", "name": "language", "value": "es", "timestamp": time.time()})

    def fetch(self, conversation_id, settings=None):
        if self.down:
            raise transcripts.TranscriptUnavailable("ConnectError")
        events = list(self.trackers.get(conversation_id, []))
        return {"sender_id": conversation_id, "events": events, "paused": transcripts._paused_from_events(events)}

    def append(self, conversation_id, events, settings=None):
        if self.down:
            raise transcripts.TranscriptUnavailable("ConnectError")
        stamped = [{**e, "timestamp": time.time()} for e in events]
        self.trackers.setdefault(conversation_id, []).extend(stamped)
        self.appended.append((conversation_id, events))
        return self.fetch(conversation_id)


@pytest.fixture()
def rasa(monkeypatch) -> FakeRasa:
    fake = FakeRasa()
    monkeypatch.setattr(transcripts, "fetch", fake.fetch)
    monkeypatch.setattr(transcripts, "append", fake.append)
    return fake


@pytest.fixture(autouse=True)
def _no_real_rasa(monkeypatch, request):
    """Unit tests never reach a real Rasa: without the `rasa` fixture it is simply down."""
    if "rasa" in request.fixturenames:
        return

    def down(*args, **kwargs):
        raise transcripts.TranscriptUnavailable("ConnectError")

    monkeypatch.setattr(transcripts, "fetch", down)
    monkeypatch.setattr(transcripts, "append", down)
