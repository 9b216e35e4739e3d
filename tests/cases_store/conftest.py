"""Fixtures for the case store: users, and a fresh migrated database when a test needs
to see every case (queue ordering, statistics)."""
from __future__ import annotations

import pytest

from tests.cases_store.helpers import Staff, make_users


@pytest.fixture()
def staff(database_url, unique) -> Staff:
    return make_users(database_url, unique)


@pytest.fixture()
def fresh_url(empty_database_url) -> str:
    """A new database with only this test's data."""
    from bot.db import migrate

    migrate.upgrade(empty_database_url)
    return empty_database_url
