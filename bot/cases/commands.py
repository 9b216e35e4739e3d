"""`willakuy cases ...`: drain the outage spool, purge old closed cases."""
from __future__ import annotations

import argparse
from pathlib import Path


def register(subparsers: argparse._SubParsersAction) -> None:
    cases = subparsers.add_parser("cases", help="case store maintenance (spool, retention)")
    sub = cases.add_subparsers(dest="cases_command", metavar="ACTION", required=True)

    drain = sub.add_parser("drain-spool", help="write reports saved during a database outage")
    drain.add_argument("--spool-dir", type=Path, help="spool folder (default: var/spool/reports)")
    drain.set_defaults(func=cmd_drain_spool)

    purge = sub.add_parser("purge", help="erase free text and contact data of cases closed long ago")
    purge.add_argument("--older-than-days", type=int,
                       help="closed more than this many days ago (default: WILLAKUY_CASE_RETENTION_DAYS or 365)")
    purge.add_argument("--dry-run", action="store_true", help="only count the cases")
    purge.set_defaults(func=cmd_purge)


def cmd_drain_spool(args: argparse.Namespace) -> int:
    from bot.cases.store import drain_spool

    result = drain_spool(spool_directory=args.spool_dir)
    if result.busy:
        print(f"Otro proceso está vaciando la cola local; quedan {result.remaining} reportes.")
        return 0
    print(f"Reportes escritos: {result.written} · ya estaban: {result.duplicates} · "
          f"ilegibles (en failed/): {result.failed} · con error: {result.errors} · pendientes: {result.remaining}")
    return 1 if result.remaining or result.failed or result.errors else 0


def cmd_purge(args: argparse.Namespace) -> int:
    from bot.cases.retention import purge_closed

    result = purge_closed(args.older_than_days, dry_run=args.dry_run)
    verb = "se purgarían" if result.dry_run else "purgados"
    print(f"Casos cerrados hace más de {result.older_than_days} días {verb}: {result.cases}"
          + ("" if result.dry_run else f" · direcciones de contacto borradas: {result.contacts}"))
    return 0
