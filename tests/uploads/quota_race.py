"""One racer for the multi-process quota test: reserves slots on a shared database as soon as told.

    python -m tests.uploads.quota_race EVENT DEVICE LIMIT ATTEMPTS START_AT [--same-photo]
        [--event-cap N --new-device-each]
    python -m tests.uploads.quota_race EVENT DEVICE --report

with DJANGO_SETTINGS_MODULE and the database settings (PHOTOSHARE_DATA_DIR or DATABASE_URL) in the
environment. Prints one JSON object: the outcomes counted, or with --report the device's stored count
and the event's usage.
"""

import argparse
import json
import os
import time
import uuid
from collections import Counter
from datetime import UTC, datetime


def race(store, args) -> Counter:
    from uploads.policy import Limits
    from uploads.ports import Claim, ClaimPending, EventFull, LimitReached, UploadInProgress

    outcomes: Counter[str] = Counter()
    limits = Limits(args.limit, args.event_cap, 10**12)
    time.sleep(max(0.0, args.start_at - time.time()))
    for attempt in range(args.attempts):
        fingerprint = "f" * 64 if args.same_photo else f"{os.getpid():032x}{attempt:032x}"
        # A client minting device ids: every photo from a "new phone", so only the event cap stops it.
        device = str(uuid.uuid4()) if args.new_device_each else args.device
        claim = Claim(args.event, device, fingerprint, datetime.now(UTC), token=f"{os.getpid()}-{attempt}", size=1000)
        try:
            reservation = store.reserve(claim, limits)
        except LimitReached:
            outcomes["limit_reached"] += 1
        except EventFull:
            outcomes["event_full"] += 1
        except (UploadInProgress, ClaimPending):
            # ClaimPending: another racer's claim is not completed yet; the core answers 409 for it.
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
    parser.add_argument("--event-cap", type=int, default=1_000_000)
    parser.add_argument("--new-device-each", action="store_true")
    parser.add_argument("--report", action="store_true")
    args = parser.parse_args()

    import django

    django.setup()
    from uploads.stores.sql import SqlQuotaStore

    store = SqlQuotaStore()
    if args.report:
        usage = store.event_usage(args.event)
        count = store.usage(args.event, args.device).count
        print(json.dumps({"count": count, "event_photos": usage.photos, "event_bytes": usage.bytes}))
    else:
        print(json.dumps(race(store, args)))


if __name__ == "__main__":
    main()
