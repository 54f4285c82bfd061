import base64
import io
import json
import uuid

import pytest
from PIL import Image

from events.models import Photo
from events.services import event_update
from photoshare_site.wiring import quota_store
from tests.conftest import SAMPLES, jpeg_bytes, upload_body
from uploads.ports import EventFull

pytestmark = pytest.mark.usefixtures("photos_dir")


def post(client, body, **extra):
    data = body if isinstance(body, (str, bytes)) else json.dumps(body)
    return client.post("/api/upload", data, content_type="application/json", **extra)


def assert_json_error(response, status: int, code: str) -> dict:
    assert response.status_code == status
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert body["status"] == code and body["message"]
    return body


def test_an_upload_answers_the_new_count(client, wedding, device, photos_dir):
    response = post(client, upload_body(wedding, device=device))
    assert response.status_code == 200
    body = response.json()
    assert {k: body[k] for k in ("status", "count", "limit", "remaining")} == {
        "status": "ok",
        "count": 1,
        "limit": 3,
        "remaining": 2,
    }
    assert (photos_dir / body["key"]).read_bytes() == jpeg_bytes()


def test_a_data_url_prefix_is_accepted(client, wedding, device):
    image = "data:image/jpeg;base64," + base64.b64encode(jpeg_bytes()).decode()
    assert post(client, upload_body(wedding, device=device, image=image)).status_code == 200


def test_past_the_limit_it_answers_429_with_the_count(client, wedding, device):
    for seed in range(3):
        assert post(client, upload_body(wedding, device=device, photo=jpeg_bytes(seed))).status_code == 200
    body = assert_json_error(
        post(client, upload_body(wedding, device=device, photo=jpeg_bytes(9))), 429, "limit_reached"
    )
    assert (body["count"], body["limit"], body["remaining"]) == (3, 3, 0)


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"guestName": ""}, "guestName"),
        ({"guestName": "x" * 81}, "guestName"),
        ({"guestName": "x" * 10_000}, "guestName"),
        ({"guestName": "\x00\x01\n"}, "guestName"),
        ({"guestName": 42}, "guestName"),
        ({"deviceId": "not-a-uuid"}, "deviceId"),
        ({"deviceId": "../../etc"}, "deviceId"),
        ({"deviceId": None}, "deviceId"),
        ({"eventName": "../ana-ben"}, "eventName"),
        ({"eventName": "Ana-Ben"}, "eventName"),
        ({"uploadKey": ""}, "uploadKey"),
        ({"uploadKey": ["list"]}, "uploadKey"),
        ({"image": "%%%not base64%%%"}, "image"),
        ({"image": ""}, "image"),
        ({"image": 7}, "image"),
    ],
)
def test_an_invalid_field_answers_400_naming_it(client, wedding, device, photos_dir, overrides, field):
    body = assert_json_error(post(client, upload_body(wedding, device=device, **overrides)), 400, "invalid_field")
    assert body["field"] == field
    assert not photos_dir.exists() or not any(photos_dir.rglob("*.*"))


@pytest.mark.parametrize("body", ["{not json", "[1, 2]", "null", b"\xff\xfe", ""])
def test_a_body_that_is_not_a_json_object_answers_400(client, body):
    assert_json_error(post(client, body), 400, "bad_request")


@pytest.mark.parametrize(
    "image",
    [b"just some text", b"\xff\xd8\xff\xe0" + b"\x00" * 100, (SAMPLES / "gps-orientation6.jpg").read_bytes()[:30_000]],
    ids=["text", "jpeg-magic-then-garbage", "truncated-jpeg"],
)
def test_a_file_that_is_not_a_whole_photo_answers_400(client, wedding, device, image):
    assert_json_error(post(client, upload_body(wedding, device=device, photo=image)), 400, "invalid_image")
    assert quota_store().usage(wedding.slug, device).count == 0


def test_a_photo_over_the_size_limit_answers_413(client, settings, wedding, device):
    settings.MAX_UPLOAD_BYTES = 2048
    assert_json_error(post(client, upload_body(wedding, device=device, photo=b"\xff" * 4096)), 413, "too_large")


def test_a_body_over_the_request_limit_answers_413_before_it_is_read(client, settings, wedding, device):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    assert_json_error(post(client, upload_body(wedding, device=device)), 413, "too_large")


def test_a_wrong_key_answers_403(client, wedding, device):
    assert_json_error(post(client, upload_body(wedding, device=device, uploadKey="guess")), 403, "wrong_key")


def test_a_closed_event_answers_403(client, wedding, device):
    wedding.is_open = False
    wedding.save()
    assert_json_error(post(client, upload_body(wedding, device=device)), 403, "event_closed")


def test_60_random_device_ids_cannot_store_past_the_event_cap(client, wedding):
    # GIVEN the finding's event: 3 photos per phone, here with a cap of 20 photos for the whole event
    event_update(event=wedding, max_photos=20)
    # WHEN one client sends 60 photos, each from a new random device id
    answers = [
        post(client, upload_body(wedding, device=str(uuid.uuid4()), photo=jpeg_bytes(seed))) for seed in range(60)
    ]
    # THEN the first 20 are stored and the other 40 refused with the event's message, nothing counted
    assert [a.status_code for a in answers] == [200] * 20 + [403] * 40
    body = assert_json_error(answers[-1], 403, "event_full")
    assert body["message"] == EventFull.message
    assert Photo.objects.filter(event=wedding).count() == 20
    assert quota_store().event_usage(wedding.slug).photos == 20


def noise_jpeg(size=(600, 600)) -> bytes:
    buffer = io.BytesIO()
    Image.effect_noise(size, 90).convert("RGB").save(buffer, "JPEG", quality=95)
    return buffer.getvalue()


def test_a_byte_cap_refuses_the_photo_that_would_pass_it(client, wedding):
    # GIVEN an event that may store 1 MB, and photos of a few hundred KB from ever new devices
    event_update(event=wedding, max_megabytes=1)
    photos = [noise_jpeg() for _ in range(8)]
    fitting = next(n for n in range(len(photos) + 1) if sum(map(len, photos[: n + 1])) > 1024 * 1024)
    # WHEN they are sent
    statuses = [post(client, upload_body(wedding, device=str(uuid.uuid4()), photo=p)).status_code for p in photos]
    # THEN those that fit in 1 MB together are stored, and the next is refused
    assert 1 <= fitting < len(photos)
    assert statuses[:fitting] == [200] * fitting and statuses[fitting] == 403
    assert quota_store().event_usage(wedding.slug).bytes == sum(map(len, photos[:fitting]))


def test_an_unknown_event_answers_404(client, wedding, device):
    assert_json_error(post(client, upload_body(wedding, device=device, eventName="nope")), 404, "unknown_event")


def test_get_on_the_upload_endpoint_answers_405_json(client):
    assert_json_error(client.get("/api/upload"), 405, "method_not_allowed")


def test_a_failing_store_answers_503_with_retry_after(client, wedding, device, monkeypatch):
    def broken_put(self, photo, data):
        raise OSError("disk full")

    monkeypatch.setattr("uploads.stores.filesystem.FileSystemPhotoStore.put", broken_put)
    response = post(client, upload_body(wedding, device=device))
    assert_json_error(response, 503, "unavailable")
    assert response["Retry-After"]
    assert quota_store().usage(wedding.slug, device).count == 0


def test_the_event_endpoint_describes_the_event(client, wedding):
    response = client.get(f"/api/events/{wedding.slug}", {"key": wedding.upload_key})
    assert response.status_code == 200
    assert response.json() == {
        "slug": "ana-ben",
        "name": "Ana & Ben",
        "limit": 3,
        "open": True,
        "allowVideos": True,
        "maxVideoBytes": 200 * 1024 * 1024,
        "maxPhotoBytes": 15 * 1024 * 1024,
        "quality": "original",
        "partSize": 8 * 1024 * 1024,
        "language": "",
    }


def test_the_event_endpoint_tells_a_device_what_it_has_left(client, wedding, device):
    post(client, upload_body(wedding, device=device))
    response = client.get(f"/api/events/{wedding.slug}", {"key": wedding.upload_key, "deviceId": device})
    assert response.json()["device"] == {"count": 1, "limit": 3, "remaining": 2}


def test_the_event_endpoint_answers_404_for_an_unknown_event(client, db):
    assert_json_error(client.get("/api/events/nope", {"key": "k"}), 404, "unknown_event")


def test_the_event_endpoint_answers_403_for_a_wrong_key(client, wedding):
    assert_json_error(client.get(f"/api/events/{wedding.slug}", {"key": "wrong"}), 403, "wrong_key")


def test_the_event_endpoint_answers_400_without_a_key(client, wedding):
    assert_json_error(client.get(f"/api/events/{wedding.slug}"), 400, "invalid_field")


def test_a_configured_origin_gets_cors_headers_and_a_preflight(client, settings, wedding):
    settings.GUEST_API_CORS_ORIGINS = ["https://guests.example.org"]
    preflight = client.options("/api/upload", headers={"Origin": "https://guests.example.org"})
    assert preflight.status_code == 204
    assert preflight["Access-Control-Allow-Origin"] == "https://guests.example.org"
    assert "POST" in preflight["Access-Control-Allow-Methods"]


def test_an_unknown_origin_gets_no_cors_headers(client, settings, wedding):
    settings.GUEST_API_CORS_ORIGINS = ["https://guests.example.org"]
    response = client.get(
        f"/api/events/{wedding.slug}", {"key": wedding.upload_key}, headers={"Origin": "https://evil.example"}
    )
    assert "Access-Control-Allow-Origin" not in response


def test_a_hostile_guest_name_is_stored_in_a_safe_folder(client, wedding, device, photos_dir):
    body = post(client, upload_body(wedding, device=device, name="../../../etc/passwd\x00")).json()
    assert body["key"].startswith("ana-ben/etc-passwd/")
    assert Photo.objects.get().guest_name == "../../../etc/passwd"
    assert all(photos_dir in p.parents for p in photos_dir.parent.rglob("*.jpg"))


def test_an_emoji_only_name_is_kept_for_display_and_filed_as_guest(client, wedding, device):
    body = post(client, upload_body(wedding, device=device, name="🎉🥂")).json()
    assert body["key"].startswith("ana-ben/guest/")
    assert Photo.objects.get().guest_name == "🎉🥂"


def test_the_same_photo_sent_5_times_after_a_lost_response_is_stored_once(client, wedding, device, photos_dir):
    # GIVEN the first upload was stored but its response never reached the phone
    first = post(client, upload_body(wedding, device=device)).json()
    # WHEN the phone sends the same photo again, four more times
    retries = [post(client, upload_body(wedding, device=device)).json() for _ in range(4)]
    # THEN every answer names the one stored photo and the count went up by one
    assert {r["key"] for r in retries} == {first["key"]} and all(r["count"] == 1 for r in retries)
    assert Photo.objects.count() == 1 == len([p for p in photos_dir.rglob("*.jpg") if "thumbs" not in p.parts])
    assert quota_store().usage(wedding.slug, device).count == 1


def test_the_openapi_document_is_served(client):
    document = client.get("/api/openapi.json").json()
    assert set(document["paths"]) == {
        "/api/events/{slug}",
        "/api/events/{slug}/mine",
        "/api/events/{slug}/mine/{pk}/thumbnail",
        "/api/events/{slug}/mine/{pk}/delete",
        "/api/upload",
        "/api/uploads",
        "/api/uploads/{uploadId}",
        "/api/uploads/{uploadId}/complete",
        "/api/uploads/{uploadId}/data",
    }
    assert "429" in document["paths"]["/api/upload"]["post"]["responses"]
