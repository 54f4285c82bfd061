"""The RateCounters contract: every adapter's test module subclasses this and provides `counters`.

Each test drives the whole rule (uploads.ratelimit.RateLimiter) through the counters on a clock the
test moves, with small numbers: whichever store keeps them, the limiter must answer the same.
"""

import pytest

from uploads.ports import RateLimited
from uploads.ratelimit import REMEMBER_DEVICES_FOR, Limits, RateLimiter, Rule

VENUE = "203.0.113.9"
ELSEWHERE = "198.51.100.7"
# 6 uploads at once then one a second; 3 new device ids at once then one every 2 s.
SMALL = Limits(uploads=Rule(burst=6, per_second=1.0), new_devices=Rule(burst=3, per_second=0.5))
T0 = 1_800_000_000.0


def phone(n: int) -> str:
    return f"6f1c1e0a-1b8e-4d84-9d8a-{n:012x}"


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> float:
        return self.now


class RateCountersContract:
    @pytest.fixture
    def clock(self) -> Clock:
        return Clock()

    @pytest.fixture
    def limiter(self, counters, clock) -> RateLimiter:
        return RateLimiter(counters, SMALL, clock=clock)

    def test_new_device_ids_past_the_burst_are_refused_with_the_wait_for_the_next(self, limiter, clock):
        for n in range(3):
            limiter.admit(VENUE, phone(n))
        with pytest.raises(RateLimited) as refused:
            limiter.admit(VENUE, phone(3))
        assert refused.value.retry_after == 2
        clock.now += 2
        limiter.admit(VENUE, phone(3))

    def test_a_device_seen_before_spends_no_new_device_token(self, limiter):
        for n in range(3):
            limiter.admit(VENUE, phone(n))
        for n in range(3):
            limiter.admit(VENUE, phone(n))

    def test_a_refused_upload_takes_nothing(self, limiter):
        for n in range(3):
            limiter.admit(VENUE, phone(n))
        # GIVEN no new-device token left, WHEN ten new ids are refused
        for n in range(10, 20):
            with pytest.raises(RateLimited):
                limiter.admit(VENUE, phone(n))
        # THEN the upload bucket still holds the 3 tokens those would have taken
        for _ in range(3):
            limiter.admit(VENUE, phone(0))
        with pytest.raises(RateLimited) as refused:
            limiter.admit(VENUE, phone(0))
        assert refused.value.retry_after == 1

    def test_the_buckets_refill_with_time_up_to_their_burst(self, limiter, clock):
        for n in range(3):
            limiter.admit(VENUE, phone(n))
        clock.now += 3600
        for n in range(3, 6):
            limiter.admit(VENUE, phone(n))
        with pytest.raises(RateLimited):
            limiter.admit(VENUE, phone(6))

    def test_each_address_has_its_own_buckets(self, limiter):
        for n in range(3):
            limiter.admit(VENUE, phone(n))
        with pytest.raises(RateLimited):
            limiter.admit(VENUE, phone(3))
        limiter.admit(ELSEWHERE, phone(3))

    def test_a_device_unseen_for_a_day_is_new_again(self, limiter, clock):
        limiter.admit(VENUE, phone(0))
        clock.now += REMEMBER_DEVICES_FOR + 1
        for n in range(1, 3):
            limiter.admit(VENUE, phone(n))
        limiter.admit(VENUE, phone(0))
        with pytest.raises(RateLimited):
            limiter.admit(VENUE, phone(3))
