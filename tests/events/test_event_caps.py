"""An event's caps on photos and bytes: their defaults, who may set what, how they reach the guest
path, and how removing photos gives the event its room back."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from events.models import Event, Photo
from events.services import event_create, event_update, photo_delete
from photoshare_site import wiring
from uploads.aws import clients
from uploads.aws.dynamodb import POLICY_KEY
from uploads.policy import MB, Limits
from uploads.ports import EventUsage


@pytest.fixture
def staff(db):
    return get_user_model().objects.create_superuser("root", "root@example.org", "a long passphrase")


def test_the_default_caps_are_three_times_what_the_expected_guests_can_send(alice):
    event = event_create(owner=alice, name="Ana & Ben", limit=10, expected_guests=80)
    assert event.limits() == Limits(10, 3 * 10 * 80, 3 * 10 * 80 * 2 * MB)
    assert event_create(owner=alice, name="No guess", limit=10).limits().photos == 3 * 10 * 100


def test_the_default_caps_stop_at_the_site_ceiling(alice, settings):
    settings.EVENT_MAX_PHOTOS, settings.EVENT_MAX_MB = 500, 300
    event = event_create(owner=alice, name="Huge", limit=1000, expected_guests=1000)
    assert event.limits() == Limits(1000, 500, 300 * MB)


def test_caps_the_organizer_sets_replace_the_defaults(alice):
    event = event_create(owner=alice, name="Small", limit=10, max_photos=40, max_megabytes=100)
    assert event.limits() == Limits(10, 40, 100 * MB)


def test_an_organizer_cannot_set_a_cap_above_the_site_ceiling(client, alice, wedding, settings):
    settings.EVENT_MAX_PHOTOS = 500
    client.force_login(alice)
    form = {"name": wedding.name, "upload_limit": 3, "is_open": "on", "max_photos": 501}
    response = client.post(reverse("event-edit", args=[wedding.slug]), form)
    assert "ask the site&#x27;s administrators" in response.content.decode()
    assert Event.objects.get(pk=wedding.pk).max_photos is None


def test_staff_may_raise_a_cap_beyond_the_ceiling_and_the_organizer_keeps_it(client, alice, staff, wedding, settings):
    # GIVEN staff raising the event's photo cap past the ceiling in the admin
    settings.EVENT_MAX_PHOTOS = 500
    client.force_login(staff)
    form = {"owner": alice.pk, "name": wedding.name, "upload_limit": 3, "is_open": "on", "max_photos": 5000}
    client.post(reverse("admin:events_event_change", args=[wedding.pk]), form)
    assert Event.objects.get(pk=wedding.pk).max_photos == 5000
    # WHEN the organizer edits something else
    client.force_login(alice)
    client.post(reverse("event-edit", args=[wedding.slug]), form | {"name": "Renamed"})
    # THEN the raised cap stays
    assert Event.objects.values_list("name", "max_photos").get(pk=wedding.pk) == ("Renamed", 5000)


@pytest.mark.parametrize("refund", [True, False], ids=["refund", "no-refund"])
def test_deleting_a_photo_gives_the_event_its_photo_and_bytes_back(uploaded, wedding, refund):
    uploaded(2)
    quota = wiring.quota_store()
    first, second = Photo.objects.order_by("pk")
    assert quota.event_usage(wedding.slug) == EventUsage(2, first.size + second.size)
    photo_delete(photo=first, refund=refund)
    assert quota.event_usage(wedding.slug) == EventUsage(1, second.size)


def test_the_event_page_shows_what_the_event_holds_against_its_caps(client, alice, uploaded, wedding):
    event_update(event=wedding, max_photos=2)
    uploaded(2)
    client.force_login(alice)
    response = client.get(reverse("event-detail", args=[wedding.slug]))
    caps = response.context["caps"]
    stored = sum(Photo.objects.values_list("size", flat=True))
    assert (caps.usage, caps.max_photos, caps.full) == (EventUsage(2, stored), 2, True)
    assert "2 of 2</strong> photos" in response.content.decode()
    assert "the event is full" in response.content.decode()


@pytest.mark.usefixtures("aws_backend")
def test_the_caps_reach_the_guest_path_in_the_mirrored_policy(alice):
    event_create(owner=alice, name="Ana & Ben", slug="ana-ben", limit=10, max_photos=40, max_megabytes=100)
    assert wiring.dynamodb_store().get("ana-ben").limits == Limits(10, 40, 100 * MB)


@pytest.mark.usefixtures("aws_backend")
def test_a_policy_mirrored_before_caps_existed_gets_the_defaults_for_its_limit(alice):
    event_create(owner=alice, name="Ana & Ben", slug="ana-ben", limit=10)
    store = wiring.dynamodb_store()
    key = {"EventName": {"S": "ana-ben"}, "DeviceID": {"S": POLICY_KEY}}
    clients.dynamodb().update_item(TableName=store.table, Key=key, UpdateExpression="REMOVE MaxPhotos, MaxBytes")
    assert store.get("ana-ben").limits == Limits(10, 3000, 3000 * 2 * MB)
