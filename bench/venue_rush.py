"""The rush after "scan the QR now!" against the rate limit (uploads/ratelimit.py), on a simulated clock.

    .venv/bin/python -m bench.venue_rush [--guests 200] [--seeds 20]

200 guests behind ONE venue Wi-Fi address arrive within a minute and upload 3 photos each, seconds
apart. Prints, for each arrival pattern, the refusals (must be 0) and the headroom: the lowest each
bucket fell to, against its burst. No sleeping: the limiter's clock is the simulation's.
"""

import argparse
import random
import uuid
from dataclasses import dataclass

from uploads.ports import RateLimited
from uploads.ratelimit import LIMITS, Buckets, Decide, InMemoryCounters, Limits, RateLimiter, Verdict

VENUE = "203.0.113.9"
PHOTOS_EACH = 3


@dataclass(frozen=True)
class Upload:
    at: float
    device: str


def _guest(arrives: float, first_after: float, gaps: list[float]) -> list[Upload]:
    device = str(uuid.UUID(int=random.getrandbits(128), version=4))
    times = [arrives + first_after]
    for gap in gaps:
        times.append(times[-1] + gap)
    return [Upload(at, device) for at in times]


def spread_over_a_minute(guests: int, seed: int) -> list[Upload]:
    """Arrivals uniformly at random within 60 s; the first photo 3-20 s after the page opens (name,
    camera, review), the next ones 2-15 s apart."""
    random.seed(seed)
    rush = [
        u
        for _ in range(guests)
        for u in _guest(random.uniform(0, 60), random.uniform(3, 20), [random.uniform(2, 15) for _ in range(2)])
    ]
    return sorted(rush, key=lambda u: u.at)


def all_in_one_second(guests: int, seed: int) -> list[Upload]:
    """The worst case: every guest opens the page in the same second and sends a photo every second."""
    random.seed(seed)
    rush = [u for _ in range(guests) for u in _guest(random.uniform(0, 1), 0.0, [1.0, 1.0])]
    return sorted(rush, key=lambda u: u.at)


def four_bursts(guests: int, seed: int) -> list[Upload]:
    """Tables called up in four waves, 15 s apart, each wave's guests within 2 s, photos 1-3 s apart."""
    random.seed(seed)
    rush = [
        u
        for n in range(guests)
        for u in _guest(15.0 * (n % 4) + random.uniform(0, 2), 1.0, [random.uniform(1, 3) for _ in range(2)])
    ]
    return sorted(rush, key=lambda u: u.at)


PATTERNS = {
    "spread over a minute": spread_over_a_minute,
    "all in one second": all_in_one_second,
    "four bursts": four_bursts,
}


def minting(per_second: int, seconds: int) -> list[Upload]:
    """One client sending each photo under a new device id, `per_second` of them, for `seconds`."""
    return [Upload(n / per_second, str(uuid.UUID(int=n, version=4))) for n in range(per_second * seconds)]


class LowestLevels(InMemoryCounters):
    """Counters that also note the lowest level each bucket fell to."""

    def __init__(self) -> None:
        super().__init__()
        self.lowest: Buckets | None = None

    def update(self, address: str, device: str, now: float, decide: Decide) -> Verdict:
        verdict = super().update(address, device, now, decide)
        kept, low = verdict.buckets, self.lowest
        if kept is not None:
            self.lowest = kept if low is None else _lower(low, kept)
        return verdict


def _lower(a: Buckets, b: Buckets) -> Buckets:
    return Buckets(min(a.uploads, b.uploads), min(a.new_devices, b.new_devices), max(a.at, b.at))


@dataclass(frozen=True)
class Outcome:
    uploads: int
    refused: int
    lowest: Buckets


def rush(uploads: list[Upload], limits: Limits = LIMITS) -> Outcome:
    clock = [0.0]
    counters = LowestLevels()
    limiter = RateLimiter(counters, limits, clock=lambda: clock[0])
    refused = 0
    for upload in uploads:
        clock[0] = upload.at
        try:
            limiter.admit(VENUE, upload.device)
        except RateLimited:
            refused += 1
    assert counters.lowest is not None
    return Outcome(len(uploads), refused, counters.lowest)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--guests", type=int, default=200)
    parser.add_argument("--seeds", type=int, default=20)
    args = parser.parse_args(argv)
    uploads_burst, devices_burst = LIMITS.uploads.burst, LIMITS.new_devices.burst
    print(f"{args.guests} guests x {PHOTOS_EACH} photos from one address, {args.seeds} seeds each")
    print(
        f"{'pattern':<22} {'uploads':>7} {'refused':>7}  {'lowest upload tokens':>20}  {'lowest new-device tokens':>24}"
    )
    for name, pattern in PATTERNS.items():
        outcomes = [rush(pattern(args.guests, seed)) for seed in range(args.seeds)]
        worst = min(outcomes, key=lambda o: o.lowest.new_devices)
        low_uploads = min(o.lowest.uploads for o in outcomes)
        print(
            f"{name:<22} {worst.uploads:>7} {sum(o.refused for o in outcomes):>7}  "
            f"{low_uploads:>9.0f} of {uploads_burst} ({low_uploads / uploads_burst:.0%})  "
            f"{worst.lowest.new_devices:>12.0f} of {devices_burst} ({worst.lowest.new_devices / devices_burst:.0%})"
        )
    for seconds in (10, 60):
        flood = rush(minting(100, seconds))
        admitted = flood.uploads - flood.refused
        print(
            f"one client minting 100 device ids a second for {seconds} s: {admitted} admitted, {flood.refused} refused"
        )


if __name__ == "__main__":
    main()
