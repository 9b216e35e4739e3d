"""Engine and session handling (SQLAlchemy 1.4 in 2.0 style: future engines and sessions)."""
from __future__ import annotations

import contextlib
import threading
from typing import Iterator

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from bot.config import get_settings

_lock = threading.Lock()
_engines: dict[str, Engine] = {}
_makers: dict[str, sessionmaker] = {}


def _create(url: str) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, future=True, connect_args={"timeout": 15})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record):
            cursor = dbapi_connection.cursor()
            # WAL lets the Rasa server, the action server and the console share the file.
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA busy_timeout=15000")
            cursor.close()

        return engine
    return create_engine(url, future=True, pool_pre_ping=True, pool_size=5, max_overflow=10)


def get_engine(url: str | None = None) -> Engine:
    url = url or get_settings().database_url
    with _lock:
        if url not in _engines:
            _engines[url] = _create(url)
            _makers[url] = sessionmaker(bind=_engines[url], future=True, expire_on_commit=False)
        return _engines[url]


def new_session(url: str | None = None) -> Session:
    url = url or get_settings().database_url
    get_engine(url)
    return _makers[url]()


@contextlib.contextmanager
def session_scope(url: str | None = None) -> Iterator[Session]:
    """One transaction: commit on success, roll back on any error."""
    session = new_session(url)
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def dispose_engines() -> None:
    """Close pooled connections (tests switch databases between runs)."""
    with _lock:
        for engine in _engines.values():
            engine.dispose()
        _engines.clear()
        _makers.clear()
