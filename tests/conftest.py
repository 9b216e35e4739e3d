"""Shared fixtures.

The database backend comes from WILLAKUY_TEST_DB: "sqlite" (default) or "postgresql".
`make test` runs the suite on SQLite, then the database-touching tests again on
PostgreSQL with REDIS_URL set (shared limits, Rasa's lock store). Each run gets a fresh
database and its own var/ folder (keys, files). Tests that need Redis take the
``redis_url`` fixture: REDIS_URL, else WILLAKUY_TEST_REDIS_URL (default database 15 on
127.0.0.1:6379); they skip when it does not answer.
"""
from __future__ import annotations

import os
import secrets
import tempfile
import uuid
from pathlib import Path
from urllib.parse import urlsplit

import pytest

# Settings are read from the environment: fix it before anything imports bot.config.
_VAR = Path(tempfile.mkdtemp(prefix="willakuy-test-"))
os.environ.setdefault("WILLAKUY_ENV", "test")
os.environ["WILLAKUY_VAR_DIR"] = str(_VAR)
os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

BACKEND = os.environ.get("WILLAKUY_TEST_DB", "sqlite")
PG_ADMIN_URL = os.environ.get("WILLAKUY_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
REDIS_TEST_URL = os.environ.get("WILLAKUY_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
PROJECT = Path(__file__).resolve().parent.parent
SHARED = PROJECT.parent / "shared"


def _create_pg_database() -> tuple[str, str]:
    from sqlalchemy import create_engine, text

    name = f"willakuy_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT", future=True)
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    base = PG_ADMIN_URL.rsplit("/", 1)[0]
    return name, f"{base}/{name}"


def _drop_pg_database(name: str) -> None:
    from sqlalchemy import create_engine, text

    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT", future=True)
    with admin.connect() as conn:
        conn.execute(
            text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :n AND pid <> pg_backend_pid()"),
            {"n": name},
        )
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
    admin.dispose()


def _fresh_database(label: str) -> tuple[str, callable]:
    if BACKEND == "postgresql":
        name, url = _create_pg_database()
        return url, lambda: _drop_pg_database(name)
    path = _VAR / f"{label}-{uuid.uuid4().hex[:8]}.db"
    return f"sqlite:///{path}", lambda: path.unlink(missing_ok=True)


def _use_database(url: str) -> None:
    from bot.config import reset_settings
    from bot.db.session import dispose_engines

    os.environ["DATABASE_URL"] = url
    dispose_engines()
    reset_settings()


@pytest.fixture(scope="session")
def backend() -> str:
    return BACKEND


@pytest.fixture(scope="session")
def database_url() -> str:
    """One migrated database for the whole session (tests isolate by unique data)."""
    from bot.db import migrate

    url, cleanup = _fresh_database("session")
    _use_database(url)
    migrate.upgrade(url)
    yield url
    from bot.db.session import dispose_engines

    dispose_engines()
    cleanup()


@pytest.fixture()
def empty_database_url() -> str:
    """A brand-new, unmigrated database (migration tests)."""
    url, cleanup = _fresh_database("empty")
    yield url
    from bot.db.session import get_engine

    get_engine(url).dispose()
    cleanup()


@pytest.fixture()
def db(database_url):
    from bot.db.session import new_session

    session = new_session(database_url)
    yield session
    session.rollback()
    session.close()


@pytest.fixture()
def unique() -> str:
    return secrets.token_hex(4)


def _set_redis_url(url: str | None) -> None:
    from bot.config import reset_settings

    if url:
        os.environ["REDIS_URL"] = url
    else:
        os.environ.pop("REDIS_URL", None)
    reset_settings()


@pytest.fixture()
def redis_url() -> str:
    """REDIS_URL pointing at a Redis that answers, for this test; skip when there is none."""
    import redis

    before = os.environ.get("REDIS_URL")
    url = before or REDIS_TEST_URL
    try:
        redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1).ping()
    except redis.RedisError as exc:
        where = urlsplit(url)   # host and port only: the URL may hold a password
        pytest.skip(f"Redis does not answer at {where.hostname}:{where.port or 6379} ({type(exc).__name__}); "
                    "start it (README, 'Tests') or set WILLAKUY_TEST_REDIS_URL")
    _set_redis_url(url)
    yield url
    _set_redis_url(before)


@pytest.fixture()
def redis_down() -> str:
    """REDIS_URL pointing at a port where nothing listens (Redis configured but unreachable)."""
    before = os.environ.get("REDIS_URL")
    _set_redis_url("redis://127.0.0.1:1/0")
    yield "redis://127.0.0.1:1/0"
    _set_redis_url(before)


@pytest.fixture()
def no_redis() -> None:
    """No REDIS_URL for this test, whatever the pass sets (the embedded default)."""
    before = os.environ.get("REDIS_URL")
    _set_redis_url(None)
    yield
    _set_redis_url(before)


DB_FIXTURES = {"database_url", "empty_database_url", "stack"}


def pytest_collection_modifyitems(config, items):
    # Browser tests last (see tests/browser/conftest.py: Playwright holds an event loop).
    items.sort(key=lambda item: item.get_closest_marker("browser") is not None)
    # On the PostgreSQL pass only the tests that touch a database are worth repeating.
    if BACKEND != "postgresql":
        return
    skip = pytest.mark.skip(reason="backend-independent; already run on SQLite")
    for item in items:
        if not DB_FIXTURES & set(getattr(item, "fixturenames", ())) and not item.get_closest_marker("stack"):
            item.add_marker(skip)


class Stack:
    """The running Rasa server, action server and console, with their logs captured."""

    def __init__(self, settings, services, log_dir: Path):
        self.settings = settings
        self.services = services
        self.log_dir = log_dir

    @property
    def rasa_url(self) -> str:
        return self.settings.rasa_url

    @property
    def console_url(self) -> str:
        return self.settings.console_url

    def send(self, sender: str, text: str, metadata: dict | None = None) -> list[dict]:
        from bot import rasa_client

        return rasa_client.send(sender, text, metadata, self.settings)

    def texts(self, sender: str, text: str, metadata: dict | None = None) -> list[str]:
        return [m.get("text", "") for m in self.send(sender, text, metadata)]

    def tracker(self, sender: str) -> dict:
        import httpx

        response = httpx.get(
            f"{self.rasa_url}/conversations/{sender}/tracker", params={"token": self.settings.rasa_token}, timeout=30
        )
        response.raise_for_status()
        return response.json()

    def logs(self) -> str:
        return "\n".join(p.read_text(errors="replace") for p in sorted(self.log_dir.glob("*.log")))


@pytest.fixture(scope="session")
def providers():
    """Local fake Telegram Bot API and Twilio API; the stack's channels talk to them."""
    from integrations.fakes import FakeTelegram, FakeTwilio
    from tests.integrations import payloads

    telegram = FakeTelegram(token="7000002:AAstack-token")
    twilio = FakeTwilio(account_sid=payloads.ACCOUNT_SID, auth_token="e" * 32)
    for fake in (telegram, twilio):
        fake.start()
    os.environ.update({
        "TELEGRAM_BOT_TOKEN": telegram.token, "TELEGRAM_WEBHOOK_SECRET": "stack-secret-" + secrets.token_hex(8),
        "TELEGRAM_API_BASE_URL": telegram.base_url,
        "TWILIO_ACCOUNT_SID": twilio.account_sid, "TWILIO_AUTH_TOKEN": twilio.auth_token,
        "TWILIO_API_BASE_URL": twilio.base_url, "TWILIO_SMS_FROM": payloads.SMS_FROM,
        "TWILIO_WHATSAPP_FROM": payloads.WHATSAPP_FROM,
    })
    yield telegram, twilio
    for fake in (telegram, twilio):
        fake.stop()


@pytest.fixture(scope="session")
def stack(database_url, providers, tmp_path_factory):
    """Start the whole assistant once per test session (the model is trained once per fingerprint)."""
    from bot import runner, training
    from bot.config import get_settings, reset_settings
    from bot.runner import free_port

    model = training.current_model() or training.train(quiet=True)
    for name in ("RASA_PORT", "ACTION_PORT", "CONSOLE_PORT"):
        os.environ[name] = str(free_port())
    os.environ.pop("RASA_URL", None)
    reset_settings()
    settings = get_settings()
    log_dir = tmp_path_factory.mktemp("stack-logs")
    services = runner.start_background(settings, model, log_dir, console=True, timeout=300)
    yield Stack(settings, services, log_dir)
    runner.stop(services)
