"""The event's language reaches the guest page: through the policy of either store (the dashboard's
database, or the DynamoDB item it mirrors), to GET /api/events/<slug>."""

import pytest

from events.selectors import EventPolicies
from events.services import event_create, event_update
from photoshare_site import wiring
from uploads.aws import clients
from uploads.aws.dynamodb import POLICY_KEY, DynamoDBStore
from uploads.policy import EventPolicy


def sql_policies(request):
    return EventPolicies()


def dynamodb_policies(request):
    request.getfixturevalue("aws_backend")
    return wiring.dynamodb_store()


@pytest.fixture(params=[sql_policies, dynamodb_policies], ids=["sql", "dynamodb"])
def policies(request, db):
    return request.param(request)


def test_an_event_without_a_language_leaves_each_phone_its_own(policies, alice):
    event_create(owner=alice, name="Ana & Ben", slug="ana-ben")
    assert policies.get("ana-ben").language == ""


def test_the_events_fixed_language_and_its_change_reach_the_policy(policies, alice):
    event = event_create(owner=alice, name="Ana & Ben", slug="ana-ben", language="de")
    assert policies.get("ana-ben").language == "de"
    event_update(event=event, language="pt")
    assert policies.get("ana-ben").language == "pt"


@pytest.mark.one_database
def test_a_policy_mirrored_before_languages_reads_as_the_phones_own(dynamodb_table):
    store = DynamoDBStore(clients.dynamodb(), dynamodb_table)
    store.put_policy(EventPolicy("ana-ben", "Ana & Ben", 10, True, "0" * 64, language="es"))
    key = {"EventName": {"S": "ana-ben"}, "DeviceID": {"S": POLICY_KEY}}
    clients.dynamodb().update_item(
        TableName=dynamodb_table, Key=key, UpdateExpression="REMOVE #l", ExpressionAttributeNames={"#l": "Language"}
    )
    policy = store.get("ana-ben")
    assert policy is not None and policy.language == ""


def test_the_event_endpoint_names_the_language(client, alice):
    event = event_create(owner=alice, name="Ana & Ben", slug="ana-ben", language="it")
    response = client.get("/api/events/ana-ben", {"key": event.upload_key})
    assert (response.status_code, response.json()["language"]) == (200, "it")
