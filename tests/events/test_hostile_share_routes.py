"""Hostile input against the routes guests and venue screens reach without a log-in (the wall link, the
album link, My uploads, the table card's short address): every case answers a 4xx, never a 5xx, and
writes nothing."""

import json
from functools import partial
from urllib.parse import quote

import pytest

from events import services
from events.models import Photo
from events.short_link_limit import LOOKUPS, short_link_limiter
from events.views import short_links

TRAVERSAL = quote("../../etc/passwd", safe="")
HUGE = "t" * 20_000
UNICODE = quote("tøkén\u202e", safe="")


@pytest.fixture
def shared(wedding, uploaded):
    """An event whose wall and album links are on, with one shared photo."""
    uploaded(1)
    for link in ("wall", "album"):
        services.event_share_link(event=wedding, link=link, action="on")
    return wedding


def share_cases(event, photo) -> list[tuple[str, str]]:
    wall, album = f"/wall/{event.slug}/{event.wall_token}", f"/album/{event.slug}/{event.album_token}"
    return [
        # Tokens: wrong, empty-ish, huge, traversal, unicode, another kind's
        ("wall-wrong-token", f"/wall/{event.slug}/{'x' * 32}/"),
        ("wall-huge-token", f"/wall/{event.slug}/{HUGE}/"),
        ("wall-traversal-token", f"/wall/{event.slug}/{TRAVERSAL}/"),
        ("wall-unicode-token", f"/wall/{event.slug}/{UNICODE}/feed.json"),
        ("wall-album-token", f"/wall/{event.slug}/{event.album_token}/"),
        ("wall-unknown-event", f"/wall/nobody/{event.wall_token}/"),
        ("album-wrong-token", f"/album/{event.slug}/{'x' * 32}/"),
        ("album-huge-token", f"/album/{event.slug}/{HUGE}/download.zip"),
        ("album-wall-token", f"/album/{event.slug}/{event.wall_token}/"),
        # Files: unknown kinds, another photo, a number too large
        ("wall-unknown-kind", f"{wall}/photos/{photo.pk}/original"),
        ("wall-kind-traversal", f"{wall}/photos/{photo.pk}/{TRAVERSAL}"),
        ("wall-photo-missing", f"{wall}/photos/{photo.pk + 1000}/display"),
        ("wall-photo-huge-id", f"{wall}/photos/{10**30}/display"),
        ("wall-video-of-a-photo", f"{wall}/photos/{photo.pk}/video"),
        ("album-unknown-kind", f"{album}/photos/{photo.pk}/exe"),
        ("album-photo-huge-id", f"{album}/photos/{10**30}/original"),
        # My uploads without its credentials, or with hostile ones
        ("mine-no-credentials", f"/api/events/{event.slug}/mine"),
        ("mine-device-traversal", f"/api/events/{event.slug}/mine?key={event.upload_key}&deviceId={TRAVERSAL}"),
        ("mine-huge-key", f"/api/events/{event.slug}/mine?key={HUGE}&deviceId={photo.device_id}"),
        ("mine-thumbnail-wrong-key", f"/api/events/{event.slug}/mine/{photo.pk}/thumbnail?key=x&deviceId=y"),
        ("mine-unknown-event", f"/api/events/{TRAVERSAL}/mine?key=x&deviceId=y"),
        # The card's short address: unknown, huge, traversal, unicode, the key in its place
        ("short-unknown-code", "/g/ZZZZZ-ZZZZZ"),
        ("short-huge-code", f"/g/{HUGE}"),
        ("short-traversal-code", f"/g/{TRAVERSAL}"),
        ("short-unicode-code", f"/g/{UNICODE}"),
        ("short-upload-key", f"/g/{event.upload_key}"),
    ]


# Garbage the pages read from their query string: they answer as if it were absent, never an error page.
QUERY_GARBAGE = ["after=" + quote(v, safe="") for v in ["-1", "9" * 400, "x-y", "1-", "-", "\x00", "1e9-1e9"]] + [
    "page=" + quote(v, safe="") for v in ["-1", "0", "9" * 400, "abc", "1.5"]
]


def test_every_hostile_share_route_is_a_clean_4xx(client, shared):
    photo = Photo.objects.get()
    for case, url in share_cases(shared, photo):
        response = client.get(url)
        assert 400 <= response.status_code < 500, (case, response.status_code)


@pytest.mark.parametrize("query", QUERY_GARBAGE)
def test_garbage_in_the_query_string_of_the_feed_and_the_album_is_ignored(client, shared, query):
    for url in (f"/wall/{shared.slug}/{shared.wall_token}/feed.json", f"/album/{shared.slug}/{shared.album_token}/"):
        assert client.get(f"{url}?{query}").status_code == 200, url


@pytest.mark.parametrize(
    "body",
    [b"", b"{", b"[]", b"null", json.dumps({"key": {"$ne": ""}, "deviceId": "x"}).encode(), b"\xff\xfe", b"[" * 5000],
    ids=["empty", "broken", "array", "null", "object-key", "bad-utf8", "deep"],
)
def test_a_hostile_delete_of_my_upload_is_a_clean_4xx_and_deletes_nothing(client, shared, photos_dir, body):
    photo = Photo.objects.get()
    response = client.post(f"/api/events/{shared.slug}/mine/{photo.pk}/delete", body, content_type="application/json")
    assert 400 <= response.status_code < 500
    assert response["Content-Type"] == "application/json" and response.json()["status"]
    assert Photo.objects.filter(pk=photo.pk).exists() and (photos_dir / photo.key).exists()


def test_the_short_address_answers_404_to_unknown_or_huge_codes_and_429_past_its_limit(client, wedding, monkeypatch):
    # A clock that stands still: the bucket does not refill however slowly the requests go.
    monkeypatch.setattr(short_links, "short_link_limiter", partial(short_link_limiter, clock=lambda: 1e6))
    for code in ["ZZZZZ-ZZZZZ", "Z" * 20_000, "", "U" * 10]:
        assert client.get(f"/g/{code}").status_code == 404, code[:20]
    # Each well-formed lookup counts, found or not: the unknown one above was one of the burst.
    answers = {client.get("/g/ZZZZZ-ZZZZZ").status_code for _ in range(LOOKUPS.uploads.burst)}
    assert answers == {404, 429}
    assert client.get(f"/g/{wedding.short_code}").status_code == 429
