"""The moto fixtures roll a cancelled DynamoDB transaction back from copies of the items it names
(tests/moto_transactions.py): the table must end exactly as moto's own whole-table rollback leaves it."""

import boto3
import pytest
from moto.dynamodb import models

from tests import moto_transactions
from tests.aws import TABLE
from uploads.aws.dynamodb import ATTRIBUTE_DEFINITIONS, KEY_SCHEMA

pytestmark = pytest.mark.one_database


def key(device: str) -> dict:
    return {"EventName": {"S": "ana-ben"}, "DeviceID": {"S": device}}


def run_transactions(client) -> list[dict]:
    """A transaction that succeeds, then one cancelled after it changed, added and deleted items."""
    for device, count in (("a", "1"), ("d", "7")):
        client.put_item(TableName=TABLE, Item=key(device) | {"Tally": {"N": count}})
    add_one = {"UpdateExpression": "ADD #c :one", "ExpressionAttributeNames": {"#c": "Tally"}}
    add_one["ExpressionAttributeValues"] = {":one": {"N": "1"}}
    client.transact_write_items(TransactItems=[{"Update": {"TableName": TABLE, "Key": key("a"), **add_one}}])
    cancelled = [
        {"Update": {"TableName": TABLE, "Key": key("a"), **add_one}},
        {"Put": {"TableName": TABLE, "Item": key("c") | {"Tally": {"N": "1"}}}},
        {"Delete": {"TableName": TABLE, "Key": key("d")}},
        {"ConditionCheck": {"TableName": TABLE, "Key": key("b"), "ConditionExpression": "attribute_exists(Tally)"}},
    ]
    with pytest.raises(client.exceptions.TransactionCanceledException):
        client.transact_write_items(TransactItems=cancelled)
    return client.scan(TableName=TABLE, ConsistentRead=True)["Items"]


def test_a_cancelled_transaction_leaves_the_table_as_motos_own_rollback_does(dynamodb_table, monkeypatch):
    client = boto3.client("dynamodb")
    ours = run_transactions(client)
    client.delete_table(TableName=TABLE)
    client.create_table(
        TableName=TABLE, KeySchema=KEY_SCHEMA, AttributeDefinitions=ATTRIBUTE_DEFINITIONS, BillingMode="PAY_PER_REQUEST"
    )
    monkeypatch.setattr(models.DynamoDBBackend, "transact_write_items", moto_transactions._MOTOS_OWN)
    motos = run_transactions(client)

    assert ours == motos
    assert sorted((item["DeviceID"]["S"], item["Tally"]["N"]) for item in ours) == [("a", "2"), ("d", "7")]


def test_the_fixtures_use_the_lighter_rollback(aws_env):
    assert models.DynamoDBBackend.transact_write_items is moto_transactions._transact_write_items
