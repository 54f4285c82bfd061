"""bench/partition_load.py: what one upload writes to DynamoDB, counted against moto's server, priced by
DynamoDB's rules (bench/capacity.py), and the README's scale figures that follow from it."""

from pathlib import Path

import pytest

from bench.capacity import Request, Write, item_size, number_size
from bench.partition_load import report, run
from tests.uploads.contract_quota import EVENT, PHONE, claim, limits
from uploads.aws import clients
from uploads.aws.dynamodb import DynamoDBStore
from uploads.policy import EventPolicy

README = Path(__file__).resolve().parents[1] / "README.md"
pytestmark = pytest.mark.one_database


# Three guests, three photos each: every upload after the first of its device and of the event finds the
# items it updates, so both cases are in the averages (the README's run has 50 guests: the same averages).
@pytest.fixture(scope="module")
def figures():
    return run(guests=3, photos_each=3)


@pytest.fixture(scope="module")
def direct_figures():
    return run(guests=3, photos_each=3, direct=True)


def test_an_upload_is_one_transaction_of_three_items_then_one_update_of_its_claim(figures):
    assert figures.calls == {"GetItem": 2, "TransactWriteItems": 1, "UpdateItem": 1}
    # Claim, counter and #usage at 2 units each in the transaction, then StoredKey on the claim at 1.
    assert figures.write_units == 7
    assert figures.usage_write_units == 2
    # The #policy item, then the device's counter read back; a page load reads the same two.
    assert figures.read_units == 2
    assert figures.page_read_units == 2


def test_a_direct_upload_writes_the_same_items_and_reads_more(direct_figures):
    assert direct_figures.calls == {"GetItem": 5, "Query": 1, "TransactWriteItems": 1, "UpdateItem": 1}
    assert (direct_figures.write_units, direct_figures.usage_write_units, direct_figures.read_units) == (7, 2, 6)


def test_the_largest_claim_an_upload_can_write_stays_under_one_write_unit(figures, direct_figures):
    # The longest slug and guest name: were a claim over 1,024 bytes, every write figure would grow.
    assert 900 < figures.largest_item < direct_figures.largest_item < 1024


def test_the_readme_cites_the_figures_the_script_prints(figures, direct_figures):
    assert report(figures) in README.read_text()
    assert report(direct_figures) in README.read_text()


def test_item_sizes_count_names_and_values_as_dynamodb_does():
    item = {"DeviceID": {"S": "#usage"}, "Photos": {"N": "12345"}, "IsOpen": {"BOOL": True}, "Name": {"S": "Zoë"}}
    assert item_size(item) == (8 + 6) + (6 + 4) + (6 + 1) + (4 + 4)
    assert [number_size(n) for n in ("0", "7", "10", "123456", "-1.50")] == [2, 2, 2, 4, 2]


def test_a_write_costs_a_unit_per_started_kilobyte_of_the_larger_side_and_twice_in_a_transaction():
    assert Write("claim", 0, 1024, transactional=False).units == 1
    assert Write("claim", 1025, 900, transactional=False).units == 2
    assert Write("#usage", 0, 0, transactional=True).units == 2
    assert Write("claim", 0, 2048, transactional=True).units == 4


def test_a_consistent_read_costs_a_unit_per_started_four_kilobytes_and_one_when_nothing_is_found():
    assert Request("GetItem", read_bytes=0).read_units == 1
    assert Request("Query", read_bytes=4097).read_units == 2
    assert Request("TransactWriteItems", (Write("claim", 0, 10, transactional=True),)).read_units == 0


def test_every_item_of_a_small_event_has_the_event_slug_as_its_partition_key(dynamodb_table):
    # The layout the README's scale figures and its sharding design start from: a sharded layout must
    # leave an event of one shard exactly so.
    store = DynamoDBStore(clients.dynamodb(), dynamodb_table)
    store.put_policy(EventPolicy(EVENT, "Ana & Ben", 10, True, "0" * 64))
    store.complete(store.reserve(claim(1), limits(10)).claim, "ana-ben/Carla/first-1.jpg")
    items = clients.dynamodb().scan(TableName=dynamodb_table)["Items"]
    layout = {(item["DeviceID"]["S"], tuple(sorted(item))) for item in items if item["EventName"]["S"] == EVENT}
    claim_fields = ("Bytes", "ClaimedAt", "DeviceID", "EventName", "GuestName", "StoredKey", "TargetKey", "Token")
    assert len(items) == len(layout) == 4
    assert {(sort_key, names) for sort_key, names in layout if not sort_key.startswith("#policy")} == {
        (PHONE, ("DeviceID", "EventName", "LastUploadAt", "UploadCount")),
        ("#usage", ("Bytes", "DeviceID", "EventName", "Photos")),
        (f"#claim#{PHONE}#{1:064x}", claim_fields),
    }
