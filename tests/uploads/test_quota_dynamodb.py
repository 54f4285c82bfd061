import pytest
from botocore.exceptions import ClientError, EndpointConnectionError

from tests.uploads.contract_quota import EVENT, PHONE, QuotaStoreContract, claim, fill, limits
from uploads.aws import clients
from uploads.aws.dynamodb import POLICY_KEY, DynamoDBStore
from uploads.policy import EventPolicy
from uploads.ports import QuotaUnavailable

# DynamoDB (moto) only, whatever the database: it runs once, in the PostgreSQL pass's process (pyproject.toml).
pytestmark = [pytest.mark.one_database, pytest.mark.own_database]


class TestDynamoDBQuotaStore(QuotaStoreContract):
    @pytest.fixture
    def store(self, dynamodb_table):
        return DynamoDBStore(clients.dynamodb(), dynamodb_table)


@pytest.fixture
def store(dynamodb_table):
    return DynamoDBStore(clients.dynamodb(), dynamodb_table)


def test_the_policy_item_is_never_listed_as_a_device(store):
    store.put_policy(EventPolicy(EVENT, "Ana & Ben", 10, True, "0" * 64))
    fill(store, 1)
    assert [usage.device for usage in store.devices_page(EVENT).devices] == [PHONE]
    assert POLICY_KEY.startswith("#")


def test_the_counter_item_has_the_documented_shape(store):
    store.reserve(claim(1), limits(10))
    item = clients.dynamodb().get_item(
        TableName=store.table, Key={"EventName": {"S": EVENT}, "DeviceID": {"S": PHONE}}
    )["Item"]
    assert item["UploadCount"] == {"N": "1"}
    assert set(item) == {"EventName", "DeviceID", "UploadCount", "LastUploadAt"}


# Another transaction was writing the event's #usage item at that moment.
CONFLICT = ClientError(
    {
        "Error": {"Code": "TransactionCanceledException"},
        "CancellationReasons": [{"Code": "None"}, {"Code": "None"}, {"Code": "TransactionConflict"}],
    },
    "TransactWriteItems",
)


@pytest.mark.parametrize(
    "failure",
    [
        ClientError({"Error": {"Code": "ProvisionedThroughputExceededException"}}, "TransactWriteItems"),
        ClientError({"Error": {"Code": "ThrottlingException"}}, "TransactWriteItems"),
        ClientError({"Error": {"Code": "ResourceNotFoundException"}}, "TransactWriteItems"),
        ClientError(
            {
                "Error": {"Code": "TransactionCanceledException"},
                "CancellationReasons": [{"Code": "None"}, {"Code": "ThrottlingError"}],
            },
            "TransactWriteItems",
        ),
        CONFLICT,
        EndpointConnectionError(endpoint_url="https://dynamodb.eu-west-1.amazonaws.com"),
    ],
    ids=["throughput", "throttling", "table-missing", "throttled-in-transaction", "conflict-every-time", "unreachable"],
)
def test_a_busy_or_missing_table_is_unavailable_and_changes_nothing(store, monkeypatch, failure):
    fill(store, 1)

    def fail(**kwargs):
        raise failure

    monkeypatch.setattr(store.client, "transact_write_items", fail)
    with pytest.raises(QuotaUnavailable):
        store.reserve(claim(5), limits(10))
    monkeypatch.undo()
    assert store.usage(EVENT, PHONE).count == 1
    assert store.reserve(claim(5), limits(10)).count == 2


def test_releasing_a_pending_claim_after_a_reset_spares_one_completed_meanwhile(store, monkeypatch):
    # GIVEN a pending claim on a device whose count was reset, so its release falls back to a delete
    store.reserve(claim(1), limits(3))
    store.reset(EVENT, PHONE)
    transact = store.client.transact_write_items

    def completed_meanwhile(**request):
        try:
            return transact(**request)
        finally:
            # Its request finishes between the refused transaction and the fallback delete.
            store.complete(claim(1), "ana-ben/1.jpg")

    monkeypatch.setattr(store.client, "transact_write_items", completed_meanwhile)
    # WHEN the recovery pass releases it
    store.release_pending(claim(1))
    monkeypatch.undo()
    # THEN the stored photo keeps its claim: sent again, it is the duplicate it is
    assert store.reserve(claim(1, token="again"), limits(3)).stored_key == "ana-ben/1.jpg"


def test_a_reservation_that_meets_another_on_the_usage_item_is_tried_again(store, monkeypatch):
    transact = store.client.transact_write_items
    conflicts: list[dict] = []

    def conflict_twice(**request):
        if len(conflicts) < 2:
            conflicts.append(request)
            raise CONFLICT
        return transact(**request)

    monkeypatch.setattr(store.client, "transact_write_items", conflict_twice)
    assert store.reserve(claim(1), limits(3)).count == 1
    assert len(conflicts) == 2
    assert store.event_usage(EVENT).photos == 1
