"""Quota store on Django's database (SQLite locally, PostgreSQL on AWS)."""

import threading
from asyncio import _get_running_loop
from collections.abc import Iterator
from contextlib import closing, contextmanager
from datetime import UTC, datetime
from functools import cache
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import F, Q, QuerySet

from uploads.models import DeviceQuota, EventQuota, UploadClaim
from uploads.policy import Limits
from uploads.ports import (
    CLAIM_TTL,
    DEVICE_PAGE_SIZE,
    Claim,
    ClaimLost,
    ClaimPending,
    DevicePage,
    DeviceUsage,
    EventFull,
    EventUsage,
    HeldClaim,
    LimitReached,
    Reservation,
    UploadInProgress,
    device_limit,
)

# A reservation is on every upload's path, and SQLite lets one writer in at a time: four raw statements
# between BEGIN and COMMIT, where the ORM took six for the first two (a savepoint around the claim, a separate
# upsert, update and read back) and ten times the CPU. None has a RETURNING clause: SQLite buffers its rows in a
# temporary table, and each cost ~5 us more than a separate read (README, P8).
# Portable between SQLite >= 3.24 and PostgreSQL.
_CLAIMS = UploadClaim._meta.db_table
_QUOTAS = DeviceQuota._meta.db_table
_EVENTS = EventQuota._meta.db_table
# The unique constraint decides whether the photo is new: no row inserted means it was claimed before.
_CLAIM = f"""INSERT INTO {_CLAIMS}
    (event_slug, device_id, fingerprint, "key", claimed_at, token, target_key, guest_name, size, expires_at)
    VALUES (%s, %s, %s, '', %s, %s, %s, %s, %s, %s)
    ON CONFLICT (event_slug, device_id, fingerprint) DO NOTHING"""  # noqa: S608 (names from the models)
# One statement creates the counter or spends one of its slots, and the database, not this process,
# decides whether one is left: no row changes when none is.
_SPEND = f"""INSERT INTO {_QUOTAS} (event_slug, device_id, count, last_upload_at) VALUES (%s, %s, 1, %s)
    ON CONFLICT (event_slug, device_id) DO UPDATE
    SET count = {_QUOTAS}.count + 1, last_upload_at = excluded.last_upload_at
    WHERE {_QUOTAS}.count < COALESCE({_QUOTAS}.limit_override, %s)"""  # noqa: S608 (names from the models)
# What the guest is told: the count (spent or not) and the phone's own limit, if an admin set one.
_COUNT = f"SELECT count, limit_override FROM {_QUOTAS} WHERE event_slug = %s AND device_id = %s"  # noqa: S608
# Likewise the event's usage grows by the photo only while both caps hold, whatever device it came from:
# the row is one per event, so concurrent reservations of an event queue on it and none overtakes a cap.
_FILL = f"""INSERT INTO {_EVENTS} (event_slug, photos, bytes) VALUES (%s, 1, %s)
    ON CONFLICT (event_slug) DO UPDATE
    SET photos = {_EVENTS}.photos + 1, bytes = {_EVENTS}.bytes + excluded.bytes
    WHERE {_EVENTS}.photos < %s AND {_EVENTS}.bytes + excluded.bytes <= %s"""  # noqa: S608 (names from the models)


@contextmanager
def _savepoint(db: BaseDatabaseWrapper) -> Iterator[Any]:
    with transaction.atomic(db.alias), db.wrap_database_errors, closing(db.connection.cursor()) as cursor:
        yield cursor


def _execute(db: BaseDatabaseWrapper, cursor: Any, statement: str) -> None:
    try:
        cursor.execute(statement)
    except Exception as failed:
        _as_django(db, failed)
        raise


def _as_django(db: BaseDatabaseWrapper, error: BaseException) -> None:
    """Raise a DB-API error as Django's, as Django's own cursor does; return for any other error."""
    db.wrap_database_errors.__exit__(type(error), error, error.__traceback__)


class _ThreadsConnection(threading.local):
    """The connection wrapper Django gives this thread, looked up once, and a DB-API cursor with the BEGIN
    to send on it, kept while the wrapper keeps that DB-API connection (a served request closes it).

    `connections[alias]` also tests for an event loop by catching an exception, and a sync thread keeps
    its wrapper for life. With an event loop running, Django's own lookup decides, as it does per task.

    Between two reservations SQLite's commit evicts this code and its data from the CPU's caches, so each
    Python call, object and caught exception on this path costs 3-4 times what a timing loop shows
    (README, P8): plain try blocks, and Django's error translation only for an error.
    """

    db: BaseDatabaseWrapper | None = None
    # The cursor holds the DB-API connection it was made on, so that connection's id is never reused.
    kept: tuple[Any, str] = (None, "")

    def get(self) -> BaseDatabaseWrapper:
        if _get_running_loop() is not None:
            return connections[DEFAULT_DB_ALIAS]
        if self.db is None:
            self.db = connections[DEFAULT_DB_ALIAS]
        return self.db

    def begin(self, db: BaseDatabaseWrapper) -> Any:
        """BEGIN sent on the cursor kept for `db`'s connection, opened if need be; the cursor."""
        # Django's checks, each of which tests for an event loop by catching an exception, only when they can
        # matter: no connection yet or health checks on. With an event loop running the wrapper is Django's
        # per-task one (get), unopened, so they run and refuse as Django's own queries do.
        if db.connection is None or db.health_check_enabled:
            db.close_if_health_check_failed()
            db.ensure_connection()
        cursor, begin = self.kept
        if cursor is None or cursor.connection is not db.connection:
            cursor, begin = self.kept = (db.connection.cursor(), _begin(db.vendor, db.settings_dict))
        _execute(db, cursor, begin)
        return cursor


_threads_connection = _ThreadsConnection()


def _begin(vendor: str, settings: dict[str, Any]) -> str:
    # As atomic() would begin: IMMEDIATE takes SQLite's write lock at once (settings.py says why).
    mode = settings.get("OPTIONS", {}).get("transaction_mode") if vendor == "sqlite" else None
    return f"BEGIN {mode}" if mode else "BEGIN"


def _as_stored(db: BaseDatabaseWrapper, value: datetime | None) -> object:
    """A datetime as the ORM writes it: naive text in the connection's zone on SQLite. Django's adapter
    does the same after checks that took ~14 us a call with 8 workers racing (README, P8)."""
    if value is None or db.vendor != "sqlite" or value.utcoffset() is None:
        return db.ops.adapt_datetimefield_value(value)
    if value.tzinfo is UTC is db.timezone:
        # The upload core's times: the text less its "+00:00", without the copy replace() makes (half the cost).
        return str(value)[:-6]
    return str(value.astimezone(db.timezone).replace(tzinfo=None))


@cache
def _native(vendor: str) -> tuple[str, ...]:
    # sqlite3 takes ? (psycopg takes %s as written): Django's cursor would rewrite each call with a regex.
    statements = (_CLAIM, _SPEND, _COUNT, _FILL)
    return tuple(sql.replace("%s", "?") for sql in statements) if vendor == "sqlite" else statements


def _usage(row: DeviceQuota) -> DeviceUsage:
    return DeviceUsage(row.device_id, row.count, row.limit_override, row.last_upload_at)


class SqlQuotaStore:
    def reserve(self, claim: Claim, limits: Limits) -> Reservation:
        """The claim, the device's slot and the event's usage, all or none, in one write transaction.

        In a caller's transaction (a service, a test case) that is a savepoint in it. Otherwise BEGIN and
        COMMIT are sent by hand rather than through atomic(), whose bookkeeping (autocommit switched off and
        on, thread-local lookups) cost as much CPU as the statements; Django's connection stays in autocommit.
        """
        # The wrapper itself: each attribute of the `connection` proxy costs a thread-local lookup.
        db = _threads_connection.get()
        if db.in_atomic_block:
            with _savepoint(db) as cursor:
                return self._reserve(db, cursor, claim, limits)
        cursor = _threads_connection.begin(db)
        try:
            reservation = self._reserve(db, cursor, claim, limits)
        except BaseException as error:
            _execute(db, cursor, "ROLLBACK")
            _as_django(db, error)
            raise
        _execute(db, cursor, "COMMIT")
        return reservation

    def _reserve(self, db: BaseDatabaseWrapper, cursor: Any, claim: Claim, limits: Limits) -> Reservation:
        # Parameters are made once the transaction has begun: between one reservation's COMMIT and the next
        # one's BEGIN any other worker may take the lock, and each hand-over costs the new holder its cache.
        at = _as_stored(db, claim.at)  # as the ORM stores it, for take_over's match
        expires = None if claim.expires_at is None else _as_stored(db, claim.expires_at)
        event, device, size = claim.event, claim.device, claim.size
        claim_sql, spend_sql, count_sql, fill_sql = _native(db.vendor)
        new = (event, device, claim.fingerprint, at, claim.token, claim.key, claim.guest_name, size, expires)
        cursor.execute(claim_sql, new)
        if not cursor.rowcount:
            return self._claimed_before(claim, limits.device)
        cursor.execute(spend_sql, (event, device, at, limits.device))
        spent = cursor.rowcount
        cursor.execute(count_sql, (event, device))
        reservation = _spent(claim, limits.device, spent, cursor.fetchone())
        cursor.execute(fill_sql, (event, size, limits.photos, limits.bytes))
        # Raising inside the transaction rolls back the claim and the device's slot too. Only a new
        # row skips the WHERE, and it holds just this photo: it must fit the caps as well.
        if not cursor.rowcount or limits.photos < 1 or size > limits.bytes:
            raise EventFull()
        return reservation

    def _claimed_before(self, claim: Claim, event_limit: int) -> Reservation:
        existing = self._claims(claim).get()
        if not existing.key:
            raise ClaimPending(_held(existing))
        return self._reservation(claim, event_limit, stored_key=existing.key)

    def take_over(self, held: Claim, claim: Claim, limits: Limits) -> Reservation:
        # Conditional, so of two retries racing for a dead request's claim only one takes it.
        taken = self._claims(held).filter(token=held.token, key="", claimed_at=held.at)
        fields = {"target_key": claim.key, "guest_name": claim.guest_name, "expires_at": claim.expires_at}
        if not taken.update(claimed_at=claim.at, token=claim.token, **fields):
            raise UploadInProgress()
        return self._reservation(claim, limits.device)

    def _reservation(self, claim: Claim, event_limit: int, stored_key: str | None = None) -> Reservation:
        usage = self.usage(claim.event, claim.device)
        return Reservation(claim, usage.count, usage.limit(event_limit), stored_key)

    def complete(self, claim: Claim, key: str) -> None:
        mine = self._claims(claim).filter(Q(key="") | Q(key=key), token=claim.token)
        if not mine.update(key=key):
            raise ClaimLost()

    def release(self, claim: Claim) -> None:
        self._forget(self._claims(claim).filter(token=claim.token), claim.event, claim.device)

    def release_pending(self, claim: Claim) -> None:
        self._forget(self._claims(claim).filter(token=claim.token, key=""), claim.event, claim.device)

    def pending_claims(self, event: str, now: datetime, device: str | None = None) -> list[Claim]:
        rows = UploadClaim.objects.filter(event_slug=event, key="")
        if device is not None:
            rows = rows.filter(device_id=device)
        passed = Q(expires_at=None, claimed_at__lt=now - CLAIM_TTL) | Q(expires_at__lt=now)
        return [_held(row) for row in rows.filter(passed)]

    def lookup(self, event: str, device: str, fingerprint: str) -> tuple[Claim, str | None] | None:
        row = _photo_claims(event, device, fingerprint).first()
        return None if row is None else (_held(row), row.key or None)

    def purge_event(self, event: str) -> None:
        with transaction.atomic():
            UploadClaim.objects.filter(event_slug=event).delete()
            DeviceQuota.objects.filter(event_slug=event).delete()
            EventQuota.objects.filter(event_slug=event).delete()

    def refund(self, event: str, device: str, fingerprint: str) -> None:
        self._forget(_photo_claims(event, device, fingerprint), event, device)

    def give_back(self, event: str, device: str, fingerprint: str) -> None:
        holding = _photo_claims(event, device, fingerprint).exclude(size=None)
        with transaction.atomic():
            for size in _locked_sizes(holding):
                holding.update(size=None)
                _return_usage(event, size)

    @staticmethod
    def _forget(claims: QuerySet[UploadClaim], event: str, device: str) -> None:
        """Delete the claim and, if there was one, give its slot and its event usage back: all or none."""
        with transaction.atomic():
            for size in _locked_sizes(claims):
                claims.delete()
                DeviceQuota.objects.filter(event_slug=event, device_id=device, count__gt=0).update(count=F("count") - 1)
                _return_usage(event, size)

    def event_usage(self, event: str) -> EventUsage:
        row = EventQuota.objects.filter(event_slug=event).first()
        return EventUsage(row.photos, row.bytes) if row else EventUsage()

    def usage(self, event: str, device: str) -> DeviceUsage:
        row = DeviceQuota.objects.filter(event_slug=event, device_id=device).first()
        return _usage(row) if row else DeviceUsage(device, 0, None, None)

    def reset(self, event: str, device: str) -> None:
        self.set_count(event, device, 0)

    def set_count(self, event: str, device: str, count: int) -> None:
        DeviceQuota.objects.filter(event_slug=event, device_id=device).update(count=count)

    def claims(self, event: str) -> list[HeldClaim]:
        rows = UploadClaim.objects.filter(event_slug=event)
        return [HeldClaim(_held(row), row.key or None, row.size is not None) for row in rows.iterator()]

    def set_event_usage(self, event: str, usage: EventUsage) -> None:
        EventQuota.objects.update_or_create(event_slug=event, defaults={"photos": usage.photos, "bytes": usage.bytes})

    def set_device_limit(self, event: str, device: str, limit: int | None) -> None:
        DeviceQuota.objects.update_or_create(event_slug=event, device_id=device, defaults={"limit_override": limit})

    def devices_page(
        self, event: str, *, after: str | None = None, before: str | None = None, size: int = DEVICE_PAGE_SIZE
    ) -> DevicePage:
        # Keyset paging on the (event_slug, device_id) unique index: each page costs the same however far in.
        rows = DeviceQuota.objects.filter(event_slug=event)
        if before is not None:
            rows = rows.filter(device_id__lt=before).order_by("-device_id")
        else:
            rows = rows.filter(device_id__gt=after or "").order_by("device_id")
        return DevicePage.read([_usage(row) for row in rows[: size + 1]], size, after=after, before=before)

    def device_count(self, event: str) -> int:
        return int(DeviceQuota.objects.filter(event_slug=event).count())

    @staticmethod
    def _claims(claim: Claim) -> QuerySet[UploadClaim]:
        return _photo_claims(claim.event, claim.device, claim.fingerprint)


def _photo_claims(event: str, device: str, fingerprint: str) -> QuerySet[UploadClaim]:
    return UploadClaim.objects.filter(event_slug=event, device_id=device, fingerprint=fingerprint)


def _spent(claim: Claim, event_limit: int, spent: int, row: tuple[int, int | None]) -> Reservation:
    count, override = row
    limit = device_limit(override, event_limit)
    if not spent:
        raise LimitReached(count, limit)
    if count > limit:
        # Only a new counter skips the WHERE, so only an event limit below one gets here.
        raise LimitReached(count - 1, limit)
    return Reservation(claim, count, limit)


def _locked_sizes(claims: QuerySet[UploadClaim]) -> list[int | None]:
    """The claim's size (at most one), locked until the transaction ends: of two requests giving the
    same claim's usage back (a refund and a give_back, say), only the first finds it (PostgreSQL; SQLite
    lets one writer in at a time anyway)."""
    return list(claims.select_for_update().values_list("size", flat=True))


def _return_usage(event: str, size: int | None) -> None:
    if size is not None:
        usage = EventQuota.objects.filter(event_slug=event, photos__gt=0, bytes__gte=size)
        usage.update(photos=F("photos") - 1, bytes=F("bytes") - size)


def _held(row: UploadClaim) -> Claim:
    return Claim(
        row.event_slug,
        row.device_id,
        row.fingerprint,
        row.claimed_at,
        row.token,
        row.target_key,
        row.guest_name,
        row.size or 0,
        row.expires_at,
    )
