"""The join-code guard shared through Redis: every action-server process, restarts, no trace."""
import logging

import pytest

from bot.classroom import guard
from bot.limits import EventLog


@pytest.fixture()
def sender(unique):
    return f"pseudonym-{unique}"


@pytest.fixture()
def redis_client(redis_url):
    import redis

    yield redis.Redis.from_url(redis_url)
    guard.forget_all()


def another_process() -> EventLog:
    return EventLog("join-code", guard.POLICY.window)


def test_wrong_codes_in_two_processes_count_together(redis_client, sender):
    free = guard.POLICY.free_attempts
    for i in range(free - 1):
        (another_process() if i % 2 else guard._failures).add(sender, now=1000.0 + i)
    assert guard.check(sender, now=1000.0 + free).allowed      # the free ones so far, from both processes
    another_process().add(sender, now=1000.0 + free)             # the last free one, elsewhere
    assert not guard.check(sender, now=1000.0 + free + 1).allowed


def test_a_restart_keeps_the_count_and_the_lock(redis_client, sender):
    for i in range(guard.POLICY.lock_after):
        guard.record_failure(sender, now=1000.0 + i)
    restarted = another_process()
    assert guard.check_guess(restarted.times(sender), 1100.0, guard.POLICY).locked
    assert guard.check(sender, now=1000.0 + guard.POLICY.lock_after + guard.POLICY.window).allowed


def test_the_key_hashes_the_sender_and_expires_with_the_window(redis_client, sender):
    guard.record_failure(sender)
    keys = [k.decode() for k in redis_client.scan_iter(match="willakuy:limit:*:join-code:*")]
    mine = [k for k in keys if k == guard._failures.redis_key(sender)]
    assert len(mine) == 1 and sender not in mine[0]
    assert 0 < redis_client.ttl(mine[0]) <= guard.POLICY.window
    assert all(sender.encode() not in member for member in redis_client.zrange(mine[0], 0, -1))


def test_forget_all_clears_only_this_deployments_keys(redis_client, sender):
    guard.record_failure(sender)
    foreign = "willakuy:limit:00000000:join-code:someone-elses"
    redis_client.set(foreign, "1", ex=60)
    guard.forget_all()
    assert redis_client.exists(guard._failures.redis_key(sender)) == 0
    assert redis_client.exists(foreign) == 1
    redis_client.delete(foreign)


def test_redis_down_falls_back_to_memory_and_logs_no_sender(redis_down, sender, caplog):
    log = EventLog("join-code", guard.POLICY.window)
    with caplog.at_level(logging.WARNING, logger="bot.limits"):
        for i in range(guard.POLICY.free_attempts + 1):
            log.add(sender, now=1000.0 + i)
        times = log.times(sender)
    assert len(times) == guard.POLICY.free_attempts + 1
    assert not guard.check_guess(times, 1000.0 + len(times), guard.POLICY).allowed   # still slowed
    assert len([r for r in caplog.records if r.levelno == logging.WARNING]) == 1
    assert sender not in caplog.text


def test_the_guard_writes_nothing_to_the_database(database_url, redis_url, sender):
    """docs/classroom.md: wrong join codes are never written to the SQL database."""
    from sqlalchemy import inspect, select, text

    from bot.db.session import get_engine

    guard.record_failure(sender)
    engine = get_engine(database_url)
    with engine.connect() as conn:
        for table in inspect(engine).get_table_names():
            for row in conn.execute(select(text("*")).select_from(text(f'"{table}"'))):
                assert sender not in " ".join(str(v) for v in row)
    guard.forget_all()
