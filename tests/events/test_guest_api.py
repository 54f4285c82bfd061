"""My uploads (events/views/guest_api.py): a phone lists its own uploads and in-flight claims, sees their
thumbnails and deletes one as the event allows; nothing of another phone's is reachable."""

import hashlib
import json
import uuid
from datetime import UTC, datetime

import pytest

from events.models import GuestDelete, Moderation, Photo
from events.public_url import public_base_url
from events.services import event_create
from photoshare_site import wiring
from tests.conftest import jpeg_bytes
from tests.uploads.direct_helpers import start_body

OTHER_DEVICE = "0b5b1b8e-1b8e-4d84-9d8a-2f1f3f3c0002"


def mine(client, event, device: str, **query):
    return client.get(f"/api/events/{event.slug}/mine", {"key": event.upload_key, "deviceId": device} | query)


def delete(client, event, pk: int, device: str, key: str | None = None):
    body = json.dumps({"key": key or event.upload_key, "deviceId": device})
    return client.post(f"/api/events/{event.slug}/mine/{pk}/delete", body, content_type="application/json")


def assert_refused(response, status: int, code: str) -> None:
    assert response["Content-Type"] == "application/json"
    assert (response.status_code, response.json()["status"]) == (status, code), response.json()
    assert response.json()["message"]


def slots_used(event, device: str) -> int:
    return wiring.quota_store().usage(event.slug, device).count


def test_a_phone_lists_its_own_uploads_with_their_state(client, wedding, device, uploaded):
    # GIVEN three photos from this phone: one shown, one waiting for approval, one hidden
    uploaded(3)
    waiting, hidden, shown = Photo.objects.order_by("pk")
    Photo.objects.filter(pk=waiting.pk).update(approved=False)
    Photo.objects.filter(pk=hidden.pk).update(hidden=True)
    # WHEN the page asks
    body = mine(client, wedding, device).json()
    # THEN newest first, each with its state, a thumbnail link and whether it may be deleted
    assert [(u["id"], u["state"]) for u in body["uploads"]] == [
        (shown.pk, "uploaded"),
        (hidden.pk, "hidden"),
        (waiting.pk, "waiting"),
    ]
    first = body["uploads"][0]
    assert first["kind"] == "photo" and first["canDelete"] is True and first["uploadedAt"].endswith("Z")
    assert first["thumbnailUrl"].startswith(f"http://testserver/api/events/{wedding.slug}/mine/{shown.pk}/thumbnail?")
    assert (body["pending"], body["guestDelete"], body["album"]) == ([], "refund", None)


def test_another_phones_uploads_are_not_listed(client, wedding, device, uploaded):
    uploaded(2, from_device=OTHER_DEVICE)
    assert mine(client, wedding, device).json()["uploads"] == []


def test_an_upload_on_its_way_is_listed_as_uploading(client, wedding, device, photos_dir):
    data = jpeg_bytes(7)
    started = client.post("/api/uploads", start_body(wedding, device, data), content_type="application/json")
    assert started.status_code == 201
    pending = mine(client, wedding, device).json()["pending"]
    fingerprint = hashlib.sha256(data).hexdigest()
    assert [(p["id"], p["state"], p["kind"]) for p in pending] == [(fingerprint, "uploading", "photo")]
    assert mine(client, wedding, OTHER_DEVICE).json()["pending"] == []


def test_approve_first_lists_a_new_upload_as_waiting(client, wedding, device, uploaded):
    wedding.moderation = Moderation.APPROVE_FIRST
    wedding.save()
    uploaded(1)
    assert [u["state"] for u in mine(client, wedding, device).json()["uploads"]] == ["waiting"]


def test_the_album_link_is_given_when_the_album_is_on(client, wedding, device):
    reveal = datetime(2026, 7, 1, 18, 0, tzinfo=UTC)
    wedding.album_on, wedding.album_reveal_at = True, reveal
    wedding.save()
    album = mine(client, wedding, device).json()["album"]
    # At the address guests reach, like the QR code's (on AWS: the dashboard's own, test_guest_api_on_aws.py).
    url = f"{public_base_url()}/album/{wedding.slug}/{wedding.album_token}/"
    assert album == {"url": url, "revealAt": "2026-07-01T18:00:00Z"}


@pytest.mark.parametrize(
    ("query", "status", "code"),
    [
        ({"key": "x" * 43}, 403, "wrong_key"),
        ({"key": ""}, 400, "invalid_field"),
        ({"deviceId": "../../etc/passwd"}, 400, "invalid_field"),
        ({"deviceId": ""}, 400, "invalid_field"),
    ],
    ids=["wrong-key", "no-key", "device-traversal", "no-device"],
)
def test_a_bad_listing_request_is_refused(client, wedding, device, query, status, code):
    assert_refused(mine(client, wedding, device, **query), status, code)


def test_an_unknown_event_lists_nothing(client, wedding, device):
    answer = client.get("/api/events/no-such-event/mine", {"key": wedding.upload_key, "deviceId": device})
    assert_refused(answer, 404, "unknown_event")


def test_the_thumbnail_reaches_its_own_phone_only(client, wedding, device, uploaded):
    uploaded(1)
    photo = Photo.objects.get()
    url = f"/api/events/{wedding.slug}/mine/{photo.pk}/thumbnail"
    own = client.get(url, {"key": wedding.upload_key, "deviceId": device})
    assert (own.status_code, own["Content-Type"]) == (200, "image/webp")
    assert_refused(client.get(url, {"key": wedding.upload_key, "deviceId": OTHER_DEVICE}), 404, "unknown_photo")
    assert_refused(client.get(url, {"key": "x" * 43, "deviceId": device}), 404, "unknown_photo")
    assert_refused(client.get(url, {"key": wedding.upload_key}), 404, "unknown_photo")


def test_a_guest_deletes_their_upload_and_gets_the_slot_back(client, wedding, device, uploaded, photos_dir):
    uploaded(2)
    photo = Photo.objects.first()
    assert slots_used(wedding, device) == 2
    answer = delete(client, wedding, photo.pk, device)
    assert (answer.status_code, answer.json()) == (200, {"status": "deleted", "id": photo.pk})
    assert not Photo.objects.filter(pk=photo.pk).exists()
    assert not (photos_dir / photo.key).exists()
    assert slots_used(wedding, device) == 1
    assert photo.pk not in [u["id"] for u in mine(client, wedding, device).json()["uploads"]]


def test_keep_slot_deletes_without_giving_the_slot_back(client, wedding, device, uploaded, photos_dir):
    wedding.guest_delete = GuestDelete.KEEP_SLOT
    wedding.save()
    uploaded(1)
    photo = Photo.objects.get()
    assert delete(client, wedding, photo.pk, device).status_code == 200
    assert not Photo.objects.exists() and not (photos_dir / photo.key).exists()
    assert slots_used(wedding, device) == 1


def test_deleting_is_refused_when_the_event_turned_it_off(client, wedding, device, uploaded):
    wedding.guest_delete = GuestDelete.OFF
    wedding.save()
    uploaded(1)
    photo = Photo.objects.get()
    assert mine(client, wedding, device).json()["uploads"][0]["canDelete"] is False
    assert_refused(delete(client, wedding, photo.pk, device), 403, "delete_not_allowed")
    assert Photo.objects.filter(pk=photo.pk).exists()


def test_another_device_cannot_delete_it_and_learns_nothing(client, wedding, device, uploaded):
    uploaded(1)
    photo = Photo.objects.get()
    others = delete(client, wedding, photo.pk, OTHER_DEVICE)
    wrong_key = delete(client, wedding, photo.pk, device, key="x" * 43)
    missing = delete(client, wedding, photo.pk + 1000, device)
    for answer in (others, wrong_key, missing):
        assert_refused(answer, 404, "unknown_photo")
    assert others.json() == wrong_key.json() == missing.json()
    assert Photo.objects.filter(pk=photo.pk).exists() and slots_used(wedding, device) == 1


def test_a_photo_of_another_event_cannot_be_deleted_through_this_one(client, alice, wedding, device, uploaded):
    uploaded(1)
    photo = Photo.objects.get()
    other = event_create(owner=alice, name="Other", slug="other", limit=3)
    assert_refused(delete(client, other, photo.pk, device), 404, "unknown_photo")
    assert Photo.objects.filter(pk=photo.pk).exists()


@pytest.mark.parametrize(
    "body",
    [b"", b"[1]", b"{", json.dumps({"key": "k"}).encode(), json.dumps({"deviceId": str(uuid.uuid4())}).encode()],
    ids=["empty", "array", "not-json", "no-device", "no-key"],
)
def test_a_malformed_delete_is_refused_as_a_bad_request(client, wedding, device, uploaded, body):
    uploaded(1)
    photo = Photo.objects.get()
    answer = client.post(f"/api/events/{wedding.slug}/mine/{photo.pk}/delete", body, content_type="application/json")
    assert answer.status_code == 400 and answer.json()["status"] in {"bad_request", "invalid_field"}
    assert Photo.objects.exists()


def test_delete_answers_only_post_and_its_preflight(client, settings, wedding, device):
    settings.GUEST_API_CORS_ORIGINS = ["https://guests.example.org"]
    url = f"/api/events/{wedding.slug}/mine/1/delete"
    preflight = client.options(url, headers={"Origin": "https://guests.example.org"})
    assert (preflight.status_code, preflight["Access-Control-Allow-Origin"]) == (204, "https://guests.example.org")
    assert_refused(client.get(url), 405, "method_not_allowed")
