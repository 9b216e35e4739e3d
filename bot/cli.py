"""The `willakuy` command.

Each feature package contributes its subcommands through a ``register(subparsers)``
function in its own ``commands.py``; this module only assembles them, so adding a
command never means editing a long central file.
"""
from __future__ import annotations

import argparse
import importlib
import sys
from typing import Sequence

# Modules that provide register(subparsers). Missing ones are skipped so that a
# partial checkout (or a package under construction) still gives a working CLI.
COMMAND_MODULES = (
    "bot.commands",
    "bot.language.commands",
    "bot.screening.commands",
    "bot.cases.commands",
    "bot.console.commands",
    "bot.classroom.commands",
    "integrations.commands",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="willakuy",
        description="Willakuy: assistant and hotline triage against trafficking in persons (Peru).",
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name == name or name.startswith(str(exc.name) + "."):
                continue
            raise
        module.register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        result = args.func(args)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # `willakuy lang - | head` closes the pipe early; that is not an error.
        return 0
    except Exception as exc:  # noqa: BLE001 - one clear line instead of a traceback
        from bot.config import ConfigError

        if isinstance(exc, ConfigError):
            print(f"willakuy: {exc}", file=sys.stderr)
            return 2
        raise
    return int(result or 0)


if __name__ == "__main__":
    sys.exit(main())
