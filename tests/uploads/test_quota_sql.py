import pytest

from tests.uploads.contract_quota import EVENT, PHONE, QuotaStoreContract, claim, limits
from uploads.ports import LimitReached
from uploads.stores.sql import SqlQuotaStore


class TestSqlQuotaStore(QuotaStoreContract):
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
