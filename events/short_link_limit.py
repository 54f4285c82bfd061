"""The lookup limit of the card's short address (`/g/<code>`): the uploads' token bucket and SQL counters
(uploads/ratelimit.py, uploads/stores/sql_rates.py), kept under addresses of its own.

The numbers: 20 lookups at once, then one every 6 s (10 a minute, 14,400 a day) per client address, or
per IPv6 /64. A guest types the address once; the README ("Table card") works out what a guesser gets.
"""

import time
from collections.abc import Callable

from django.conf import settings

from uploads.ratelimit import Decide, Limits, RateCounters, RateLimiter, Rule, Verdict
from uploads.stores.sql_rates import SqlRateCounters

# Only the first bucket counts: every lookup is the same "device", so the second is spent once a day.
LOOKUPS = Limits(uploads=Rule(burst=20, per_second=1 / 6), new_devices=Rule(burst=1, per_second=1.0))
DEVICE = "short-link"


class _OwnAddresses:
    """The counters of `g:<address>`: a lookup never spends an upload's token, nor the reverse."""

    def __init__(self, counters: RateCounters):
        self.counters = counters

    def update(self, address: str, device: str, now: float, decide: Decide) -> Verdict:
        # 45 characters: the counters' column (an IPv6 /64 takes 24 at most).
        return self.counters.update(f"g:{address}"[:45], device, now, decide)


def short_link_limiter(clock: Callable[[], float] = time.time) -> RateLimiter:
    limits = LOOKUPS.scaled(settings.GUEST.rate_limit_scale)
    return RateLimiter(_OwnAddresses(SqlRateCounters()), limits, clock=clock)
