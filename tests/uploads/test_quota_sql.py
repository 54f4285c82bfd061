import asyncio
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import SynchronousOnlyOperation
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connection, connections

from tests.uploads.contract_quota import EVENT, PHONE, QuotaStoreContract, claim, limits
from uploads.ports import EventFull, LimitReached
from uploads.stores import sql
from uploads.stores.sql import SqlQuotaStore


class TestSqlQuotaStore(QuotaStoreContract):
    """Inside a caller's transaction (as every `db` test runs): reservations take a savepoint in it."""

    @pytest.fixture
    def store(self, db):
        return SqlQuotaStore()

    def test_an_event_limit_below_one_refuses_a_new_device_and_keeps_nothing(self, store):
        # The counter's first slot is spent by its INSERT, which the WHERE of the update never sees.
        with pytest.raises(LimitReached) as raised:
            store.reserve(claim(1), limits(0))
        assert (raised.value.count, raised.value.limit) == (0, 0)
        assert store.devices_page(EVENT).devices == []
        assert store.reserve(claim(1), limits(1)).count == 1
        assert store.usage(EVENT, PHONE).count == 1


class TestSqlQuotaStoreOnItsOwn(QuotaStoreContract):
    """In autocommit, as a served request calls it: reservations send BEGIN and COMMIT themselves."""

    @pytest.fixture
    def store(self, transactional_db):
        assert connection.get_autocommit() and not connection.in_atomic_block
        yield SqlQuotaStore()
        # Whatever the test did, Django's connection is left as it was found.
        assert connection.get_autocommit() and not connection.in_atomic_block

    def test_a_refusal_leaves_no_transaction_open(self, store):
        with pytest.raises(EventFull):
            store.reserve(claim(1), limits(10, photos=0))
        # SQLite refuses BEGIN inside a transaction and PostgreSQL warns: a second reservation would fail.
        assert store.reserve(claim(1), limits(10)).count == 1

    def test_a_statement_that_fails_midway_rolls_back_the_claim_and_the_slot(self, store, monkeypatch):
        broken = (*sql._native(connection.vendor)[:3], "UPDATE no_such_table SET photos = 1")
        monkeypatch.setattr(sql, "_native", lambda vendor: broken)
        with pytest.raises(DatabaseError):
            store.reserve(claim(1), limits(10))
        monkeypatch.undo()
        assert store.lookup(EVENT, PHONE, claim(1).fingerprint) is None
        assert store.usage(EVENT, PHONE).count == 0
        assert store.reserve(claim(1), limits(10)).count == 1

    def test_a_transaction_that_cannot_begin_raises_djangos_error_and_opens_nothing(self, store, monkeypatch):
        monkeypatch.setattr(sql, "_threads_connection", sql._ThreadsConnection())  # none kept: BEGIN made anew
        monkeypatch.setattr(sql, "_begin", lambda vendor, settings: "BEGIN NOT A STATEMENT")
        with pytest.raises(DatabaseError):
            store.reserve(claim(1), limits(10))
        monkeypatch.undo()
        assert store.lookup(EVENT, PHONE, claim(1).fingerprint) is None
        assert store.reserve(claim(1), limits(10)).count == 1

    def test_a_reservation_after_django_reconnected_runs_on_the_new_connection(self, store):
        store.reserve(claim(1), limits(10))  # its thread keeps a cursor on this connection
        wrapper = connections[DEFAULT_DB_ALIAS]
        old = wrapper.connection
        wrapper.connect()  # as the next served request does, once the last one closed its connection
        old.close()
        assert store.reserve(claim(2), limits(10)).count == 2

    def test_a_reservation_from_async_code_is_refused_as_any_query_there_is(self, store, monkeypatch):
        async def reserve_in_an_event_loop():
            store.reserve(claim(2), limits(10))

        def in_a_thread_of_its_own():  # Playwright leaves its event loop set on the main thread
            try:
                store.reserve(claim(1), limits(10))  # this thread's connection is open and looked up
                with pytest.raises(SynchronousOnlyOperation):
                    asyncio.run(reserve_in_an_event_loop())
                assert store.lookup(EVENT, PHONE, claim(2).fingerprint) is None
            finally:
                connections.close_all()

        with monkeypatch.context() as env, ThreadPoolExecutor(1) as thread:
            env.delenv("DJANGO_ALLOW_ASYNC_UNSAFE", raising=False)  # set for Playwright (tests/browser.py)
            thread.submit(in_a_thread_of_its_own).result()


@pytest.mark.parametrize(
    "value",
    [
        None,
        datetime(2026, 6, 20, 18, 0, tzinfo=UTC),
        datetime(2026, 6, 20, 18, 0, 0, 123456, tzinfo=UTC),
        datetime(2026, 6, 20, 23, 30, 1, tzinfo=timezone(timedelta(hours=5, minutes=30))),
        datetime(2026, 10, 25, 2, 30, fold=1, tzinfo=ZoneInfo("Europe/Madrid")),
        datetime(2026, 6, 20, 18, 0),
    ],
)
def test_reservations_write_times_exactly_as_the_orm_does(db, value):
    # take_over finds a claim by the time the reservation wrote: any other text would never match.
    connection.ensure_connection()
    assert sql._as_stored(connection, value) == connection.ops.adapt_datetimefield_value(value)


@pytest.mark.parametrize("zone", ["Europe/Madrid", "Asia/Kolkata"])
def test_reservations_write_utc_times_in_the_databases_own_zone_when_it_has_one(db, monkeypatch, zone):
    # DATABASES' TIME_ZONE (Django's connection.timezone): the ORM writes local text there, and so must the store.
    wrapper = connections[DEFAULT_DB_ALIAS]  # not the `connection` proxy: the ORM reads the wrapper's zone
    wrapper.ensure_connection()
    monkeypatch.setitem(wrapper.__dict__, "timezone", ZoneInfo(zone))
    value = datetime(2026, 6, 20, 18, 0, 0, 123456, tzinfo=UTC)
    assert sql._as_stored(wrapper, value) == wrapper.ops.adapt_datetimefield_value(value) != str(value)[:-6]
