"""Wrong-code limiter: free tries, doubling delay, lock-out, window."""
from __future__ import annotations

import pytest

from bot.cases.guessing import GuessPolicy, check_guess

POLICY = GuessPolicy(free_attempts=3, base_delay=30, max_delay=600, lock_after=6, window=3600)
NOW = 1_000_000.0


def test_no_failures_is_allowed():
    decision = check_guess([], NOW, POLICY)
    assert decision.allowed and decision.retry_after == 0 and not decision.locked


def test_free_attempts_have_no_delay():
    assert check_guess([NOW - 2, NOW - 1], NOW, POLICY).allowed


def test_first_failure_past_the_free_ones_waits_the_base_delay():
    decision = check_guess([NOW - 3, NOW - 2, NOW - 1], NOW, POLICY)
    assert not decision.allowed and decision.retry_after == 29 and not decision.locked


def test_delay_doubles_with_each_further_failure():
    fails = [NOW - 100, NOW - 90, NOW - 80, NOW - 70]
    assert check_guess(fails, NOW - 70, POLICY).retry_after == 60
    assert check_guess(fails + [NOW - 10], NOW - 10, POLICY).retry_after == 120


def test_waiting_out_the_delay_allows_again():
    fails = [NOW - 100, NOW - 90, NOW - 80]
    assert check_guess(fails, NOW - 51, POLICY).allowed is False
    assert check_guess(fails, NOW - 50, POLICY).allowed is True


def test_delay_is_capped():
    policy = GuessPolicy(free_attempts=1, base_delay=30, max_delay=100, lock_after=20, window=3600)
    fails = [NOW - i for i in range(10, 0, -1)]
    assert check_guess(fails, NOW - 1, policy).retry_after == 100


def test_too_many_failures_lock_the_sender_out():
    fails = [NOW - 600 + i for i in range(6)]
    decision = check_guess(fails, NOW, POLICY)
    assert decision.locked and not decision.allowed
    # Unlocks when the oldest of the last 6 failures leaves the one-hour window.
    assert decision.retry_after == 3000


def test_lock_ends_when_failures_leave_the_window():
    fails = [NOW - 600 + i for i in range(6)]
    later = fails[0] + 3600 + 1
    decision = check_guess(fails, later, POLICY)
    assert not decision.locked


def test_failures_outside_the_window_do_not_count():
    fails = [NOW - 5000, NOW - 4000, NOW - 3700, NOW - 3601]
    decision = check_guess(fails, NOW, POLICY)
    assert decision.allowed and decision.failures == 0


def test_timestamps_in_the_future_count_as_now():
    decision = check_guess([NOW + 50, NOW + 60, NOW + 70], NOW, POLICY)
    assert not decision.allowed and decision.retry_after == 30


def test_retry_after_is_never_zero_while_blocked():
    fails = [NOW - 40, NOW - 35, NOW - 29.5]   # half a second left
    decision = check_guess(fails, NOW, POLICY)
    assert not decision.allowed and decision.retry_after == 1


@pytest.mark.parametrize("kwargs", [
    {"free_attempts": 5, "lock_after": 5},
    {"base_delay": 0},
    {"base_delay": 60, "max_delay": 30},
    {"window": 0},
])
def test_inconsistent_policies_are_refused(kwargs):
    with pytest.raises(ValueError):
        GuessPolicy(**kwargs)


def test_default_policy_locks_after_ten_failures_in_a_day():
    fails = [NOW - 36000 + i * 3600 for i in range(10)]
    assert check_guess(fails, NOW, GuessPolicy()).locked
