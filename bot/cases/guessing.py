"""Slowing down people who guess case codes. Pure: the caller stores the timestamps.

A sender (keyed by a pseudonymous id, never a phone number) gets a few free wrong
codes, then a delay that doubles with each further wrong code, and is locked out when
too many wrong codes fall inside the window. With 3.4e10 codes a guesser gains
nothing from speed; the delay mostly protects against someone trying codes they
half-know (a victim's code seen on a phone).

Pass only *failed* look-ups. Whether a successful look-up clears the history is the
caller's choice; we suggest it does not, so a guesser cannot reset by looking up a
code of their own. The same function, with a looser policy, can guard all senders
together against distributed guessing.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Iterable


@dataclass(frozen=True)
class GuessPolicy:
    free_attempts: int = 3          # wrong codes allowed without delay
    base_delay: float = 30.0        # seconds after the first wrong code past the free ones
    max_delay: float = 3600.0       # the doubling stops here
    lock_after: int = 10            # wrong codes inside the window that lock the sender out
    window: float = 24 * 3600.0     # seconds a wrong code counts for

    def __post_init__(self) -> None:
        if not (0 <= self.free_attempts < self.lock_after):
            raise ValueError("need 0 <= free_attempts < lock_after")
        if self.base_delay <= 0 or self.max_delay < self.base_delay or self.window <= 0:
            raise ValueError("delays and window must be positive, with max_delay >= base_delay")


@dataclass(frozen=True)
class GuessDecision:
    allowed: bool
    retry_after: float              # seconds to wait; 0 when allowed
    locked: bool                    # true when the lock-out (not just a delay) applies
    failures: int                   # wrong codes counted in the window


def check_guess(failures: Iterable[float], now: float, policy: GuessPolicy = GuessPolicy()) -> GuessDecision:
    """May this sender try a code now, given the times (epoch seconds) of its wrong codes?

    Timestamps after ``now`` (clock skew between replicas) count as ``now``.
    """
    recent = sorted(min(t, now) for t in failures if t > now - policy.window)
    n = len(recent)
    if n >= policy.lock_after:
        # Locked until enough of the failures leave the window.
        unlock_at = recent[n - policy.lock_after] + policy.window
        return GuessDecision(False, _ceil(unlock_at - now), True, n)
    if n < policy.free_attempts or n == 0:
        return GuessDecision(True, 0.0, False, n)
    delay = min(policy.base_delay * 2 ** (n - policy.free_attempts), policy.max_delay)
    wait = recent[-1] + delay - now
    if wait <= 0:
        return GuessDecision(True, 0.0, False, n)
    return GuessDecision(False, _ceil(wait), False, n)


def _ceil(seconds: float) -> float:
    # Whole seconds, never 0 while still blocked, so "try again in N s" is honest.
    return float(max(1, math.ceil(seconds)))
