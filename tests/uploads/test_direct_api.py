"""The direct-upload endpoints end to end on the local server: start, PUT to the signed URL, status, complete."""

import base64
import json

import pytest

from events.models import Photo
from events.services import event_delete
from photoshare_site import wiring
from tests.conftest import jpeg_bytes
from tests.samples_video import EIFFEL, movie
from tests.uploads.direct_helpers import start_body
from uploads import http
from uploads.ports import (
    UnknownUpload,
    UnsupportedMedia,
    UploadIncomplete,
    VideosNotAllowed,
    WrongBytes,
)
from uploads.stores.staging_fs import FileSystemStaging

pytestmark = pytest.mark.usefixtures("photos_dir")


def post(client, path: str, body):
    return client.post(path, json.dumps(body), content_type="application/json")


def start(client, event, device, data, content_type="image/jpeg", **overrides):
    return post(client, "/api/uploads", start_body(event, device, data, content_type, **overrides))


def complete(client, event, device, upload_id, **extra):
    return post(client, f"/api/uploads/{upload_id}/complete", {"key": event.upload_key, "deviceId": device} | extra)


def put(client, url: str, data: bytes, content_type="image/jpeg"):
    return client.put(url, data, content_type=content_type)


@pytest.fixture
def small_parts(monkeypatch):
    """Parts of 1,000 bytes, so a small file goes in several."""
    staging = wiring.local_staging

    def with_small_parts() -> FileSystemStaging:
        store = staging()
        store.part_size = 1000
        return store

    monkeypatch.setattr(wiring, "local_staging", with_small_parts)


def test_a_photo_goes_from_start_to_stored_through_the_three_endpoints(client, wedding, device, photos_dir):
    photo = jpeg_bytes()
    started = start(client, wedding, device, photo)
    assert started.status_code == 201
    body = started.json()
    assert (body["status"], body["count"], body["limit"], body["remaining"]) == ("pending", 1, 3, 2)
    assert body["expiresAt"].endswith("Z") and body["upload"]["method"] == "PUT"
    assert put(client, body["upload"]["url"], photo).status_code == 200
    done = complete(client, wedding, device, body["uploadId"])
    assert done.status_code == 200
    assert done.json() | {"key": ""} == {
        "status": "ok",
        "count": 1,
        "limit": 3,
        "remaining": 2,
        "key": "",
        "duplicate": False,
    }
    assert (photos_dir / done.json()["key"]).read_bytes() == photo
    assert Photo.objects.get().key == done.json()["key"]
    assert [p for p in (photos_dir / "_incoming").rglob("*") if p.is_file()] == []


def test_the_same_bytes_started_after_they_were_stored_answer_as_a_duplicate(client, wedding, device):
    photo = jpeg_bytes()
    body = start(client, wedding, device, photo).json()
    put(client, body["upload"]["url"], photo)
    key = complete(client, wedding, device, body["uploadId"]).json()["key"]
    again = start(client, wedding, device, photo)
    assert again.status_code == 200
    assert (again.json()["duplicate"], again.json()["key"], again.json()["count"]) == (True, key, 1)
    assert complete(client, wedding, device, body["uploadId"]).json()["duplicate"] is True


def test_a_start_repeated_before_completion_continues_the_same_upload(client, wedding, device):
    first = start(client, wedding, device, jpeg_bytes()).json()
    second = start(client, wedding, device, jpeg_bytes())
    assert second.status_code == 201
    assert (second.json()["uploadId"], second.json()["count"]) == (first["uploadId"], 1)


def test_a_large_file_goes_in_parts_and_completion_names_the_missing_ones(
    client, wedding, device, photos_dir, small_parts
):
    photo = jpeg_bytes(size=(200, 150))
    body = start(client, wedding, device, photo).json()
    parts = body["multipart"]["parts"]
    assert body["multipart"]["partSize"] == 1000 and [p["number"] for p in parts] == list(range(1, len(parts) + 1))
    assert put(client, parts[0]["url"], photo[:1000]).status_code == 200
    early = complete(client, wedding, device, body["uploadId"])
    assert early.status_code == 409
    assert (early.json()["status"], early.json()["missing"]) == ("incomplete", list(range(2, len(parts) + 1)))
    status = client.get(f"/api/uploads/{body['uploadId']}", {"key": wedding.upload_key, "deviceId": device}).json()
    assert (status["status"], status["received"], status["uploadId"]) == ("pending", [1], body["uploadId"])
    for part in parts[1:]:
        start_at = (part["number"] - 1) * 1000
        assert put(client, part["url"], photo[start_at : start_at + 1000]).status_code == 200
    etags = [{"number": p["number"], "etag": "x"} for p in parts]
    done = complete(client, wedding, device, body["uploadId"], parts=etags)
    assert done.status_code == 200
    assert (photos_dir / done.json()["key"]).read_bytes() == photo


def test_bytes_that_are_not_the_announced_ones_are_refused_and_the_slot_comes_back(
    client, wedding, device, small_parts
):
    photo = jpeg_bytes(size=(200, 150))
    body = start(client, wedding, device, photo).json()
    for part in body["multipart"]["parts"]:
        start_at = (part["number"] - 1) * 1000
        put(client, part["url"], bytes(len(photo[start_at : start_at + 1000])))
    refused = complete(client, wedding, device, body["uploadId"])
    assert (refused.status_code, refused.json()["status"]) == (400, "wrong_bytes")
    assert wiring.quota_store().usage(wedding.slug, device).count == 0
    assert complete(client, wedding, device, body["uploadId"]).status_code == 404


def test_a_file_in_no_known_format_is_refused_as_unsupported(client, wedding, device):
    text = b"this is not a photo at all" * 10
    body = start(client, wedding, device, text).json()
    put(client, body["upload"]["url"], text)
    refused = complete(client, wedding, device, body["uploadId"])
    assert (refused.status_code, refused.json()["status"]) == (400, "unsupported_media")
    assert not Photo.objects.exists()


def test_a_video_is_stored_with_its_poster_and_without_its_location(client, wedding, device, photos_dir):
    video, poster = movie(mdat=500), jpeg_bytes(size=(160, 90))
    body = start(client, wedding, device, video, "video/mp4").json()
    put(client, body["upload"]["url"], video, "video/mp4")
    done = complete(client, wedding, device, body["uploadId"], poster=base64.b64encode(poster).decode())
    key = done.json()["key"]
    assert key.endswith(".mp4") and EIFFEL not in (photos_dir / key).read_bytes()
    assert (photos_dir / "thumbs" / f"{key}.poster.jpg").read_bytes() == poster


def test_the_status_of_another_devices_upload_is_unknown(client, wedding, device):
    body = start(client, wedding, device, jpeg_bytes()).json()
    other = "0b5b1b8e-1b8e-4d84-9d8a-2f1f3f3c0002"
    answer = client.get(f"/api/uploads/{body['uploadId']}", {"key": wedding.upload_key, "deviceId": other})
    assert (answer.status_code, answer.json()["status"]) == (404, "unknown_upload")


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"contentType": "image/gif"}, "contentType"),
        ({"contentType": {}}, "contentType"),
        ({"size": 0}, "size"),
        ({"size": True}, "size"),
        ({"size": "12"}, "size"),
        ({"sha256": "A" * 64}, "sha256"),
        ({"sha256": "0" * 63}, "sha256"),
        ({"deviceId": "phone"}, "deviceId"),
    ],
)
def test_a_malformed_start_names_the_field(client, wedding, device, change, field):
    answer = start(client, wedding, device, jpeg_bytes(), **change)
    assert (answer.status_code, answer.json()["status"], answer.json()["field"]) == (400, "invalid_field", field)
    assert wiring.quota_store().usage(wedding.slug, device).count == 0


def test_a_photo_above_the_largest_is_refused_in_words(client, settings, wedding, device):
    answer = start(client, wedding, device, jpeg_bytes(), size=settings.MAX_UPLOAD_BYTES + 1)
    assert (answer.status_code, answer.json()["status"]) == (413, "too_large")
    assert answer.json()["message"] == f"Photos can be up to {settings.MAX_UPLOAD_BYTES // 2**20} MB."


def test_the_event_tells_the_page_how_to_send_files(client, settings, wedding):
    body = client.get(f"/api/events/{wedding.slug}", {"key": wedding.upload_key}).json()
    assert body["allowVideos"] is True and body["quality"] == "original"
    assert (body["maxPhotoBytes"], body["partSize"]) == (settings.MAX_UPLOAD_BYTES, 8 * 1024 * 1024)
    assert body["maxVideoBytes"] == 200 * 1024 * 1024


@pytest.mark.parametrize(
    ("error", "status", "code"),
    [
        (UnknownUpload(), 404, "unknown_upload"),
        (UploadIncomplete([2, 3]), 409, "incomplete"),
        (WrongBytes(), 400, "wrong_bytes"),
        (UnsupportedMedia(), 400, "unsupported_media"),
        (VideosNotAllowed(), 403, "videos_not_allowed"),
    ],
)
def test_each_direct_upload_error_has_its_status(error, status, code):
    answer = http.error_body(error)
    assert (answer[0], answer[1]["status"]) == (status, code)
    assert answer[1].get("missing") == ([2, 3] if code == "incomplete" else None)


def test_deleting_the_event_deletes_its_staged_bytes(client, wedding, device, photos_dir):
    photo = jpeg_bytes()
    body = start(client, wedding, device, photo).json()
    put(client, body["upload"]["url"], photo)
    assert any(p.is_file() for p in (photos_dir / "_incoming" / wedding.slug).rglob("*"))
    event_delete(event=wedding)
    assert not (photos_dir / "_incoming" / wedding.slug).exists()
