"""The live wall's feed, page and media routes: the dashboard's (logged in) and the link's (a token)."""

import io

import pytest
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from events import services, wall_feed
from events.models import Event, Photo, new_share_token
from events.thumbnails import display_key
from photoshare_site import wiring
from tests.conftest import jpeg_bytes


@pytest.fixture
def wall_on(wedding) -> Event:
    return services.event_update(event=wedding, wall_on=True)


@pytest.fixture
def three(uploaded) -> list[Photo]:
    """Three shared photos, oldest first."""
    uploaded(3)
    return list(Photo.objects.order_by("pk"))


def moderate(photo: Photo, **fields) -> None:
    # As the moderation services write it: the change moves changed_at, the feed's cursor.
    Photo.objects.filter(pk=photo.pk).update(changed_at=timezone.now(), **fields)


def feed(client, event: Event, after: str | None = None) -> dict:
    query = {"after": after} if after else {}
    response = client.get(reverse("wall-feed", args=[event.slug, event.wall_token]), query)
    assert response.status_code == 200
    return response.json()


def ids(body: dict) -> list[int]:
    return [entry["id"] for entry in body["photos"]]


def test_the_first_answer_holds_the_shared_photos_newest_first(client, wall_on, three):
    body = feed(client, wall_on)
    assert body["full"] and ids(body) == [p.pk for p in reversed(three)]
    entry = body["photos"][0]
    assert entry["src"] == reverse("wall-photo", args=[wall_on.slug, wall_on.wall_token, three[2].pk, "display"])
    assert (entry["kind"], entry["caption"]) == ("photo", "Carla")


def test_with_nothing_changed_the_next_answer_is_empty_and_keeps_the_cursor(client, wall_on, three):
    first = feed(client, wall_on)
    later = feed(client, wall_on, first["cursor"])
    assert (later["full"], later["photos"], later["drop"], later["cursor"]) == (False, [], [], first["cursor"])


def test_a_photo_approved_later_is_in_the_next_answer_and_only_then(client, wall_on, three):
    moderate(three[1], approved=False)
    first = feed(client, wall_on)
    assert three[1].pk not in ids(first)
    moderate(three[1], approved=True)
    later = feed(client, wall_on, first["cursor"])
    assert (ids(later), later["drop"]) == ([three[1].pk], [])
    assert feed(client, wall_on, later["cursor"])["photos"] == []


def test_a_photo_hidden_or_unapproved_after_it_was_shown_is_dropped(client, wall_on, three):
    first = feed(client, wall_on)
    moderate(three[0], hidden=True)
    moderate(three[2], approved=False)
    later = feed(client, wall_on, first["cursor"])
    assert (later["photos"], later["drop"]) == ([], [three[0].pk, three[2].pk])


def test_a_new_upload_is_in_the_next_answer_unless_the_event_approves_first(client, wall_on, uploaded):
    first = feed(client, wall_on)
    assert first["photos"] == []
    uploaded(1, seed=10)
    later = feed(client, wall_on, first["cursor"])
    assert ids(later) == [Photo.objects.get().pk]
    services.event_update(event=wall_on, moderation="approve_first")
    uploaded(1, seed=20)
    waiting = feed(client, wall_on, later["cursor"])
    assert (waiting["photos"], len(waiting["drop"])) == ([], 1)


def test_a_deleted_photo_is_missing_from_the_next_full_answer(client, wall_on, three):
    # Deletes leave no change behind: wall.js asks for a full answer every FULL_SYNC_SECONDS.
    services.photo_delete(photo=three[1], refund=False)
    assert ids(feed(client, wall_on)) == [three[2].pk, three[0].pk]


def test_a_malformed_cursor_gets_a_full_answer(client, wall_on, three):
    for after in ["x", "12-", "-3", "1-2-3", "٣-1", "9" * 19 + "-1", "1-" + "9" * 30]:
        assert feed(client, wall_on, after)["full"]


def test_every_answer_is_bounded_and_a_full_page_of_changes_says_there_is_more(client, wall_on, three, monkeypatch):
    monkeypatch.setattr(wall_feed, "LATEST_PHOTOS", 2)
    monkeypatch.setattr(wall_feed, "CHANGES_PER_ANSWER", 2)
    first = feed(client, wall_on)
    assert ids(first) == [three[2].pk, three[1].pk]
    for photo in three:
        moderate(photo, hidden=True)
    page = feed(client, wall_on, first["cursor"])
    assert (page["drop"], page["more"]) == ([three[0].pk, three[1].pk], True)
    rest = feed(client, wall_on, page["cursor"])
    assert (rest["drop"], rest["more"]) == ([three[2].pk], False)


def test_captions_are_left_out_when_the_event_turns_them_off(client, wall_on, three):
    services.event_update(event=wall_on, wall_captions=False)
    assert {entry["caption"] for entry in feed(client, wall_on)["photos"]} == {""}


def test_the_links_feed_may_be_cached_two_seconds_and_the_dashboards_is_private(client, alice, wall_on, three):
    response = client.get(reverse("wall-feed", args=[wall_on.slug, wall_on.wall_token]))
    assert response["Cache-Control"] == "public, max-age=2"
    client.force_login(alice)
    response = client.get(reverse("event-wall-feed", args=[wall_on.slug]))
    assert "private" in response["Cache-Control"] and "public" not in response["Cache-Control"]
    entry = response.json()["photos"][0]
    assert entry["src"] == reverse("photo-display", args=[wall_on.slug, three[2].pk])


def link_urls(event: Event, photo: Photo, token: str | None = None) -> list[str]:
    args = [event.slug, token or event.wall_token]
    return [
        reverse("wall", args=args),
        reverse("wall-feed", args=args),
        reverse("wall-photo", args=[*args, photo.pk, "display"]),
    ]


def test_every_route_of_the_link_answers_while_it_is_on(client, wall_on, three):
    assert [client.get(url).status_code for url in link_urls(wall_on, three[0])] == [200, 200, 200]


def test_a_link_turned_off_or_renewed_opens_nothing(client, wall_on, three):
    old = wall_on.wall_token
    services.event_share_link(event=wall_on, link="wall", action="renew")
    assert {client.get(url).status_code for url in link_urls(wall_on, three[0], old)} == {404}
    services.event_share_link(event=wall_on, link="wall", action="off")
    assert {client.get(url).status_code for url in link_urls(wall_on, three[0])} == {404}


def test_another_events_token_opens_nothing_of_this_one(client, alice, bob, wall_on, three):
    other = services.event_create(owner=bob, name="Other", slug="other", wall_on=True)
    assert {client.get(url).status_code for url in link_urls(wall_on, three[0], other.wall_token)} == {404}
    # Nor does its own link reach this event's photos.
    assert client.get(link_urls(other, three[0])[2]).status_code == 404
    assert client.get(reverse("wall", args=[wall_on.slug, new_share_token()])).status_code == 404


def test_the_links_media_route_serves_shared_photos_only(client, wall_on, three):
    moderate(three[0], hidden=True)
    moderate(three[1], approved=False)
    url = link_urls(wall_on, three[0])[2]
    assert client.get(url).status_code == 404
    assert client.get(link_urls(wall_on, three[1])[2]).status_code == 404
    assert client.get(url.replace("display", "original")).status_code == 404
    assert client.get(link_urls(wall_on, three[2])[2].replace("display", "video")).status_code == 404


def large_jpeg() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (3000, 2000), (200, 100, 50)).save(buffer, "JPEG")
    return buffer.getvalue()


def test_the_display_rendition_is_made_on_first_request_at_1920_px_and_deleted_with_the_photo(
    client, wall_on, uploaded, monkeypatch
):
    monkeypatch.setattr("tests.conftest.jpeg_bytes", lambda seed=0: large_jpeg())
    uploaded(1)
    photo = Photo.objects.get()
    storage = wiring.photo_links().storage
    response = client.get(reverse("wall-photo", args=[wall_on.slug, wall_on.wall_token, photo.pk, "display"]))
    assert (response.status_code, response["Content-Type"]) == (200, "image/webp")
    assert response["Cache-Control"] == "private, max-age=600"
    with Image.open(io.BytesIO(b"".join(response.streaming_content))) as image:
        assert (image.format, image.size) == ("WEBP", (1920, 1280))
    assert storage.exists(display_key(photo.key))
    services.photo_delete(photo=photo, refund=False)
    assert not storage.exists(display_key(photo.key))


def test_a_small_photos_display_rendition_is_not_enlarged(client, wall_on, three):
    response = client.get(link_urls(wall_on, three[0])[2])
    with Image.open(io.BytesIO(b"".join(response.streaming_content))) as image:
        assert image.size == Image.open(io.BytesIO(jpeg_bytes())).size


def test_the_link_page_speaks_the_events_language_and_carries_the_qr_code(client, wall_on):
    services.event_update(event=wall_on, language="de")
    page = client.get(reverse("wall", args=[wall_on.slug, wall_on.wall_token]), HTTP_ACCEPT_LANGUAGE="fr")
    html = page.content.decode()
    assert '<html lang="de">' in html and "<svg" in html and "<?xml" not in html
    assert reverse("wall-feed", args=[wall_on.slug, wall_on.wall_token]) in html


def test_the_organizer_turns_the_link_on_renews_it_and_turns_it_off(client, alice, wedding):
    client.force_login(alice)
    url = reverse("event-wall-link", args=[wedding.slug])
    old = wedding.wall_token
    client.post(url, {"action": "on"})
    page = client.get(reverse("event-detail", args=[wedding.slug])).content.decode()
    assert reverse("wall", args=[wedding.slug, old]) in page
    client.post(url, {"action": "renew"})
    wedding.refresh_from_db()
    assert wedding.wall_on and wedding.wall_token != old
    client.post(url, {"action": "off"})
    wedding.refresh_from_db()
    assert not wedding.wall_on
    client.post(url, {"action": "sideways"})
    wedding.refresh_from_db()
    assert not wedding.wall_on


def test_the_organizer_opens_the_wall_from_the_dashboard_even_with_the_link_off(client, alice, wedding, three):
    client.force_login(alice)
    page = client.get(reverse("event-wall", args=[wedding.slug]))
    assert page.status_code == 200 and reverse("event-wall-feed", args=[wedding.slug]) in page.content.decode()
    display = client.get(reverse("photo-display", args=[wedding.slug, three[0].pk]))
    assert display["Content-Type"] == "image/webp"
