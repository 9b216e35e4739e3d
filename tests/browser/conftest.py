"""Browser tests: Playwright driving Debian's chromium (never a downloaded browser).

``console_url`` serves the console from this process (uvicorn in a thread) on the test
database; the stack tests use the stack's own console instead. Screenshots of the main
screens are taken as the tests pass through them; they go to docs/screenshots/ only with
WILLAKUY_UPDATE_SCREENSHOTS=1 (so a test run leaves the working tree clean).
"""
from __future__ import annotations

import os
import secrets
import shutil
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run", "--disable-sync"]
PASSWORD = "correcto-caballo-7"
SCREENSHOTS = (
    Path(__file__).resolve().parents[2] / "docs" / "screenshots"
    if os.environ.get("WILLAKUY_UPDATE_SCREENSHOTS") == "1"
    else Path(os.environ.get("WILLAKUY_VAR_DIR", "/tmp")) / "screenshots"
)
LAPTOP = {"width": 1280, "height": 860}
TABLET = {"width": 820, "height": 1180}


@dataclass(frozen=True)
class Person:
    id: int
    username: str
    display_name: str
    role: str


# Module scope: Playwright's sync API keeps an event loop running in this thread while it
# is open, which would break every asyncio test that comes after it.
@pytest.fixture(scope="module")
def chromium():
    if not shutil.which(CHROMIUM) and not Path(CHROMIUM).exists():
        pytest.skip("Debian's chromium is not installed at /usr/bin/chromium (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def console_url(database_url):
    """The console served from this process on the test database."""
    import uvicorn

    from bot.config import reset_settings
    from bot.console import directory
    from bot.console.app import create_app
    from bot.runner import free_port

    if "RASA_PORT" not in os.environ:
        # Nothing listens there: these tests see "the assistant is unavailable", never
        # a developer's own Rasa on 5005.
        os.environ["RASA_PORT"] = str(free_port())
        reset_settings()
    directory.ensure_seeded()
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(), host="127.0.0.1", port=port, log_level="warning",
                                           ws="none", lifespan="off"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("the console did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(10)


@pytest.fixture()
def staff(database_url):
    """A fresh user per role (two operators), with real passwords for the login form."""
    from bot.console.users import create_user
    from bot.db.session import session_scope

    tag = secrets.token_hex(3)
    names = {"operator": "Ana Quispe", "operator2": "Beto Huamán", "supervisor": "Sara Mamani",
             "admin": "Administración", "teacher": "Rosa Docente"}
    out = {}
    with session_scope() as db:
        for key, name in names.items():
            role = "operator" if key == "operator2" else key
            user = create_user(db, f"{key}-{tag}", PASSWORD, role, display_name=name)
            out[key] = Person(user.id, user.username, user.display_name, role)
    return out


@pytest.fixture()
def open_page(chromium):
    """A new browser context (its own cookies) and page; closed after the test."""
    contexts = []

    def _open(viewport=LAPTOP):
        context = chromium.new_context(viewport=viewport, locale="es-PE", timezone_id="America/Lima")
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15_000)
        return page

    yield _open
    for context in contexts:
        context.close()


def login(page, base: str, person: Person, password: str = PASSWORD) -> None:
    page.goto(base + "/login")
    page.fill("#username", person.username)
    page.fill("#password", password)
    page.click("button[type=submit]")


def screenshot(page, name: str, full_page: bool = True) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=full_page)


def no_browser_storage(page) -> bool:
    return page.evaluate("() => window.localStorage.length === 0 && window.sessionStorage.length === 0")
