"""Abuse limits whose counts live in Redis when REDIS_URL is set, else in this process.

Two shapes: ``TokenBucket`` (requests per key per minute, with bursts) and ``EventLog``
(times of recent events per key, e.g. wrong join codes, judged by the caller). With
Redis every console and action-server process shares one count that survives restarts;
without it (the embedded default) each process counts on its own, as before.

In Redis a key is ``willakuy:limit:<deployment>:<name>:<HMAC of the client key>``
(bot.privacy.pseudonym with the deployment's key), never a raw address or sender id,
and every key has a TTL: nothing outlives the limit's own window. Nothing here touches
the SQL database.

If Redis is configured but fails, the limit counts in this process's memory instead
(so a flood is still slowed, per process), retries Redis after a few seconds, and logs
one WARNING a minute per limit with no client key in it.
"""
from __future__ import annotations

import functools
import logging
import math
import secrets
import threading
import time
from collections import OrderedDict

from bot.config import get_settings
from bot.privacy.pseudonym import pseudonym

logger = logging.getLogger(__name__)

PREFIX = "willakuy:limit"
RETRY_AFTER_FAILURE = 5.0   # seconds without trying Redis after an error
WARN_EVERY = 60.0           # seconds between warnings about the same limit

# KEYS[1] bucket; ARGV: tokens per second, burst, now ('' = Redis's clock), TTL seconds.
# Numbers go back as strings: Redis would truncate Lua numbers to integers.
_BUCKET_LUA = """
local rate, burst = tonumber(ARGV[1]), tonumber(ARGV[2])
local now = tonumber(ARGV[3])
if not now then
  local t = redis.call('TIME')
  now = tonumber(t[1]) + tonumber(t[2]) / 1000000
end
local state = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(state[1]) or burst
local at = tonumber(state[2]) or now
tokens = math.min(burst, tokens + math.max(0, now - at) * rate)
local allowed = 0
if tokens >= 1 then
  tokens = tokens - 1
  allowed = 1
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(now))
redis.call('EXPIRE', KEYS[1], ARGV[4])
local wait = 0
if allowed == 0 then wait = (1 - tokens) / rate end
return {allowed, tostring(wait)}
"""

# KEYS[1] sorted set of event times; ARGV: now, window, a unique member, how many to keep.
_EVENT_LUA = """
local now, window = tonumber(ARGV[1]), tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
redis.call('ZADD', KEYS[1], ARGV[1], ARGV[3])
redis.call('ZREMRANGEBYRANK', KEYS[1], 0, -(tonumber(ARGV[4]) + 1))
redis.call('EXPIRE', KEYS[1], math.ceil(window))
return 1
"""


@functools.lru_cache(maxsize=4)
def _client(url: str):
    import redis  # installed with Rasa; imported only when REDIS_URL is set

    # Short timeouts: the students' chat waits on this, and a hung Redis must not hang it.
    return redis.Redis.from_url(url, socket_timeout=0.25, socket_connect_timeout=0.25)


class _Shared:
    """What both shapes share: the key, the Redis client, the fallback to memory."""

    def __init__(self, name: str | None) -> None:
        self.name = name
        self._down_until = 0.0
        self._warned_at = -math.inf
        self._lock = threading.Lock()

    def key_prefix(self) -> str:
        tag = pseudonym("limit", "deployment")[:8]  # keeps deployments (and test runs) apart
        return f"{PREFIX}:{tag}:{self.name}"

    def redis_key(self, key: str) -> str:
        return f"{self.key_prefix()}:{pseudonym(f'limit:{self.name}', key)}"

    def _redis_url(self) -> str | None:
        """None when this limit stays in memory: no REDIS_URL, no name, or backing off after an error."""
        url = get_settings().redis_url
        if not url or not self.name or time.monotonic() < self._down_until:
            return None
        return url

    def _failed(self, exc: Exception) -> None:
        now = time.monotonic()
        self._down_until = now + RETRY_AFTER_FAILURE
        if now - self._warned_at >= WARN_EVERY:
            self._warned_at = now
            # The exception's type only: its text could quote a command and with it a key.
            logger.warning("Redis unavailable for the %s limit (%s); counting in this process's memory",
                           self.name, type(exc).__name__)

    def _try(self, use):
        """use(client)'s result, or None when Redis is not to be used or failed."""
        url = self._redis_url()
        if url is None:
            return None
        import redis

        try:
            return use(_client(url))
        except (redis.RedisError, ValueError) as exc:   # ValueError: a malformed REDIS_URL
            self._failed(exc)
            return None


class TokenBucket(_Shared):
    """A token bucket per key. ``name`` puts the buckets in Redis when REDIS_URL is set;
    without a name they stay in this process's memory."""

    def __init__(self, per_minute: float, burst: int, *, name: str | None = None, max_keys: int = 10_000) -> None:
        if per_minute <= 0 or burst < 1:
            raise ValueError("per_minute must be positive and burst at least 1")
        super().__init__(name)
        self.rate = per_minute / 60.0
        self.burst = float(burst)
        self.max_keys = max_keys
        self.ttl = math.ceil(self.burst / self.rate) + 1   # by then the bucket is full again
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()  # key -> (tokens, updated)
        self._script = None

    def allow(self, key: str, now: float | None = None) -> tuple[bool, float]:
        """(allowed, seconds to wait before the next request would be allowed)."""
        shared = self._try(lambda client: self._allow_redis(client, key, now))
        return shared if shared is not None else self._allow_memory(key, now)

    def _allow_redis(self, client, key: str, now: float | None) -> tuple[bool, float]:
        if self._script is None:
            self._script = client.register_script(_BUCKET_LUA)
        args = [repr(self.rate), repr(self.burst), "" if now is None else repr(now), self.ttl]
        allowed, wait = self._script(keys=[self.redis_key(key)], args=args, client=client)
        return bool(int(allowed)), float(wait)

    def _allow_memory(self, key: str, now: float | None) -> tuple[bool, float]:
        now = time.monotonic() if now is None else now
        with self._lock:
            tokens, updated = self._buckets.pop(key, (self.burst, now))
            tokens = min(self.burst, tokens + max(0.0, now - updated) * self.rate)
            allowed = tokens >= 1.0
            if allowed:
                tokens -= 1.0
            self._buckets[key] = (tokens, now)
            while len(self._buckets) > self.max_keys:
                self._buckets.popitem(last=False)
            return allowed, 0.0 if allowed else (1.0 - tokens) / self.rate


class EventLog(_Shared):
    """Times (epoch seconds) of recent events per key, forgotten after ``window`` seconds."""

    def __init__(self, name: str, window: float, *, keep: int = 100, max_keys: int = 50_000) -> None:
        super().__init__(name)
        self.window = window
        self.keep = keep            # newest events kept per key in Redis, a bound on memory
        self.max_keys = max_keys
        self._events: OrderedDict[str, list[float]] = OrderedDict()
        self._script = None

    def times(self, key: str) -> list[float]:
        shared = self._try(lambda client: [score for _, score in client.zrange(self.redis_key(key), 0, -1,
                                                                                 withscores=True)])
        if shared is not None:
            return shared
        with self._lock:
            return list(self._events.get(key, ()))

    def add(self, key: str, now: float | None = None) -> None:
        now = time.time() if now is None else now
        if self._try(lambda client: self._add_redis(client, key, now)):
            return
        with self._lock:
            times = [t for t in self._events.pop(key, []) if t > now - self.window]
            self._events[key] = times + [now]
            while len(self._events) > self.max_keys:
                self._events.popitem(last=False)

    def _add_redis(self, client, key: str, now: float) -> bool:
        if self._script is None:
            self._script = client.register_script(_EVENT_LUA)
        member = f"{now!r}:{secrets.token_hex(4)}"   # two events in the same instant both count
        self._script(keys=[self.redis_key(key)], args=[repr(now), repr(self.window), member, self.keep],
                     client=client)
        return True

    def forget_all(self) -> None:
        """Forget every key of this limit, in memory and in this deployment's Redis keys (tests)."""
        with self._lock:
            self._events.clear()

        def delete(client) -> bool:
            for found in client.scan_iter(match=self.key_prefix() + ":*", count=500):
                client.delete(found)
            return True

        self._try(delete)
