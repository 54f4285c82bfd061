"""On AWS, every saved event is mirrored to DynamoDB, where the guest Lambda reads it."""

from datetime import UTC, datetime

import pytest
from botocore.exceptions import EndpointConnectionError

from events.models import Event
from events.services import event_create, event_rotate_key
from uploads.backends import dynamodb_store
from uploads.policy import hash_upload_key
from uploads.ports import QuotaUnavailable

pytestmark = pytest.mark.usefixtures("aws_backend")


def test_creating_an_event_publishes_its_policy(alice):
    event = event_create(owner=alice, name="Ana & Ben", slug="ana-ben", limit=12)
    policy = dynamodb_store().get("ana-ben")
    assert (policy.name, policy.limit, policy.is_open) == ("Ana & Ben", 12, True)
    assert policy.upload_key_sha256 == hash_upload_key(event.upload_key)
    assert policy.key_matches(event.upload_key)


def test_editing_closing_and_rotating_update_the_policy(wedding):
    wedding.upload_limit, wedding.is_open = 20, False
    wedding.save()
    event_rotate_key(event=wedding)
    policy = dynamodb_store().get(wedding.slug)
    assert (policy.limit, policy.is_open) == (20, False)
    assert policy.key_matches(wedding.upload_key)


def test_deleting_an_event_removes_its_policy(wedding):
    wedding.delete()
    assert dynamodb_store().get("ana-ben") is None


def test_an_event_is_not_saved_when_its_policy_cannot_be_published(alice, monkeypatch):
    def unreachable(**kwargs):
        raise EndpointConnectionError(endpoint_url="https://dynamodb")

    store_client = dynamodb_store().client
    monkeypatch.setattr(store_client, "put_item", unreachable)
    with pytest.raises(QuotaUnavailable):
        event_create(owner=alice, name="Ana & Ben")
    assert not Event.objects.exists()


def test_the_closing_time_is_mirrored_and_enforced_by_the_guest_store(wedding):
    wedding.closes_at = datetime(2026, 6, 20, 23, 0, tzinfo=UTC)
    wedding.save()
    policy = dynamodb_store().get(wedding.slug)
    assert policy.closes_at == wedding.closes_at
    assert policy.accepts_uploads(datetime(2026, 6, 20, 22, 59, tzinfo=UTC))
    assert not policy.accepts_uploads(datetime(2026, 6, 20, 23, 0, tzinfo=UTC))
