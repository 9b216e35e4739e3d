"""A token bucket per client address, for the console's public endpoint (the students' chat).

A whole class usually reaches the console from one school address, so the limit is
generous: it stops a flood or a script, not thirty students answering at once. Behind a
reverse proxy on the same machine, uvicorn puts the real client address in
``request.client`` (its --forwarded-allow-ips default); anything else shares one bucket.
A named limiter keeps its buckets in Redis when REDIS_URL is set (shared by every console
process, hashed addresses, short TTL), else in this process's memory: ``bot.limits``.
If Redis fails, the chat is served and counted in memory until Redis answers again.
"""
from __future__ import annotations

from bot.limits import TokenBucket

RateLimiter = TokenBucket


def client_address(request) -> str:
    return request.client.host if request.client else "unknown"
