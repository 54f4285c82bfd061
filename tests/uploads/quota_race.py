"""One racer for the multi-process quota test: reserves slots on a shared database as soon as told.

    python -m tests.uploads.quota_race EVENT DEVICE LIMIT ATTEMPTS START_AT [--same-photo]
    python -m tests.uploads.quota_race EVENT DEVICE --report

with DJANGO_SETTINGS_MODULE and the database settings (PHOTOSHARE_DATA_DIR or DATABASE_URL) in the
environment. Prints one JSON object: the outcomes counted, or with --report the stored count.
"""

import argparse
import json
import os
import time
from collections import Counter
from datetime import UTC, datetime


def race(store, args) -> Counter:
    from uploads.ports import Claim, ClaimPending, LimitReached, UploadInProgress

    outcomes: Counter[str] = Counter()
    time.sleep(max(0.0, args.start_at - time.time()))
    for attempt in range(args.attempts):
        fingerprint = "f" * 64 if args.same_photo else f"{os.getpid():032x}{attempt:032x}"
        claim = Claim(args.event, args.device, fingerprint, datetime.now(UTC), token=f"{os.getpid()}-{attempt}")
        try:
            reservation = store.reserve(claim, args.limit)
        except LimitReached:
            outcomes["limit_reached"] += 1
        except (ClaimPending, UploadInProgress):
            # The same photo's claim is still held by the racer that won it (it completes next).
            outcomes["in_progress"] += 1
        else:
            if reservation.stored_key:
                outcomes["duplicate"] += 1
            else:
                store.complete(claim, f"{args.event}/{fingerprint}.jpg")
                outcomes["accepted"] += 1
    return outcomes


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("event")
    parser.add_argument("device")
    parser.add_argument("limit", type=int, nargs="?")
    parser.add_argument("attempts", type=int, nargs="?")
    parser.add_argument("start_at", type=float, nargs="?")
    parser.add_argument("--same-photo", action="store_true")
    parser.add_argument("--report", action="store_true")
    args = parser.parse_args()

    import django

    django.setup()
    from uploads.stores.sql import SqlQuotaStore

    store = SqlQuotaStore()
    if args.report:
        print(json.dumps({"count": store.usage(args.event, args.device).count}))
    else:
        print(json.dumps(race(store, args)))


if __name__ == "__main__":
    main()
