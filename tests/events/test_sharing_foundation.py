"""What the wall, the album and moderation stand on: their links' tokens, what counts as shared, the
language guest pages speak, and the migration that brought them."""

from datetime import UTC, datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.http import Http404
from django.test import RequestFactory

from events.languages import activate_for_guests
from events.models import Event, Moderation, Photo
from events.recorder import photo_record
from events.selectors import shared_event, shared_photos
from events.services import event_create
from uploads.ports import StoredPhoto

BEFORE = [("events", "0005_event_videos")]
AFTER = [("events", "0006_sharing_and_moderation")]


def stored(event: Event, key: str) -> StoredPhoto:
    return StoredPhoto(
        event=event.slug,
        guest_name="Carla",
        device="d1",
        key=key,
        content_type="image/jpeg",
        size=10,
        width=4,
        height=3,
        sha256="0" * 64,
        uploaded_at=datetime(2026, 6, 1, 12, tzinfo=UTC),
    )


@pytest.mark.parametrize("link", ["wall", "album"])
def test_a_link_opens_its_own_event_only_while_on_and_with_its_token(wedding, bob, link):
    party = event_create(owner=bob, name="Party", slug="party", limit=3)
    for event in (wedding, party):
        setattr(event, "wall_on" if link == "wall" else "album_on", True)
        event.save()
    token = getattr(wedding, f"{link}_token")
    assert shared_event("ana-ben", token, link=link) == wedding
    for slug, wrong in [("ana-ben", token[:-1]), ("ana-ben", ""), ("party", token), ("nobody", token)]:
        with pytest.raises(Http404):
            shared_event(slug, wrong, link=link)


@pytest.mark.parametrize("link", ["wall", "album"])
def test_a_link_turned_off_answers_404_even_with_the_right_token(wedding, link):
    with pytest.raises(Http404):
        shared_event("ana-ben", getattr(wedding, f"{link}_token"), link=link)


def test_only_approved_photos_not_hidden_are_shared(wedding):
    wedding.moderation = Moderation.APPROVE_FIRST
    wedding.save()
    waiting = photo_record(stored=stored(wedding, "ana-ben/carla/1.jpg"))
    wedding.moderation = Moderation.AT_ONCE
    wedding.save()
    shown = photo_record(stored=stored(wedding, "ana-ben/carla/2.jpg"))
    hidden = photo_record(stored=stored(wedding, "ana-ben/carla/3.jpg"))
    Photo.objects.filter(pk=hidden.pk).update(hidden=True)
    assert (waiting.approved, shown.approved) == (False, True)
    assert list(shared_photos(wedding)) == [shown]


@pytest.mark.parametrize(
    ("fixed", "accept", "spoken"),
    [("", "de-CH,de;q=0.9,en;q=0.5", "de"), ("", "ja,ko;q=0.8", "en"), ("it", "de", "it"), ("", "pt-BR", "pt")],
)
def test_guest_pages_speak_the_events_language_or_the_browsers_best_match(fixed, accept, spoken):
    request = RequestFactory().get("/", HTTP_ACCEPT_LANGUAGE=accept)
    assert activate_for_guests(request, Event(language=fixed)) == spoken


@pytest.fixture
def back_to_the_latest_schema(transactional_db):
    yield
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


def test_migrating_gives_each_existing_event_tokens_of_its_own_and_dates_changes_at_upload(back_to_the_latest_schema):
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    owner = old.get_model("auth", "User").objects.create(username="olga")
    OldEvent, OldPhoto = old.get_model("events", "Event"), old.get_model("events", "Photo")
    uploaded_at = datetime(2026, 5, 1, 9, tzinfo=UTC)
    for slug in ("one", "two"):
        event = OldEvent.objects.create(owner=owner, name=slug, slug=slug, upload_key=slug * 8)
        OldPhoto.objects.create(
            event=event, guest_name="g", device_id="d", key=f"{slug}/g/1.jpg", content_type="image/jpeg",
            size=1, width=1, height=1, sha256="0" * 64, uploaded_at=uploaded_at,
        )  # fmt: skip
    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)
    new = executor.loader.project_state(AFTER).apps
    tokens = list(new.get_model("events", "Event").objects.values_list("wall_token", "album_token"))
    assert len({token for pair in tokens for token in pair}) == 4
    assert set(new.get_model("events", "Photo").objects.values_list("changed_at", flat=True)) == {uploaded_at}
