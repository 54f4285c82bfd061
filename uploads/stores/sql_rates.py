"""Rate-limit counters (uploads.ratelimit) on Django's database, shared by every gunicorn worker.

The database rather than Django's cache: the cache configured by default is per process, and the
database is already shared by all workers and gives an atomic read-modify-write without a new service.
"""

from django.db import IntegrityError, connection, transaction

from uploads.models import RateBucket, RateDevice
from uploads.ratelimit import REMEMBER_DEVICES_FOR, Buckets, Decide, Verdict

# Every upload runs these inside SQLite's one write lock: raw statements, where the ORM spent ten times
# as long building its queries as the database took to run them (3.5 ms against 0.4 ms an upload).
_BUCKETS = RateBucket._meta.db_table
_DEVICES = RateDevice._meta.db_table
_READ = f"SELECT uploads, new_devices, at FROM {_BUCKETS} WHERE address = %s"  # noqa: S608 (names from the models)
_KNOWN = f"SELECT 1 FROM {_DEVICES} WHERE address = %s AND device_id = %s AND seen_at >= %s"  # noqa: S608
_UPDATE = f"UPDATE {_BUCKETS} SET uploads = %s, new_devices = %s, at = %s WHERE address = %s"  # noqa: S608
_INSERT = f"INSERT INTO {_BUCKETS} (uploads, new_devices, at, address) VALUES (%s, %s, %s, %s)"  # noqa: S608
_REMEMBER = f"INSERT INTO {_DEVICES} (address, device_id, seen_at) VALUES (%s, %s, %s)"  # noqa: S608
_FORGET_DEVICES = f"DELETE FROM {_DEVICES} WHERE address = %s AND seen_at < %s"  # noqa: S608
_FORGET_QUIET = [f"DELETE FROM {_BUCKETS} WHERE at < %s", f"DELETE FROM {_DEVICES} WHERE seen_at < %s"]  # noqa: S608


class SqlRateCounters:
    def update(self, address: str, device: str, now: float, decide: Decide) -> Verdict:
        try:
            return self._update(address, device, now, decide)
        except IntegrityError:
            # Another request from the same new address created its row first (PostgreSQL; SQLite lets
            # one writer in at a time): this one rolled back whole, and now finds the row to lock.
            return self._update(address, device, now, decide)

    def _update(self, address: str, device: str, now: float, decide: Decide) -> Verdict:
        recent = now - REMEMBER_DEVICES_FOR
        # The row lock (PostgreSQL) or the write lock taken at BEGIN (SQLite, IMMEDIATE) keeps every
        # other request from this address out until the verdict is kept: no token is spent twice.
        lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(_READ + lock, [address])
            row = cursor.fetchone()
            cursor.execute(_KNOWN, [address, device, recent])
            verdict = decide(None if row is None else Buckets(*row), cursor.fetchone() is not None)
            kept = verdict.buckets
            if kept is not None and row is None:
                # A new address is rare (one a venue): the moment to forget addresses quiet for a day,
                # whose buckets would be full again anyway.
                for statement in _FORGET_QUIET:
                    cursor.execute(statement, [recent])
            if kept is not None:
                cursor.execute(_UPDATE if row else _INSERT, [kept.uploads, kept.new_devices, kept.at, address])
            if verdict.remember:
                cursor.execute(_FORGET_DEVICES, [address, recent])
                cursor.execute(_REMEMBER, [address, device, now])
            return verdict
