"""On AWS every write of an event is mirrored to DynamoDB, where the guest Lambda reads it, in one
transaction with the row: when DynamoDB refuses, every path shows a message and changes nothing."""

from datetime import UTC, datetime

import pytest
from botocore.exceptions import EndpointConnectionError
from django.contrib.auth import get_user_model
from django.contrib.messages import get_messages
from django.urls import reverse

from events.models import Event
from events.services import EventNotSaved, event_create, event_rotate_key, event_update
from photoshare_site.wiring import dynamodb_store
from uploads.aws import clients
from uploads.policy import hash_upload_key

pytestmark = pytest.mark.usefixtures("aws_backend")


@pytest.fixture
def staff(db):
    return get_user_model().objects.create_superuser("root", "root@example.org", "a long passphrase")


def error_messages(response) -> list[str]:
    return [m.message for m in get_messages(response.wsgi_request) if m.level_tag == "error"]


def test_creating_an_event_publishes_its_policy(alice):
    event = event_create(owner=alice, name="Ana & Ben", slug="ana-ben", limit=12)
    policy = dynamodb_store().get("ana-ben")
    assert (policy.name, policy.limit, policy.is_open) == ("Ana & Ben", 12, True)
    assert policy.upload_key_sha256 == hash_upload_key(event.upload_key)
    assert policy.key_matches(event.upload_key)


def test_editing_closing_and_rotating_update_the_policy(wedding):
    event_update(event=wedding, upload_limit=20, is_open=False)
    event_rotate_key(event=wedding)
    policy = dynamodb_store().get(wedding.slug)
    assert (policy.limit, policy.is_open) == (20, False)
    assert policy.key_matches(wedding.upload_key)


def test_the_closing_time_is_mirrored_and_enforced_by_the_guest_store(wedding):
    event_update(event=wedding, closes_at=datetime(2026, 6, 20, 23, 0, tzinfo=UTC))
    policy = dynamodb_store().get(wedding.slug)
    assert policy.closes_at == wedding.closes_at
    assert policy.accepts_uploads(datetime(2026, 6, 20, 22, 59, tzinfo=UTC))
    assert not policy.accepts_uploads(datetime(2026, 6, 20, 23, 0, tzinfo=UTC))


def test_the_create_service_saves_nothing_when_the_policy_cannot_be_published(alice):
    with pytest.raises(EventNotSaved):
        refusing(lambda: event_create(owner=alice, name="Ana & Ben"))
    assert not Event.objects.exists()


def test_the_create_form_says_so_and_saves_nothing(client, alice):
    client.force_login(alice)
    form = {"name": "Ana & Ben", "slug": "", "upload_limit": 10, "is_open": "on"}
    response = refusing(lambda: client.post(reverse("event-create"), form, follow=True))
    assert error_messages(response) == [EventNotSaved.message]
    assert not Event.objects.exists()


# Each dashboard path that writes an event: (url name, form data). The event and its mirrored policy
# must read the same before and after a refused write.
DASHBOARD_WRITES = [
    ("event-edit", {"name": "Renamed", "upload_limit": 50, "is_open": "on"}),
    ("event-toggle-open", {}),
    ("event-rotate-key", {}),
]


@pytest.mark.parametrize(("route", "form"), DASHBOARD_WRITES, ids=[r for r, _ in DASHBOARD_WRITES])
def test_a_refused_dashboard_write_changes_neither_the_event_nor_its_policy(client, alice, wedding, route, form):
    client.force_login(alice)
    before, policy_before = Event.objects.get(pk=wedding.pk), dynamodb_store().get(wedding.slug)
    with_refusal = refusing(lambda: client.post(reverse(route, args=[wedding.slug]), form, follow=True))
    assert error_messages(with_refusal) == [EventNotSaved.message]
    after = Event.objects.get(pk=wedding.pk)
    assert (after.name, after.upload_limit, after.is_open, after.upload_key) == (
        before.name,
        before.upload_limit,
        before.is_open,
        before.upload_key,
    )
    assert dynamodb_store().get(wedding.slug) == policy_before


def test_a_refused_admin_edit_changes_nothing_and_says_so(client, staff, wedding):
    client.force_login(staff)
    url = reverse("admin:events_event_change", args=[wedding.pk])
    form = {"owner": wedding.owner.pk, "name": "Renamed", "upload_limit": 50, "is_open": "on"}
    response = refusing(lambda: client.post(url, form, follow=True))
    assert error_messages(response) == [EventNotSaved.message]
    assert Event.objects.get(pk=wedding.pk).name == "Ana & Ben"
    assert dynamodb_store().get(wedding.slug).name == "Ana & Ben"


def test_an_admin_edit_is_mirrored(client, staff, wedding):
    client.force_login(staff)
    url = reverse("admin:events_event_change", args=[wedding.pk])
    client.post(url, {"owner": wedding.owner.pk, "name": "Renamed", "upload_limit": 50, "is_open": "on"})
    assert (dynamodb_store().get(wedding.slug).name, dynamodb_store().get(wedding.slug).limit) == ("Renamed", 50)


def test_a_refused_admin_key_rotation_changes_nothing_and_says_so(client, staff, wedding):
    client.force_login(staff)
    form = {"action": "rotate_upload_key", "_selected_action": [wedding.pk]}
    response = refusing(lambda: client.post(reverse("admin:events_event_changelist"), form, follow=True))
    assert error_messages(response) == [EventNotSaved.message]
    assert Event.objects.get(pk=wedding.pk).upload_key == wedding.upload_key
    assert dynamodb_store().get(wedding.slug).key_matches(wedding.upload_key)


def test_a_refused_delete_keeps_the_event_open_and_says_so(client, alice, wedding):
    client.force_login(alice)
    url = reverse("event-delete", args=[wedding.slug])
    response = refusing(lambda: client.post(url, {"name": wedding.name}, follow=True))
    assert error_messages(response) == [EventNotSaved.message]
    assert Event.objects.get(pk=wedding.pk).is_open
    assert dynamodb_store().get(wedding.slug).is_open


def refusing(action):
    """Run `action` while DynamoDB is unreachable for policy writes, as in a real outage (the botocore
    call itself fails)."""

    def unreachable(**kwargs):
        raise EndpointConnectionError(endpoint_url="https://dynamodb.eu-west-1.amazonaws.com")

    events = clients.dynamodb().meta.events
    events.register_first("before-call.dynamodb.PutItem", unreachable, unique_id="refuse-policy")
    try:
        return action()
    finally:
        events.unregister("before-call.dynamodb.PutItem", unique_id="refuse-policy")
