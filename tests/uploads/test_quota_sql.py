import pytest

from tests.uploads.contract_quota import QuotaStoreContract
from uploads.stores.sql import SqlQuotaStore


class TestSqlQuotaStore(QuotaStoreContract):
    @pytest.fixture
    def store(self, db):
        return SqlQuotaStore()
