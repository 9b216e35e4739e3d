"""Slowing down people who guess class join codes, with bot.cases.guessing's rule.

Codes are short (2.7 million possible) because a class types them from a projector, so
one sender may get only a few wrong codes before waiting. Wrong codes are remembered in
this process's memory, per pseudonymous sender, and never written to the database:
students leave no trace, at the price of forgetting on restart and of counting per
action-server process.
"""
from __future__ import annotations

import threading
import time
from collections import OrderedDict

from bot.cases.guessing import GuessDecision, GuessPolicy, check_guess

# Looser than for case codes: a class mistypes codes, and a class code lives for hours.
POLICY = GuessPolicy(free_attempts=5, base_delay=10.0, max_delay=300.0, lock_after=20, window=3600.0)
MAX_SENDERS = 50_000

_failures: OrderedDict[str, list[float]] = OrderedDict()
_lock = threading.Lock()


def check(sender: str, now: float | None = None) -> GuessDecision:
    now = time.time() if now is None else now
    with _lock:
        return check_guess(_failures.get(sender, ()), now, POLICY)


def record_failure(sender: str, now: float | None = None) -> None:
    now = time.time() if now is None else now
    with _lock:
        times = [t for t in _failures.pop(sender, []) if t > now - POLICY.window]
        _failures[sender] = times + [now]
        while len(_failures) > MAX_SENDERS:
            _failures.popitem(last=False)


def forget_all() -> None:
    """For tests."""
    with _lock:
        _failures.clear()
