"""The rate limit per client address on uploads and on new device ids: the rule, its numbers, the port
for the counters it keeps, and the in-memory counters the guest function uses.

Plain Python (no Django, no boto3): the same rule runs in the local server and in the guest Lambda.

Why: the per-phone limit is keyed on a device id the client chooses, so one client minting ids gets a
fresh allowance with each. The rule has to let the rush after "scan the QR now!" through untouched:
200 guests behind ONE venue Wi-Fi address, all arriving within a minute, three photos each.

Why token buckets (not a sliding window): a bucket holds a burst and refills slowly, which is exactly
the shape to tell apart. The venue's rush is one large burst, then a trickle of late arrivals; a
crasher's minting goes on. A window wide enough for the rush would let the same number through again
every window; a bucket that takes ten minutes to refill does not. Two numbers a bucket, one row (or
dict entry) an address, O(1) work a request, and the refusal knows exactly when to retry.
"""

import ipaddress
import math
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from uploads.ports import RateLimited

# A device id an address used is remembered this long; seen again later, it counts as new again.
REMEMBER_DEVICES_FOR = 24 * 60 * 60.0


@dataclass(frozen=True)
class Rule:
    """A token bucket: `burst` tokens when full, refilled at `per_second`; a counted request takes one."""

    burst: int
    per_second: float

    def level(self, tokens: float, elapsed: float) -> float:
        return min(float(self.burst), tokens + max(elapsed, 0.0) * self.per_second)

    def wait(self, level: float) -> float:
        """Seconds until a bucket at `level` holds a whole token (0 when it does)."""
        return max(1.0 - level, 0.0) / self.per_second


@dataclass(frozen=True)
class Limits:
    uploads: Rule
    new_devices: Rule

    def scaled(self, factor: int) -> "Limits":
        """A venue `factor` times larger (PHOTOSHARE_RATE_LIMIT_SCALE): bursts and refills alike."""
        return Limits(*(Rule(r.burst * factor, r.per_second * factor) for r in (self.uploads, self.new_devices)))


# The numbers, for the rush of 200 guests x 3 photos within a minute from one address:
# - new device ids: 300 at once (the whole rush arriving in the same second leaves 100 spare), then one
#   every 2 s (30 a minute: late arrivals, and a second rush ten minutes on finds the bucket full again).
#   A client minting ids is refused after 300, then gets 30 a minute, 1,800 an hour.
# - uploads (every attempt, resends included): 1,200 at once (twice the rush's 600 photos, so retries
#   after a lost answer or a busy server fit too), then 5 a second (300 a minute, 18,000 an hour).
#   What they cost the server is bounded by this; what they can store, by the new-device bucket times
#   the per-phone limit, and in the end by the event's caps.
LIMITS = Limits(uploads=Rule(burst=1200, per_second=5.0), new_devices=Rule(burst=300, per_second=0.5))


@dataclass(frozen=True)
class Buckets:
    """One address's two buckets as they were at `at` (seconds on the limiter's clock)."""

    uploads: float
    new_devices: float
    at: float


@dataclass(frozen=True)
class Verdict:
    """The buckets to keep after one request (None: refused, nothing taken), whether to remember its
    device as known to the address, and when refused, the whole seconds to wait."""

    buckets: Buckets | None
    remember: bool = False
    retry_after: int = 0


def decide(limits: Limits, buckets: Buckets | None, known: bool, now: float) -> Verdict:
    """One upload takes an upload token, and a new-device token if its device is new to the address;
    when either bucket is short it is refused and takes nothing."""
    if buckets is None:
        uploads, devices, at = float(limits.uploads.burst), float(limits.new_devices.burst), now
    else:
        # Workers' clocks may disagree by a little: time never runs backwards for a bucket.
        at = max(now, buckets.at)
        uploads = limits.uploads.level(buckets.uploads, now - buckets.at)
        devices = limits.new_devices.level(buckets.new_devices, now - buckets.at)
    wait = max(limits.uploads.wait(uploads), 0.0 if known else limits.new_devices.wait(devices))
    if wait > 0:
        return Verdict(None, retry_after=max(1, math.ceil(wait)))
    return Verdict(Buckets(uploads - 1, devices if known else devices - 1, at), remember=not known)


def client_key(address: str) -> str:
    """The address a bucket belongs to. An IPv6 client is its /64: one home or phone is given a
    whole /64 and may pick any address in it, so counting single addresses would count nothing."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address[:45]
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        # An IPv4 client of a server listening on IPv6 (::ffff:a.b.c.d): not one /64 for them all.
        return str(ip.ipv4_mapped)
    if ip.version == 6:
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


# Reads an address's buckets and whether the device is known to it; returns what to keep.
Decide = Callable[[Buckets | None, bool], Verdict]


class RateCounters(Protocol):
    def update(self, address: str, device: str, now: float, decide: Decide) -> Verdict:
        """Call `decide` with the address's buckets (None if it has none) and whether it sent `device`
        within REMEMBER_DEVICES_FOR, then keep the verdict's buckets (when not None) and remember the
        device (when told), with no other update of the same address in between."""


class RateLimiter:
    def __init__(self, counters: RateCounters, limits: Limits = LIMITS, clock: Callable[[], float] = time.time):
        self.counters = counters
        self.limits = limits
        # Wall-clock seconds: the buckets may be shared by processes (the SQL counters).
        self.clock = clock

    def admit(self, address: str, device: str) -> None:
        """Count one upload by `device` from `address`; raises RateLimited, counting nothing, when over."""
        now = self.clock()
        verdict = self.counters.update(
            client_key(address), device, now, lambda buckets, known: decide(self.limits, buckets, known, now)
        )
        if verdict.buckets is None:
            raise RateLimited(verdict.retry_after)


@dataclass
class _Address:
    buckets: Buckets | None = None
    # Device id -> when it was first seen, oldest first.
    devices: dict[str, float] = field(default_factory=dict)


class InMemoryCounters:
    """Counters in this process's memory. In the guest Lambda that is one warm container's own view:
    a flood that one container serves is stopped; requests spread over many containers each meet a
    fresh bucket (API Gateway's throttling and the event's caps bound those)."""

    def __init__(self, max_addresses: int = 10_000, max_devices: int = 1_000):
        # Bounded: the least recently seen address is forgotten first (its buckets start full again).
        self.max_addresses = max_addresses
        self.max_devices = max_devices
        self._addresses: OrderedDict[str, _Address] = OrderedDict()
        self._lock = threading.Lock()

    def update(self, address: str, device: str, now: float, decide: Decide) -> Verdict:
        with self._lock:
            entry = self._addresses.pop(address, None) or _Address()
            seen = entry.devices.get(device)
            verdict = decide(entry.buckets, seen is not None and now - seen < REMEMBER_DEVICES_FOR)
            if verdict.buckets is not None:
                entry.buckets = verdict.buckets
            if verdict.remember:
                entry.devices.pop(device, None)
                entry.devices[device] = now
                if len(entry.devices) > self.max_devices:
                    del entry.devices[next(iter(entry.devices))]
            self._addresses[address] = entry
            if len(self._addresses) > self.max_addresses:
                self._addresses.popitem(last=False)
            return verdict
