import subprocess
import sys

from sqlalchemy import select

from bot.cli import build_parser
from bot.commands import format_reply
from bot.db import migrate
from bot.db.models import User
from bot.db.session import session_scope


def run_cli(*args, stdin=""):
    return subprocess.run([sys.executable, "-m", "bot.cli", *args], input=stdin, capture_output=True, text=True,
                          timeout=120)


def test_help_lists_the_core_commands():
    help_text = build_parser().format_help()
    for command in ("run", "train", "db", "user", "chat"):
        assert command in help_text


def test_user_add_creates_a_user_with_a_hashed_password(database_url, unique):
    result = run_cli("user", "add", f"ana-{unique}", "--role", "supervisor", "--password-stdin",
                     stdin="una-clave-larga-9\n")
    assert result.returncode == 0, result.stderr
    with session_scope() as db:
        user = db.execute(select(User).where(User.username == f"ana-{unique}")).scalar_one()
    assert user.role == "supervisor" and "una-clave-larga-9" not in user.password_hash


def test_user_add_refuses_weak_passwords_and_unknown_roles(database_url, unique):
    weak = run_cli("user", "add", f"bob-{unique}", "--role", "operator", "--password-stdin", stdin="corta\n")
    assert weak.returncode == 2 and "al menos" in weak.stderr
    bad_role = run_cli("user", "add", f"bob-{unique}", "--role", "jefe", "--password-stdin", stdin="x" * 12)
    assert bad_role.returncode == 2 and "invalid choice" in bad_role.stderr


def test_duplicate_user_is_a_clear_error(database_url, unique):
    first = run_cli("user", "add", f"dup-{unique}", "--role", "teacher", "--password-stdin", stdin="clave-segura-123\n")
    again = run_cli("user", "add", f"dup-{unique}", "--role", "teacher", "--password-stdin", stdin="clave-segura-123\n")
    assert first.returncode == 0 and again.returncode == 2 and "ya existe" in again.stderr


def test_db_upgrade_and_current(database_url):
    assert run_cli("db", "upgrade").returncode == 0
    current = run_cli("db", "current")
    assert current.returncode == 0 and migrate.head_revision() in current.stdout


def test_chat_shows_buttons_as_numbered_options():
    options = []
    text = format_reply(
        {"text": "¿En qué idioma?", "buttons": [{"title": "Castellano", "payload": "/a"}, {"title": "Runasimi", "payload": "/b"}]},
        options,
    )
    assert text.splitlines() == ["¿En qué idioma?", "  1. Castellano", "  2. Runasimi"]
    assert options == ["/a", "/b"]


def test_chat_says_clearly_when_the_assistant_is_not_running(database_url):
    result = subprocess.run(
        [sys.executable, "-m", "bot.cli", "chat"], input="hola\n", capture_output=True, text=True, timeout=60,
        env={**__import__("os").environ, "RASA_URL": "http://127.0.0.1:9"},
    )
    assert result.returncode == 1 and "willakuy run" in result.stderr
