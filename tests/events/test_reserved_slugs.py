"""Slugs that are folders of the photo storage itself: an event named so would share thumbnails' or
exports' folder, and the S3 trigger (which skips those folders) would never index its photos."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from events.exports import EXPORT_PREFIX
from events.models import Event
from events.services import event_create
from events.thumbnails import THUMBNAIL_PREFIX
from uploads.ports import STAGING_PREFIX


@pytest.mark.parametrize("prefix", [THUMBNAIL_PREFIX, EXPORT_PREFIX, STAGING_PREFIX])
def test_every_storage_folder_is_refused_as_a_slug(alice, prefix):
    folder = prefix.rstrip("/")
    with pytest.raises(ValidationError):
        event_create(owner=alice, name="Party", slug=folder)
    assert not Event.objects.exists()


@pytest.mark.parametrize("slug", ["thumbs", "exports"])
def test_the_form_says_why(client, alice, slug):
    client.force_login(alice)
    response = client.post(reverse("event-create"), {"name": "Party", "slug": slug, "upload_limit": 3})
    assert f"“{slug}” is a folder of the photo storage itself" in response.content.decode()
    assert not Event.objects.exists()


def test_a_name_that_would_make_a_reserved_slug_gets_another(alice):
    assert event_create(owner=alice, name="Thumbs").slug == "thumbs-2"


def test_slugs_that_merely_start_like_a_folder_are_fine(alice):
    assert event_create(owner=alice, name="x", slug="thumbs-up").slug == "thumbs-up"
    assert event_create(owner=alice, name="y", slug="exports2").slug == "exports2"
