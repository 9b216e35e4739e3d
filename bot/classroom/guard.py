"""Slowing down people who guess class join codes, with bot.cases.guessing's rule.

Codes are short (2.7 million possible) because a class types them from a projector, so
one sender may get only a few wrong codes before waiting. Wrong codes are remembered per
pseudonymous sender and never written to the SQL database, so students leave no trace:
in Redis when REDIS_URL is set (shared by every action-server process, kept across
restarts, a hashed key that expires an hour after the last wrong code), else in this
process's memory (forgotten on restart, counted per process). See ``bot.limits``.
"""
from __future__ import annotations

import time

from bot.cases.guessing import GuessDecision, GuessPolicy, check_guess
from bot.limits import EventLog

# Looser than for case codes: a class mistypes codes, and a class code lives for hours.
POLICY = GuessPolicy(free_attempts=5, base_delay=10.0, max_delay=300.0, lock_after=20, window=3600.0)
MAX_SENDERS = 50_000

_failures = EventLog("join-code", POLICY.window, keep=POLICY.lock_after * 5, max_keys=MAX_SENDERS)


def check(sender: str, now: float | None = None) -> GuessDecision:
    now = time.time() if now is None else now
    return check_guess(_failures.times(sender), now, POLICY)


def record_failure(sender: str, now: float | None = None) -> None:
    _failures.add(sender, now)


def forget_all() -> None:
    """For tests."""
    _failures.forget_all()
