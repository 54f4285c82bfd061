"""The rate limit's rule and numbers (uploads/ratelimit.py) on a simulated clock: the venue rush
passes untouched, a client minting device ids is stopped. No sleeping, no timed assertion."""

import pytest

from bench.venue_rush import PATTERNS, minting, rush
from tests.uploads.contract_rates import SMALL, VENUE, RateCountersContract, phone
from uploads.ports import RateLimited
from uploads.ratelimit import LIMITS, InMemoryCounters, RateLimiter, client_key

# Pure Python: the same whatever DATABASE_URL says (the PostgreSQL pass leaves it out).
pytestmark = pytest.mark.one_database


class TestInMemoryCounters(RateCountersContract):
    @pytest.fixture
    def counters(self):
        return InMemoryCounters()

    def test_past_its_bound_it_forgets_the_least_recent_address(self, clock):
        limiter = RateLimiter(InMemoryCounters(max_addresses=2), SMALL, clock=clock)
        for n in range(3):
            limiter.admit(VENUE, phone(n))
        with pytest.raises(RateLimited):
            limiter.admit(VENUE, phone(3))
        # Two other addresses later, the venue's spent bucket is forgotten: it starts full again.
        limiter.admit("203.0.113.1", phone(0))
        limiter.admit("203.0.113.2", phone(0))
        for n in range(3, 6):
            limiter.admit(VENUE, phone(n))


@pytest.mark.parametrize("seed", range(10))
@pytest.mark.parametrize("pattern", PATTERNS)
def test_200_guests_behind_one_address_within_a_minute_are_never_refused(pattern, seed):
    outcome = rush(PATTERNS[pattern](200, seed))
    headroom = (outcome.lowest.uploads / LIMITS.uploads.burst, outcome.lowest.new_devices / LIMITS.new_devices.burst)
    print(f"{pattern}, seed {seed}: lowest upload tokens {headroom[0]:.0%}, new-device tokens {headroom[1]:.0%}")
    assert (outcome.uploads, outcome.refused) == (600, 0)
    # Even with all 200 phones in the same second, a third of each bucket is left.
    assert min(headroom) >= 1 / 3


def test_one_client_minting_hundreds_of_device_ids_in_seconds_is_stopped_after_the_burst():
    flood = rush(minting(per_second=100, seconds=10))
    admitted = flood.uploads - flood.refused
    # The burst, plus what refills in 10 s (one id every 2 s), and nothing more.
    assert LIMITS.new_devices.burst <= admitted <= LIMITS.new_devices.burst + 5
    assert flood.refused == 1000 - admitted


def test_a_minting_client_is_told_to_wait_two_seconds():
    clock = [0.0]
    limiter = RateLimiter(InMemoryCounters(), clock=lambda: clock[0])
    for n in range(LIMITS.new_devices.burst):
        limiter.admit(VENUE, phone(n))
    with pytest.raises(RateLimited) as refused:
        limiter.admit(VENUE, phone(999))
    assert refused.value.retry_after == 2


def test_an_ipv6_client_is_counted_by_its_64_and_an_ipv4_one_by_its_address():
    assert client_key("2001:db8:1:2:aaaa::1") == client_key("2001:db8:1:2:ffff::9") == "2001:db8:1:2::/64"
    assert client_key("2001:db8:1:3::1") != client_key("2001:db8:1:2::1")
    assert client_key("203.0.113.9") != client_key("203.0.113.10")
    assert client_key("::ffff:203.0.113.9") == "203.0.113.9"
    assert client_key("") == ""


def test_a_larger_venue_scales_bursts_and_refills_alike():
    assert LIMITS.scaled(3).new_devices.burst == 3 * LIMITS.new_devices.burst
    assert LIMITS.scaled(3).uploads.per_second == 3 * LIMITS.uploads.per_second
