"""The students' public chat is limited per client address: floods stop, a class does not."""
import pytest
from fastapi.testclient import TestClient

from bot.console import classroom_routes
from bot.console.ratelimit import RateLimiter


def test_a_burst_passes_then_the_rate_refills():
    limit = RateLimiter(per_minute=60, burst=3)
    assert [limit.allow("school", now=0.0)[0] for _ in range(3)] == [True, True, True]
    allowed, wait = limit.allow("school", now=0.0)
    assert not allowed and wait == pytest.approx(1.0)
    assert limit.allow("school", now=1.0)[0]          # one token per second at 60/min
    assert not limit.allow("school", now=1.0)[0]
    assert limit.allow("another-school", now=1.0)[0]  # buckets are per address


def test_a_class_of_thirty_answering_at_once_is_not_limited():
    shipped = classroom_routes.STUDENT_CHAT_LIMIT
    limit = RateLimiter(per_minute=shipped.rate * 60, burst=int(shipped.burst))   # same settings, fresh buckets
    # Thirty students join within 6 seconds, then send four answers each over the next minute.
    joins = [limit.allow("school", now=i * 0.2)[0] for i in range(30)]
    answers = [limit.allow("school", now=6 + i * 0.5)[0] for i in range(30 * 4)]
    assert all(joins) and all(answers)


def test_bad_settings_are_refused():
    with pytest.raises(ValueError):
        RateLimiter(per_minute=0, burst=1)
    with pytest.raises(ValueError):
        RateLimiter(per_minute=10, burst=0)


def test_the_students_chat_answers_429_kindly_with_retry_after(app, monkeypatch):
    monkeypatch.setattr(classroom_routes, "STUDENT_CHAT_LIMIT", RateLimiter(per_minute=1, burst=2))
    client = TestClient(app, base_url="https://testserver")
    # Without a token the first two are refused by the CSRF check, the third by the limit.
    assert [client.post("/aula/send", json={"message": "a"}).status_code for _ in range(2)] == [400, 400]
    response = client.post("/aula/send", json={"message": "a"})
    assert response.status_code == 429
    assert int(response.headers["Retry-After"]) >= 1
    assert "Espera unos segundos" in response.json()["messages"][0]["text"]


# Shared through Redis (REDIS_URL): several console processes, restarts.

ADDRESS = "203.0.113.7"


@pytest.fixture()
def shared_name(redis_url, unique):
    """A limit name of its own; its Redis keys are deleted afterwards."""
    import redis

    name = f"test-{unique}"
    yield name
    client = redis.Redis.from_url(redis_url)
    for key in client.scan_iter(match=f"willakuy:limit:*:{name}:*"):
        client.delete(key)


def redis_keys(redis_url, name) -> list[str]:
    import redis

    client = redis.Redis.from_url(redis_url)
    return [k.decode() for k in client.scan_iter(match=f"willakuy:limit:*:{name}:*")]


def test_two_processes_share_one_budget_through_redis(shared_name):
    one = RateLimiter(per_minute=60, burst=3, name=shared_name)
    two = RateLimiter(per_minute=60, burst=3, name=shared_name)     # another console process
    assert [one.allow(ADDRESS, now=0.0)[0], two.allow(ADDRESS, now=0.0)[0], one.allow(ADDRESS, now=0.0)[0]] \
        == [True, True, True]
    allowed, wait = two.allow(ADDRESS, now=0.0)
    assert not allowed and wait == pytest.approx(1.0)
    assert one.allow(ADDRESS, now=1.0)[0] and not two.allow(ADDRESS, now=1.0)[0]
    assert two.allow("198.51.100.1", now=1.0)[0]                     # still per address


def test_a_restart_keeps_the_count(shared_name):
    before = RateLimiter(per_minute=60, burst=2, name=shared_name)
    assert [before.allow(ADDRESS)[0] for _ in range(2)] == [True, True]
    after = RateLimiter(per_minute=60, burst=2, name=shared_name)   # the restarted process
    assert not after.allow(ADDRESS)[0]


def test_a_class_of_thirty_is_not_limited_through_redis_either(shared_name):
    shipped = classroom_routes.STUDENT_CHAT_LIMIT
    one = RateLimiter(per_minute=shipped.rate * 60, burst=int(shipped.burst), name=shared_name)
    two = RateLimiter(per_minute=shipped.rate * 60, burst=int(shipped.burst), name=shared_name)
    joins = [(one if i % 2 else two).allow("school", now=i * 0.2)[0] for i in range(30)]
    answers = [(two if i % 2 else one).allow("school", now=6 + i * 0.5)[0] for i in range(30 * 4)]
    assert all(joins) and all(answers)


def test_redis_keys_hash_the_address_and_expire(redis_url, shared_name):
    import redis

    limit = RateLimiter(per_minute=60, burst=3, name=shared_name)
    limit.allow(ADDRESS)
    [key] = redis_keys(redis_url, shared_name)
    assert key.startswith("willakuy:limit:") and ADDRESS not in key
    client = redis.Redis.from_url(redis_url)
    assert ADDRESS.encode() not in b"".join(client.hgetall(key).values())
    assert 0 < client.ttl(key) <= limit.ttl == 4                     # full again after 3 s at 1/s


def test_a_redis_bucket_is_gone_once_it_would_be_full_again(redis_url, shared_name):
    import time

    limit = RateLimiter(per_minute=6000, burst=1, name=shared_name)   # full again after 0.01 s
    assert limit.allow(ADDRESS)[0]
    assert redis_keys(redis_url, shared_name)
    time.sleep(limit.ttl + 0.2)
    assert redis_keys(redis_url, shared_name) == []


def test_redis_down_counts_in_memory_and_warns_once_a_minute_without_the_address(redis_down, caplog):
    import logging

    limit = RateLimiter(per_minute=60, burst=3, name="aula-send")
    with caplog.at_level(logging.WARNING, logger="bot.limits"):
        results = [limit.allow(ADDRESS, now=0.0)[0] for _ in range(4)]
        limit._down_until = 0.0                                       # try Redis again: fails again
        results.append(limit.allow(ADDRESS, now=0.0)[0])
    assert results == [True, True, True, False, False]                # a flood is still slowed
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1 and "aula-send" in warnings[0].getMessage()
    assert ADDRESS not in caplog.text


def test_the_students_chat_is_served_when_redis_is_down(app, redis_down, monkeypatch, caplog):
    import logging

    monkeypatch.setattr(classroom_routes, "STUDENT_CHAT_LIMIT", RateLimiter(per_minute=300, burst=120,
                                                                            name="aula-send"))
    client = TestClient(app, base_url="https://testserver")
    with caplog.at_level(logging.WARNING):
        response = client.post("/aula/send", json={"message": "a"})
    assert response.status_code == 400 and response.json()["error"] == "csrf"   # past the limit, no 500
    assert "Redis unavailable" in caplog.text and "testclient" not in caplog.text


def test_without_redis_url_a_named_limit_stays_in_memory(no_redis):
    one = RateLimiter(per_minute=60, burst=1, name="aula-send")
    two = RateLimiter(per_minute=60, burst=1, name="aula-send")
    assert one.allow(ADDRESS, now=0.0)[0] and two.allow(ADDRESS, now=0.0)[0]    # each process its own


def test_a_malformed_redis_url_also_falls_back_to_memory(caplog):
    import logging
    import os

    from bot.config import reset_settings

    before = os.environ.get("REDIS_URL")
    os.environ["REDIS_URL"] = "127.0.0.1:6379"     # no scheme: redis-py refuses it
    reset_settings()
    try:
        limit = RateLimiter(per_minute=60, burst=1, name="aula-send")
        with caplog.at_level(logging.WARNING, logger="bot.limits"):
            assert [limit.allow(ADDRESS, now=0.0)[0] for _ in range(2)] == [True, False]
        assert "ValueError" in caplog.text
    finally:
        os.environ.pop("REDIS_URL")
        if before is not None:
            os.environ["REDIS_URL"] = before
        reset_settings()
