"""Per-event video settings: whether videos are taken, the largest, the guest page's default quality;
edited in the event form (within the site's ceiling) and the admin, and carried by the guest path's policy."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from events.models import Event
from events.selectors import EventPolicies, event_policy
from events.services import event_create
from photoshare_site import wiring
from uploads.policy import MB, QUALITIES

FORM = {"name": "Ana & Ben", "upload_limit": 3, "is_open": "on"}


@pytest.fixture
def staff(db):
    return get_user_model().objects.create_superuser("root", "root@example.org", "a long passphrase")


def test_a_new_event_takes_videos_up_to_200_mb_and_sends_original_photos(wedding):
    policy = event_policy(wedding)
    assert (policy.allow_videos, policy.max_video_bytes, policy.quality) == (True, 200 * MB, "original")


def test_the_organizer_sets_them_in_the_event_form(client, alice, wedding):
    client.force_login(alice)
    form = FORM | {"max_video_megabytes": 50, "smaller_photos": "on"}  # "allow_videos" unticked
    response = client.post(reverse("event-edit", args=[wedding.slug]), form)
    assert response.status_code == 302
    policy = EventPolicies().get(wedding.slug)
    assert (policy.allow_videos, policy.max_video_bytes, policy.quality) == (False, 50 * MB, "smaller")


def test_the_create_form_takes_them_too(client, alice):
    client.force_login(alice)
    form = FORM | {"slug": "ana-ben", "allow_videos": "on", "max_video_megabytes": 700}
    client.post(reverse("event-create"), form)
    assert Event.objects.values_list("allow_videos", "max_video_megabytes").get() == (True, 700)


def test_the_form_says_what_the_site_allows(client, alice, wedding, settings):
    settings.MAX_VIDEO_MB = 300
    client.force_login(alice)
    page = client.get(reverse("event-edit", args=[wedding.slug])).content.decode()
    assert "Empty: 200 MB" in page and "At most 300 MB on this site." in page


@pytest.mark.parametrize(("megabytes", "error"), [(0, "greater than or equal to 1"), (301, "At most 300 MB")])
def test_a_largest_video_out_of_bounds_is_refused(client, alice, wedding, settings, megabytes, error):
    settings.MAX_VIDEO_MB = 300
    client.force_login(alice)
    response = client.post(reverse("event-edit", args=[wedding.slug]), FORM | {"max_video_megabytes": megabytes})
    assert response.status_code == 200 and error in response.content.decode()
    assert Event.objects.get(pk=wedding.pk).max_video_megabytes is None


def test_staff_are_held_to_the_site_ceiling_too(client, alice, staff, wedding, settings):
    settings.MAX_VIDEO_MB = 300
    client.force_login(staff)
    form = FORM | {"owner": alice.pk, "allow_videos": "on", "max_video_megabytes": 301}
    response = client.post(reverse("admin:events_event_change", args=[wedding.pk]), form)
    assert "At most 300 MB on this site." in response.content.decode()
    client.post(reverse("admin:events_event_change", args=[wedding.pk]), form | {"max_video_megabytes": 300})
    assert event_policy(Event.objects.get(pk=wedding.pk)).max_video_bytes == 300 * MB


def test_a_ceiling_lowered_later_bounds_events_saved_before(alice, settings):
    event = event_create(owner=alice, name="Film night", max_video_megabytes=800)
    settings.MAX_VIDEO_MB = 100
    assert event_policy(event).max_video_bytes == 100 * MB


def test_the_policy_speaks_the_guest_pages_qualities(alice):
    original = event_create(owner=alice, name="One")
    smaller = event_create(owner=alice, name="Two", smaller_photos=True)
    assert (event_policy(original).quality, event_policy(smaller).quality) == QUALITIES


@pytest.mark.usefixtures("aws_backend")
def test_the_mirrored_policy_carries_them(alice, client):
    event = event_create(owner=alice, name="Ana & Ben", slug="ana-ben", allow_videos=False, max_video_megabytes=64)
    mirrored = wiring.dynamodb_store().get("ana-ben")
    assert (mirrored.allow_videos, mirrored.max_video_bytes, mirrored.quality) == (False, 64 * MB, "original")
    # Edited through the dashboard's form: the same service, the mirror follows.
    client.force_login(alice)
    client.post(reverse("event-edit", args=[event.slug]), FORM | {"allow_videos": "on", "smaller_photos": "on"})
    mirrored = wiring.dynamodb_store().get("ana-ben")
    assert (mirrored.allow_videos, mirrored.max_video_bytes, mirrored.quality) == (True, 200 * MB, "smaller")
