"""One racer for the multi-process rate-limit test: admits uploads on a shared database as soon as told.

    python -m tests.uploads.rate_race ADDRESS ATTEMPTS START_AT [--one-device]
    python -m tests.uploads.rate_race ADDRESS --report

with DJANGO_SETTINGS_MODULE and the database settings (PHOTOSHARE_DATA_DIR or DATABASE_URL) in the
environment. The limiter's clock stands still, so nothing refills during the race. Prints one JSON
object: the outcomes counted, or with --report what the database kept for the address.
"""

import argparse
import json
import os
import time
from collections import Counter

# Racing numbers: 20 uploads, 10 of them from new device ids.
UPLOADS_BURST = 20
NEW_DEVICES_BURST = 10
STILL = 1_800_000_000.0


def race(args: argparse.Namespace) -> Counter[str]:
    from uploads.ports import RateLimited
    from uploads.ratelimit import Limits, RateLimiter, Rule
    from uploads.stores.sql_rates import SqlRateCounters

    limits = Limits(uploads=Rule(UPLOADS_BURST, 1.0), new_devices=Rule(NEW_DEVICES_BURST, 1.0))
    limiter = RateLimiter(SqlRateCounters(), limits, clock=lambda: STILL)
    outcomes: Counter[str] = Counter()
    time.sleep(max(0.0, args.start_at - time.time()))
    for attempt in range(args.attempts):
        device = "one-phone" if args.one_device else f"{os.getpid()}-{attempt}"
        try:
            limiter.admit(args.address, device)
            outcomes["admitted"] += 1
        except RateLimited:
            outcomes["refused"] += 1
    return outcomes


def report(address: str) -> dict[str, float]:
    from uploads.models import RateBucket, RateDevice

    bucket = RateBucket.objects.get(address=address)
    devices = RateDevice.objects.filter(address=address).count()
    return {"uploads": bucket.uploads, "new_devices": bucket.new_devices, "devices": devices}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("address")
    parser.add_argument("attempts", type=int, nargs="?")
    parser.add_argument("start_at", type=float, nargs="?")
    parser.add_argument("--one-device", action="store_true")
    parser.add_argument("--report", action="store_true")
    args = parser.parse_args()

    import django

    django.setup()
    print(json.dumps(report(args.address) if args.report else race(args)))


if __name__ == "__main__":
    main()
