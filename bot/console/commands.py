"""`willakuy console ...`: API tokens and the derivation directory."""
from __future__ import annotations

import argparse
import sys


def register(subparsers: argparse._SubParsersAction) -> None:
    console = subparsers.add_parser("console", help="operator console: API tokens, derivation directory")
    sub = console.add_subparsers(dest="console_command", metavar="ACTION", required=True)

    token = sub.add_parser("token", help="API tokens for /api/v1")
    token_sub = token.add_subparsers(dest="token_command", metavar="ACTION", required=True)
    create = token_sub.add_parser("create", help="create a token for a user and print it once")
    create.add_argument("username")
    create.add_argument("--label", help="what the token is for (shown in the console)")
    create.set_defaults(func=cmd_token_create)
    listing = token_sub.add_parser("list", help="list a user's tokens (never the tokens themselves)")
    listing.add_argument("username")
    listing.set_defaults(func=cmd_token_list)
    revoke = token_sub.add_parser("revoke", help="revoke a token by its number")
    revoke.add_argument("token_id", type=int)
    revoke.set_defaults(func=cmd_token_revoke)

    seed = sub.add_parser("seed-directory", help="add the national entry of every derivation target that has none")
    seed.set_defaults(func=cmd_seed_directory)


def _user(db, username: str):
    from sqlalchemy import select

    from bot.console.users import UserError, normalise_username
    from bot.db.models import User

    try:
        name = normalise_username(username)
    except UserError:
        return None
    return db.execute(select(User).where(User.username == name)).scalar_one_or_none()


def cmd_token_create(args: argparse.Namespace) -> int:
    from bot.console import tokens
    from bot.db.session import session_scope

    with session_scope() as db:
        user = _user(db, args.username)
        if user is None or not user.active:
            print(f"willakuy: no hay un usuario activo {args.username!r}", file=sys.stderr)
            return 2
        value, view = tokens.create(db, user.id, label=args.label)
        role = user.role
    print(value)
    print(f"Token #{view.id} para {args.username} (rol {role}). Se muestra una sola vez: guárdalo ahora.",
          file=sys.stderr)
    return 0


def cmd_token_list(args: argparse.Namespace) -> int:
    from bot.console import tokens
    from bot.db.session import session_scope

    with session_scope() as db:
        user = _user(db, args.username)
        if user is None:
            print(f"willakuy: no existe el usuario {args.username!r}", file=sys.stderr)
            return 2
        rows = tokens.list_for(db, user.id)
    for t in rows:
        state = "revocado" if t.revoked_at else "activo"
        used = t.last_used_at.isoformat(timespec="minutes") if t.last_used_at else "nunca"
        print(f"#{t.id}\t{state}\t{t.label or ''}\tcreado {t.created_at.isoformat(timespec='minutes')}\tusado {used}")
    return 0


def cmd_token_revoke(args: argparse.Namespace) -> int:
    from bot.console import tokens
    from bot.db.session import session_scope

    with session_scope() as db:
        done = tokens.revoke(db, args.token_id)
    print("Token revocado." if done else "No había un token activo con ese número.")
    return 0 if done else 1


def cmd_seed_directory(args: argparse.Namespace) -> int:
    from bot.console import directory

    print(f"Entradas agregadas: {directory.ensure_seeded()}")
    return 0
