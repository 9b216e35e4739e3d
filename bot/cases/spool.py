"""Durable local spool for reports that could not reach the database.

One JSON file per submission under ``var/spool/reports/``, named by the hash of its
idempotency key, so the same submission spooled twice is one file. A file is written
atomically (temporary file, fsync, hard link to the final name, fsync of the
directory): after a crash there is either the whole file or none, and ``os.link``
never overwrites a file another process wrote first. Free text and the conversation
id are encrypted with the field keys (bot.privacy.crypto) before they touch the disk;
the rest is the structured, non-identifying report.

This module only handles files. ``bot.cases.store`` decides what goes in them and
writes them to the database (``drain_spool``).
"""
from __future__ import annotations

import contextlib
import fcntl
import json
import os
import secrets
from pathlib import Path
from typing import Any, Iterator

from bot.config import get_settings

SPOOL_VERSION = 1


class SpoolError(RuntimeError):
    """A spool file could not be written (disk full, permissions): the report is NOT safe."""


def spool_dir(directory: Path | None = None) -> Path:
    path = Path(directory) if directory else get_settings().var_dir / "spool" / "reports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def path_for(directory: Path, key_hash: str) -> Path:
    return directory / f"{key_hash}.json"


def read(path: Path) -> dict[str, Any]:
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    if not isinstance(data, dict) or data.get("spool_version") != SPOOL_VERSION:
        raise ValueError(f"{Path(path).name}: not a spool file of version {SPOOL_VERSION}")
    return data


def write(directory: Path, key_hash: str, payload: dict[str, Any]) -> tuple[dict[str, Any], bool]:
    """Write ``payload`` durably; return (what is on disk, whether this call wrote it).

    If a file for this key already exists (the person pressed twice during an outage),
    it is kept and returned, so both attempts give the person the same case code.
    """
    final = path_for(directory, key_hash)
    if final.exists():
        return read(final), False
    body = json.dumps({"spool_version": SPOOL_VERSION, **payload}, ensure_ascii=False, sort_keys=True)
    tmp = directory / f".{key_hash}.{secrets.token_hex(4)}.tmp"
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(body)
            fh.flush()
            os.fsync(fh.fileno())
        try:
            os.link(tmp, final)
            created = True
        except FileExistsError:
            created = False
        finally:
            tmp.unlink(missing_ok=True)
        _fsync_dir(directory)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise SpoolError(f"could not write the spool file ({type(exc).__name__})") from exc
    return (read(final) if not created else json.loads(body)), created


def pending(directory: Path) -> list[Path]:
    """Spooled files, oldest first (so the queue keeps arrival order)."""
    files = [p for p in directory.glob("*.json") if p.is_file()]
    return sorted(files, key=lambda p: (p.stat().st_mtime, p.name))


def remove(path: Path) -> None:
    Path(path).unlink(missing_ok=True)
    _fsync_dir(Path(path).parent)


def set_aside(path: Path) -> Path:
    """Move an unreadable file to ``failed/`` so it stops blocking the drain; a human looks at it."""
    failed = Path(path).parent / "failed"
    failed.mkdir(exist_ok=True)
    target = failed / Path(path).name
    os.replace(path, target)
    _fsync_dir(Path(path).parent)
    return target


@contextlib.contextmanager
def drain_lock(directory: Path) -> Iterator[bool]:
    """Yield True if this process may drain now (one drainer at a time per spool)."""
    fd = os.open(directory / ".drain.lock", os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)
