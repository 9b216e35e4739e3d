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
