"""Rate-limit counters (uploads.ratelimit) on Django's database, shared by every gunicorn worker.

The database rather than Django's cache: the cache configured by default is per process, and the
database is already shared by all workers and gives an atomic read-modify-write without a new service.
"""

from django.db import IntegrityError, transaction

from uploads.models import RateBucket, RateDevice
from uploads.ratelimit import REMEMBER_DEVICES_FOR, Buckets, Decide, Verdict


class SqlRateCounters:
    def update(self, address: str, device: str, now: float, decide: Decide) -> Verdict:
        try:
            return self._update(address, device, now, decide)
        except IntegrityError:
            # Another request from the same new address created its row first (PostgreSQL; SQLite lets
            # one writer in at a time): this one rolled back whole, and now finds the row to lock.
            return self._update(address, device, now, decide)

    def _update(self, address: str, device: str, now: float, decide: Decide) -> Verdict:
        # The row lock (PostgreSQL) or the write lock taken at BEGIN (SQLite, IMMEDIATE) keeps every
        # other request from this address out until the verdict is kept: no token is spent twice.
        with transaction.atomic():
            row = RateBucket.objects.select_for_update().filter(address=address).first()
            recent = now - REMEMBER_DEVICES_FOR
            known = RateDevice.objects.filter(address=address, device_id=device, seen_at__gte=recent).exists()
            verdict = decide(_buckets(row), known)
            if verdict.buckets is not None:
                self._keep(row is None, address, verdict.buckets, recent)
            if verdict.remember:
                RateDevice.objects.filter(address=address, seen_at__lt=recent).delete()
                RateDevice.objects.create(address=address, device_id=device, seen_at=now)
            return verdict

    @staticmethod
    def _keep(new: bool, address: str, buckets: Buckets, recent: float) -> None:
        levels = {"uploads": buckets.uploads, "new_devices": buckets.new_devices, "at": buckets.at}
        if not new:
            RateBucket.objects.filter(address=address).update(**levels)
            return
        # A new address is rare (one a venue): the moment to forget addresses gone quiet for a day,
        # whose buckets are full again anyway.
        RateBucket.objects.filter(at__lt=recent).delete()
        RateDevice.objects.filter(seen_at__lt=recent).delete()
        RateBucket.objects.create(address=address, **levels)


def _buckets(row: RateBucket | None) -> Buckets | None:
    return None if row is None else Buckets(row.uploads, row.new_devices, row.at)
