"""Core subcommands: run, train, db, user, chat, keys."""
from __future__ import annotations

import argparse
import getpass
import secrets
import sys

from bot.config import get_settings


def register(subparsers: argparse._SubParsersAction) -> None:
    run = subparsers.add_parser("run", help="set up what is missing and start assistant, actions and console")
    run.add_argument("--no-console", action="store_true", help="start only the Rasa and action servers")
    run.add_argument("--no-train", action="store_true", help="fail instead of training when the model is out of date")
    run.set_defaults(func=cmd_run)

    train = subparsers.add_parser("train", help="train the Rasa model if data or configuration changed")
    train.add_argument("--force", action="store_true", help="train even if a model for these inputs exists")
    train.set_defaults(func=cmd_train)

    db = subparsers.add_parser("db", help="database migrations")
    db_sub = db.add_subparsers(dest="db_command", metavar="ACTION", required=True)
    db_sub.add_parser("upgrade", help="apply all migrations").set_defaults(func=cmd_db_upgrade)
    db_sub.add_parser("current", help="show the applied migration").set_defaults(func=cmd_db_current)

    user = subparsers.add_parser("user", help="console users")
    user_sub = user.add_subparsers(dest="user_command", metavar="ACTION", required=True)
    add = user_sub.add_parser("add", help="create a console user (asks for the password)")
    add.add_argument("username")
    add.add_argument("--role", required=True, choices=("operator", "supervisor", "teacher", "admin"))
    add.add_argument("--name", help="name shown in the console")
    add.add_argument("--password-stdin", action="store_true", help="read the password from standard input (scripts)")
    add.set_defaults(func=cmd_user_add)

    chat = subparsers.add_parser("chat", help="talk to the running assistant in the terminal")
    chat.add_argument("--sender", help="conversation id (default: a new random one)")
    chat.set_defaults(func=cmd_chat)

    keys = subparsers.add_parser("keys", help="encryption keys")
    keys_sub = keys.add_subparsers(dest="keys_command", metavar="ACTION", required=True)
    keys_sub.add_parser("generate", help="print a new field-encryption key").set_defaults(func=cmd_keys_generate)


def cmd_db_upgrade(args: argparse.Namespace) -> int:
    from bot.db import migrate

    migrate.upgrade()
    print(f"Base de datos al día (migración {migrate.current_revision()}).")
    return 0


def cmd_db_current(args: argparse.Namespace) -> int:
    from bot.db import migrate

    current = migrate.current_revision()
    head = migrate.head_revision()
    print(f"aplicada: {current or 'ninguna'} · última: {head}")
    return 0 if current == head else 1


def cmd_train(args: argparse.Namespace) -> int:
    from bot import training

    training.train(force=args.force)
    return 0


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass("Contraseña: ")
    second = getpass.getpass("Repite la contraseña: ")
    if first != second:
        raise SystemExit("Las contraseñas no coinciden.")
    return first


def cmd_user_add(args: argparse.Namespace) -> int:
    from bot.console.passwords import WeakPassword
    from bot.console.users import UserError, create_user
    from bot.db.session import session_scope

    password = _read_password(args.password_stdin)
    try:
        with session_scope() as db:
            user = create_user(db, args.username, password, args.role, display_name=args.name)
            print(f"Usuario {user.username!r} creado con rol {user.role}.")
    except (UserError, WeakPassword) as exc:
        print(f"willakuy: {exc}", file=sys.stderr)
        return 2
    return 0


def ensure_first_admin() -> None:
    """On a fresh development install, create `admin` so the console can be opened at once."""
    from sqlalchemy import func, select

    from bot.console.users import create_user
    from bot.db.models import User
    from bot.db.session import session_scope

    settings = get_settings()
    if settings.is_production:
        return
    with session_scope() as db:
        if db.execute(select(func.count(User.id))).scalar_one():
            return
        password = secrets.token_urlsafe(12)
        create_user(db, "admin", password, "admin", display_name="Administración")
    note = settings.var_dir / "keys" / "admin-password.txt"
    note.parent.mkdir(parents=True, exist_ok=True)
    note.write_text(password + "\n")
    note.chmod(0o600)
    print(f"Primer uso: se creó el usuario 'admin' con la contraseña {password}\n"
          f"  (guardada también en {note}; crea usuarios propios con `willakuy user add`).")


def cmd_run(args: argparse.Namespace) -> int:
    from bot import runner, training
    from bot.db import migrate

    settings = get_settings()
    migrate.upgrade()
    ensure_first_admin()
    if args.no_train:
        model = training.current_model()
        if model is None:
            print("willakuy: el modelo no está al día; ejecuta `willakuy train`.", file=sys.stderr)
            return 2
    else:
        model = training.train()
    return runner.run(settings, model, console=not args.no_console)


def format_reply(reply: dict, options: list[str]) -> str:
    """A bot message as text; buttons become numbered options the person can type."""
    lines = [reply.get("text") or ""]
    for button in reply.get("buttons") or []:
        options.append(button.get("payload", ""))
        lines.append(f"  {len(options)}. {button.get('title', '')}")
    return "\n".join(line for line in lines if line)


def cmd_chat(args: argparse.Namespace) -> int:
    from bot import rasa_client

    settings = get_settings()
    sender = args.sender or "cli-" + secrets.token_hex(8)
    print("Conversación con Willakuy. Escribe /salir para terminar; responde con un número para elegir una opción.")
    options: list[str] = []
    while True:
        try:
            text = input("tú> ")
        except (EOFError, KeyboardInterrupt):
            print()
            return 0
        if text.strip().lower() in ("/salir", "/exit", "/quit"):
            return 0
        if text.strip().isdigit() and 0 < int(text.strip()) <= len(options):
            text = options[int(text.strip()) - 1]
        try:
            replies = rasa_client.send(sender, text, {"channel": "cli"}, settings)
        except rasa_client.RasaUnavailable:
            print(f"willakuy: el asistente no responde en {settings.rasa_url}. ¿Está corriendo `willakuy run`?",
                  file=sys.stderr)
            return 1
        options = []
        for reply in replies:
            print("willakuy> " + format_reply(reply, options).replace("\n", "\n          "))


def cmd_keys_generate(args: argparse.Namespace) -> int:
    from bot.privacy.crypto import generate_key

    print(generate_key())
    return 0
