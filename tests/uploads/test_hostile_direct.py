"""Hostile input against the direct-upload endpoints (start, status, complete, the local signed PUT):
every case answers a clear JSON 4xx, never a 5xx, stores no photo, counts nothing and leaves no file
under the photos folder or its `_incoming/` (tests/uploads/test_hostile_input.py does the JSON API)."""

import base64
import hashlib
import json
import socket
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.test import Client

from events.models import Event, Photo
from events.services import event_create
from photoshare_site import wiring
from tests.conftest import jpeg_bytes, png_claiming
from tests.guest_lambda import KEY, PHONE, call, recorded
from tests.samples_video import movie
from tests.uploads.direct_helpers import start_body as direct_start_body
from uploads.aws import clients
from uploads.ports import STAGING_PREFIX

PHOTO = jpeg_bytes()
HTML = b"<html><body><script>alert(1)</script></body></html>" * 4
SVG = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'
OTHER_DEVICE = "0b5b1b8e-1b8e-4d84-9d8a-2f1f3f3c0002"
B64 = base64.b64encode


def start_body(event, device: str, data: bytes = PHOTO, content_type: str = "image/jpeg") -> dict:
    return direct_start_body(event, device, data, content_type)


def post(client, path: str, body, **extra):
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    return client.post(path, raw, content_type="application/json", **extra)


def files_under(folder) -> list[str]:
    # An empty file is a started upload's placeholder (FileSystemStaging.targets): no byte staged.
    files = [p for p in folder.rglob("*") if p.is_file() and p.stat().st_size] if folder.exists() else []
    return sorted(str(p.relative_to(folder)) for p in files)


def assert_refused(response, status: int, code: str) -> dict:
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert (response.status_code, body["status"]) == (status, code), body
    assert body["message"]
    return body


@dataclass
class Scene:
    client: Client
    event: Event
    device: str
    photos: Path

    def start(self, data: bytes = PHOTO, content_type: str = "image/jpeg", **changes):
        return post(self.client, "/api/uploads", start_body(self.event, self.device, data, content_type) | changes)

    def started(self, data: bytes = PHOTO, content_type: str = "image/jpeg") -> dict:
        answer = self.start(data, content_type)
        assert answer.status_code == 201, answer.json()
        return answer.json()

    def put(self, url: str, data: bytes, **extra):
        return self.client.put(url, data, content_type="application/octet-stream", **extra)

    def complete(self, upload_id: str, *, device: str | None = None, **extra):
        body = {"key": self.event.upload_key, "deviceId": device or self.device} | extra
        return post(self.client, f"/api/uploads/{upload_id}/complete", body)

    def status(self, upload_id: str, **query):
        return self.client.get(
            f"/api/uploads/{upload_id}", {"key": self.event.upload_key, "deviceId": self.device} | query
        )

    def counted(self) -> int:
        return wiring.quota_store().usage(self.event.slug, self.device).count

    def assert_nothing_kept(self) -> None:
        """Nothing stored, counted or left staged."""
        assert not Photo.objects.exists()
        assert self.counted() == 0
        assert files_under(self.photos) == []


@pytest.fixture
def scene(client, wedding, device, photos_dir) -> Scene:
    return Scene(client, wedding, device, photos_dir)


# --- POST /api/uploads -----------------------------------------------------------------------
# (case id, changes to a good start body or a raw body, status, code)
START_CASES = [
    ("empty-body", b"", 400, "bad_request"),
    ("json-array", b"[1]", 400, "bad_request"),
    ("size-zero", {"size": 0}, 400, "invalid_field"),
    ("size-negative", {"size": -1}, 400, "invalid_field"),
    ("size-float", {"size": 1.5}, 400, "invalid_field"),
    ("size-string", {"size": "631"}, 400, "invalid_field"),
    ("size-true", {"size": True}, 400, "invalid_field"),
    ("size-above-2-to-the-63", {"size": 2**64}, 413, "too_large"),
    ("size-one-above-the-photo-maximum", {"size": 15 * 2**20 + 1}, 413, "too_large"),
    ("sha256-63-digits", {"sha256": "0" * 63}, 400, "invalid_field"),
    ("sha256-65-digits", {"sha256": "0" * 65}, 400, "invalid_field"),
    ("sha256-uppercase", {"sha256": hashlib.sha256(PHOTO).hexdigest().upper()}, 400, "invalid_field"),
    ("sha256-not-hex", {"sha256": "g" * 64}, 400, "invalid_field"),
    ("sha256-trailing-newline", {"sha256": hashlib.sha256(PHOTO).hexdigest() + "\n"}, 400, "invalid_field"),
    ("sha256-number", {"sha256": 12345}, 400, "invalid_field"),
    ("type-unknown", {"contentType": "application/octet-stream"}, 400, "invalid_field"),
    ("type-svg", {"contentType": "image/svg+xml"}, 400, "invalid_field"),
    ("type-html", {"contentType": "text/html"}, 400, "invalid_field"),
    ("type-uppercase", {"contentType": "IMAGE/JPEG"}, 400, "invalid_field"),
    ("type-with-parameters", {"contentType": "image/jpeg; charset=utf-8"}, 400, "invalid_field"),
    ("type-list", {"contentType": ["image/jpeg"]}, 400, "invalid_field"),
    ("type-object", {"contentType": {}}, 400, "invalid_field"),
    ("event-traversal", {"eventName": "../ana-ben"}, 400, "invalid_field"),
    ("event-trailing-newline", {"eventName": "ana-ben\n"}, 400, "invalid_field"),
    ("device-traversal", {"deviceId": "../../etc/passwd"}, 400, "invalid_field"),
    ("device-trailing-newline", {"deviceId": "6f1c1e0a-1b8e-4d84-9d8a-2f1f3f3c0001\n"}, 400, "invalid_field"),
    ("unknown-event", {"eventName": "no-such-event"}, 404, "unknown_event"),
    ("wrong-key", {"uploadKey": "x" * 43}, 403, "wrong_key"),
]


@pytest.mark.parametrize(("body", "status", "code"), [c[1:] for c in START_CASES], ids=[c[0] for c in START_CASES])
def test_a_hostile_start_is_refused_and_reserves_nothing(scene, body, status, code):
    sent = body if isinstance(body, bytes) else start_body(scene.event, scene.device) | body
    assert_refused(post(scene.client, "/api/uploads", sent), status, code)
    scene.assert_nothing_kept()


def test_a_video_at_an_event_without_videos_is_refused_before_any_slot(scene):
    scene.event.allow_videos = False
    scene.event.save()
    assert_refused(scene.start(movie(mdat=500), "video/mp4"), 403, "videos_not_allowed")
    scene.assert_nothing_kept()


def test_a_video_above_the_events_maximum_is_refused_in_words(scene):
    video = movie(mdat=500)
    answer = scene.start(video, "video/mp4", size=scene.event.max_video_bytes() + 1)
    assert assert_refused(answer, 413, "too_large")["message"].startswith("Videos can be up to")
    scene.assert_nothing_kept()


def test_a_flood_of_60_devices_stops_at_the_events_cap(client, alice, photos_dir):
    event = event_create(owner=alice, name="Cap", slug="cap", limit=3, max_photos=50)
    devices = [f"6f1c1e0a-1b8e-4d84-9d8a-{n:012x}" for n in range(60)]
    # One address each, as 60 phones would be: the rate limit is not what this measures.
    answers = [
        post(client, "/api/uploads", start_body(event, d, jpeg_bytes(n)), REMOTE_ADDR=f"10.0.0.{n}")
        for n, d in enumerate(devices)
    ]
    assert [a.status_code for a in answers] == [201] * 50 + [403] * 10
    assert {a.json()["status"] for a in answers[50:]} == {"event_full"}
    assert sum(wiring.quota_store().usage("cap", d).count for d in devices) == 50
    assert files_under(photos_dir) == []


# --- GET /api/uploads/<id> and POST /api/uploads/<id>/complete on someone else's id ---------------


def tampered_ids(upload_id: str, other_event_id: str) -> dict[str, str]:
    event, sha, token = upload_id.split(".")
    return {
        "dot-dot": "..",
        "encoded-dot-dot": "%2e%2e",
        "encoded-slash-traversal": "..%2F..%2Fetc%2Fpasswd",
        "other-token": f"{event}.{sha}.{'0' * 32}",
        "sha-too-short": f"{event}.{sha[:63]}.{token}",
        "sha-uppercase": f"{event}.{sha.upper()}.{token}",
        "event-traversal": f"..%2F{event}.{sha}.{token}",
        "other-events-slug": f"cap.{sha}.{token}",
        "other-events-upload": other_event_id,
        "huge": "a" * 10_000,
    }


@pytest.fixture
def other_event_upload(client, alice, device) -> str:
    """A pending upload of the same device and bytes at another event (whose key the caller lacks)."""
    other = event_create(owner=alice, name="Cap", slug="cap", limit=3)
    answer = post(client, "/api/uploads", start_body(other, device))
    assert answer.status_code == 201
    return answer.json()["uploadId"]


TAMPERED = list(tampered_ids("e.s.t", "").keys())


@pytest.mark.parametrize("case", TAMPERED)
def test_a_tampered_upload_id_is_unknown_to_status_and_complete(scene, other_event_upload, case):
    own = scene.started()["uploadId"]
    upload_id = tampered_ids(own, other_event_upload)[case]
    # The other event's key is not the caller's: a wrong key. A slash makes it a path the API lacks.
    status, code = (404, "unknown_upload")
    if case.startswith("other-events"):
        status, code = 403, "wrong_key"
    elif "%2F" in upload_id:
        status, code = 404, "not_found"
    assert_refused(scene.status(upload_id), status, code)
    assert_refused(scene.complete(upload_id), status, code)
    assert scene.status(own).json()["received"] == []
    assert not Photo.objects.exists()


def test_another_devices_upload_cannot_be_completed_nor_seen(scene):
    body = scene.started()
    scene.put(body["upload"]["url"], PHOTO)
    assert_refused(scene.complete(body["uploadId"], device=OTHER_DEVICE), 404, "unknown_upload")
    assert_refused(scene.status(body["uploadId"], deviceId=OTHER_DEVICE), 404, "unknown_upload")
    assert not Photo.objects.exists()
    assert scene.complete(body["uploadId"]).status_code == 200


def test_a_wrong_key_cannot_complete_an_upload(scene):
    body = scene.started()
    scene.put(body["upload"]["url"], PHOTO)
    assert_refused(scene.complete(body["uploadId"], key="x" * 43), 403, "wrong_key")
    assert not Photo.objects.exists()


@pytest.fixture
def clock(monkeypatch):
    """The server's clock, which a test moves on (the signed URL's own expiry is checked on real time)."""
    moved = {"by": timedelta(0)}
    make = wiring.uploader

    def uploader_with_clock():
        uploader = make()
        real = uploader.clock
        uploader.clock = lambda: real() + moved["by"]
        return uploader

    monkeypatch.setattr(wiring, "uploader", uploader_with_clock)
    return moved


def test_completing_after_expiry_is_unknown_and_the_slot_comes_back(scene, clock):
    body = scene.started()
    assert scene.put(body["upload"]["url"], PHOTO).status_code == 200
    clock["by"] = timedelta(seconds=900 + 61)
    assert_refused(scene.complete(body["uploadId"]), 404, "unknown_upload")
    assert_refused(scene.status(body["uploadId"]), 404, "unknown_upload")
    # The device's next start settles it: its slot back, its staged bytes gone.
    again = scene.started(jpeg_bytes(7))
    assert again["count"] == 1
    assert files_under(scene.photos / STAGING_PREFIX) == []
    assert not Photo.objects.exists()


# --- POST /api/uploads/<id>/complete: hostile bodies -------------------------------------------
COMPLETE_CASES = [
    ("not-json", b"{not json"),
    ("parts-not-a-list", {"parts": {"1": "etag"}}),
    ("part-number-zero", {"parts": [{"number": 0, "etag": "a"}]}),
    ("part-number-negative", {"parts": [{"number": -1, "etag": "a"}]}),
    ("part-number-10001", {"parts": [{"number": 10_001, "etag": "a"}]}),
    ("part-number-string", {"parts": [{"number": "1", "etag": "a"}]}),
    ("part-number-float", {"parts": [{"number": 1.5, "etag": "a"}]}),
    ("part-number-true", {"parts": [{"number": True, "etag": "a"}]}),
    ("part-number-twice", {"parts": [{"number": 1, "etag": "a"}, {"number": 1, "etag": "b"}]}),
    ("etag-object", {"parts": [{"number": 1, "etag": {"$ne": ""}}]}),
    ("etag-empty", {"parts": [{"number": 1, "etag": ""}]}),
    ("etag-huge", {"parts": [{"number": 1, "etag": "e" * 10_000}]}),
    ("part-not-an-object", {"parts": [1]}),
    ("too-many-parts", {"parts": [{"number": n, "etag": "a"} for n in range(1, 10_002)]}),
    ("key-object", {"key": {"$ne": ""}}),
    ("device-missing", {"deviceId": None}),
]


@pytest.mark.parametrize("body", [c[1] for c in COMPLETE_CASES], ids=[c[0] for c in COMPLETE_CASES])
def test_a_hostile_completion_is_refused_and_the_upload_can_still_finish(scene, body):
    started = scene.started()
    assert scene.put(started["upload"]["url"], PHOTO).status_code == 200
    path = f"/api/uploads/{started['uploadId']}/complete"
    sent = body if isinstance(body, bytes) else {"key": scene.event.upload_key, "deviceId": scene.device} | body
    # A body that is no JSON object is a bad request; the rest name their field.
    assert_refused(post(scene.client, path, sent), 400, "bad_request" if isinstance(body, bytes) else "invalid_field")
    assert not Photo.objects.exists()
    # Nothing of the upload is given up: its bytes wait, and a proper completion stores them.
    assert scene.status(started["uploadId"]).json()["received"] == [1]
    assert scene.complete(started["uploadId"]).status_code == 200


def test_completing_before_any_byte_arrived_names_the_missing_part_and_keeps_the_slot(scene):
    started = scene.started()
    refused = assert_refused(scene.complete(started["uploadId"]), 409, "incomplete")
    assert refused["missing"] == [1]
    assert not Photo.objects.exists()
    assert scene.put(started["upload"]["url"], PHOTO).status_code == 200
    assert scene.complete(started["uploadId"]).status_code == 200


# (case id, bytes sent, type announced)
MISDECLARED = [
    ("html-as-jpeg", HTML, "image/jpeg"),
    ("svg-as-png", SVG, "image/png"),
    ("jpeg-as-mp4", PHOTO, "video/mp4"),
    ("mp4-as-jpeg", movie(mdat=500), "image/jpeg"),
    ("gif-as-webp", b"GIF89a" + bytes(64), "image/webp"),
    ("truncated-jpeg", PHOTO[: len(PHOTO) // 2], "image/jpeg"),
]


@pytest.mark.parametrize(("data", "declared"), [c[1:] for c in MISDECLARED], ids=[c[0] for c in MISDECLARED])
def test_bytes_not_of_the_announced_kind_are_refused_and_the_slot_comes_back(scene, data, declared):
    started = scene.started(data, declared)
    assert scene.put(started["upload"]["url"], data).status_code == 200
    assert_refused(scene.complete(started["uploadId"]), 400, "unsupported_media")
    scene.assert_nothing_kept()
    assert_refused(scene.complete(started["uploadId"]), 404, "unknown_upload")


def test_a_png_bomb_is_refused_as_too_large_and_the_slot_comes_back(scene):
    bomb = png_claiming(100_000, 100_000)
    started = scene.started(bomb, "image/png")
    assert scene.put(started["upload"]["url"], bomb).status_code == 200
    assert_refused(scene.complete(started["uploadId"]), 413, "too_large")
    scene.assert_nothing_kept()


def test_html_after_a_photo_is_never_stored(scene):
    data = PHOTO + HTML
    started = scene.started(data)
    assert scene.put(started["upload"]["url"], data).status_code == 200
    done = scene.complete(started["uploadId"])
    assert done.status_code == 200
    stored = (scene.photos / done.json()["key"]).read_bytes()
    assert b"<script>" not in stored and stored.startswith(PHOTO[:2])
    assert files_under(scene.photos / STAGING_PREFIX) == []


POSTERS = {
    "not-base64": "%%%% not base64 %%%%",
    "svg": B64(SVG).decode(),
    "html-data-url": "data:text/html;base64," + B64(HTML).decode(),
    "png-bomb": B64(png_claiming(100_000, 100_000)).decode(),
    "jpeg-above-256-kb": B64(jpeg_bytes() + bytes(300 * 1024)).decode(),
    "number": 42,
}


@pytest.mark.parametrize("poster", POSTERS.values(), ids=POSTERS.keys())
def test_a_hostile_poster_is_ignored_and_the_video_still_stored(scene, poster):
    video = movie(mdat=500)
    started = scene.started(video, "video/mp4")
    assert scene.put(started["upload"]["url"], video).status_code == 200
    done = scene.complete(started["uploadId"], poster=poster)
    assert done.status_code == 200, done.json()
    assert not (scene.photos / "thumbs").exists()
    assert scene.counted() == 1


def test_a_poster_sent_with_a_photo_is_not_stored(scene):
    started = scene.started()
    scene.put(started["upload"]["url"], PHOTO)
    done = scene.complete(started["uploadId"], poster=B64(jpeg_bytes(3)).decode())
    assert done.status_code == 200
    assert not (scene.photos / "thumbs").exists()


# --- PUT to the local signed URL ---------------------------------------------------------------


def changed(url: str, name: str, value: str) -> str:
    path, _, query = url.partition("?")
    fields = dict(pair.split("=", 1) for pair in query.split("&"))
    return f"{path}?" + "&".join(f"{k}={value if k == name else v}" for k, v in fields.items())


# (case id, how the URL is changed)
URL_TAMPERING = {
    "signature-reversed": lambda url: changed(url, "sig", urlsplit(url).query.rsplit("sig=", 1)[1][::-1]),
    "signature-missing": lambda url: url.rsplit("&sig=", 1)[0],
    "size-raised": lambda url: changed(url, "size", "99999999"),
    "expiry-pushed-back": lambda url: changed(url, "expires", "99999999999"),
    "expired": lambda url: changed(url, "expires", "1"),
    "expiry-not-a-number": lambda url: changed(url, "expires", "soon"),
    "device-changed": lambda url: changed(url, "deviceId", OTHER_DEVICE),
    "part-added": lambda url: url + "&part=1&partSize=100",
    "other-upload-id": lambda url: url.replace("/api/uploads/ana-ben.", "/api/uploads/cap.", 1),
    "traversal-in-id": lambda url: url.replace("/api/uploads/", "/api/uploads/..%2F..%2F", 1),
}


@pytest.mark.parametrize("tamper", URL_TAMPERING.values(), ids=URL_TAMPERING.keys())
def test_a_tampered_put_url_is_refused_and_writes_nothing(scene, tamper):
    started = scene.started()
    answer = scene.put(tamper(started["upload"]["url"]), PHOTO)
    assert answer.status_code in (403, 404), answer.content
    assert answer["Content-Type"] == "application/json" and answer.json()["message"]
    assert files_under(scene.photos) == []
    assert scene.status(started["uploadId"]).json()["received"] == []


def test_a_put_of_another_length_than_signed_is_refused(scene):
    started = scene.started()
    assert_refused(scene.put(started["upload"]["url"], PHOTO + b"x"), 400, "bad_request")
    assert_refused(scene.put(started["upload"]["url"], PHOTO[:-1]), 400, "bad_request")
    assert files_under(scene.photos) == []


def test_other_bytes_put_are_refused_at_completion_and_nothing_is_left(scene):
    started = scene.started()
    assert scene.put(started["upload"]["url"], bytes(len(PHOTO))).status_code == 200
    assert_refused(scene.complete(started["uploadId"]), 400, "wrong_bytes")
    scene.assert_nothing_kept()


def test_a_put_after_completion_leaves_nothing_staged(scene):
    started = scene.started()
    scene.put(started["upload"]["url"], PHOTO)
    key = scene.complete(started["uploadId"]).json()["key"]
    replay = scene.put(started["upload"]["url"], PHOTO)
    assert_refused(replay, 404, "unknown_upload")
    assert files_under(scene.photos) == [key]


# --- the guest function on AWS (moto): the same bodies -----------------------------------------


def lambda_request(method: str, path: str, body: bytes) -> dict:
    event = recorded("apigw_rest_v1_post_upload")
    return event | {"httpMethod": method, "path": path, "body": body.decode("utf-8", "replace")}


def lambda_start(**changes) -> dict:
    return {
        "eventName": "ana-ben",
        "uploadKey": KEY,
        "guestName": "Carla",
        "deviceId": PHONE,
        "size": len(PHOTO),
        "sha256": hashlib.sha256(PHOTO).hexdigest(),
        "contentType": "image/jpeg",
    } | changes


def assert_nothing_in_aws(guest_lambda, bucket: str) -> None:
    assert clients.s3().list_objects_v2(Bucket=bucket).get("KeyCount", 0) == 0
    assert guest_lambda.usage("ana-ben", PHONE).count == 0


@pytest.mark.one_database
@pytest.mark.parametrize(("body", "status", "code"), [c[1:] for c in START_CASES], ids=[c[0] for c in START_CASES])
def test_the_guest_function_refuses_a_hostile_start_and_reserves_nothing(
    guest_lambda, photo_bucket, body, status, code
):
    sent = body if isinstance(body, bytes) else json.dumps(lambda_start(**body)).encode()
    answered, answer, headers = call(lambda_request("POST", "/uploads", sent))
    assert (answered, answer["status"], headers["Content-Type"]) == (status, code, "application/json")
    assert_nothing_in_aws(guest_lambda, photo_bucket)


@pytest.mark.one_database
@pytest.mark.parametrize("body", [c[1] for c in COMPLETE_CASES], ids=[c[0] for c in COMPLETE_CASES])
def test_the_guest_function_refuses_a_hostile_completion_and_stores_nothing(guest_lambda, photo_bucket, body):
    upload_id = call(lambda_request("POST", "/uploads", json.dumps(lambda_start()).encode()))[1]["uploadId"]
    sent = body if isinstance(body, bytes) else json.dumps({"key": KEY, "deviceId": PHONE} | body).encode()
    answered, answer, _ = call(lambda_request("POST", f"/uploads/{upload_id}/complete", sent))
    assert (answered, answer["status"]) == (400, "bad_request" if isinstance(body, bytes) else "invalid_field")
    assert clients.s3().list_objects_v2(Bucket=photo_bucket).get("KeyCount", 0) == 0


# --- the same, over real sockets against the live server ---------------------------------------


@pytest.fixture
def live(live_server, transactional_db, alice, device, photos_dir):
    event = event_create(owner=alice, name="Ana & Ben", slug="ana-ben", limit=3)
    return Scene(Client(), event, device, photos_dir), urlsplit(live_server.url)


def raw_put(address, url: str, length: int) -> socket.socket:
    """A PUT whose headers announce `length` bytes; the caller sends the body on the socket."""
    connection = socket.create_connection((address.hostname, address.port))
    head = f"PUT {url} HTTP/1.1\r\nHost: {address.netloc}\r\nContent-Length: {length}\r\nConnection: close\r\n\r\n"
    connection.sendall(head.encode())
    return connection


def response_of(connection: socket.socket) -> tuple[int, dict]:
    received = b""
    while chunk := connection.recv(65536):
        received += chunk
    connection.close()
    head, _, body = received.partition(b"\r\n\r\n")
    return int(head.split()[1]), json.loads(body)


def test_a_body_shorter_than_its_content_length_is_refused_and_marks_nothing(live):
    scene, address = live
    started = scene.started()
    connection = raw_put(address, started["upload"]["url"], len(PHOTO))
    connection.sendall(PHOTO[:100])
    connection.shutdown(socket.SHUT_WR)
    status, body = response_of(connection)
    assert (status, body["status"]) == (400, "bad_request")
    assert scene.status(started["uploadId"]).json()["received"] == []
    assert_refused(scene.complete(started["uploadId"]), 409, "incomplete")


def test_two_puts_of_one_upload_interleaved_store_it_once(live):
    scene, address = live
    started = scene.started()
    url, half = started["upload"]["url"], len(PHOTO) // 2
    first, second = raw_put(address, url, len(PHOTO)), raw_put(address, url, len(PHOTO))
    first.sendall(PHOTO[:half])
    second.sendall(PHOTO[:half])
    first.sendall(PHOTO[half:])
    second.sendall(PHOTO[half:])
    assert [response_of(c)[0] for c in (first, second)] == [200, 200]
    done = scene.complete(started["uploadId"])
    assert done.status_code == 200 and done.json()["count"] == 1
    assert (scene.photos / done.json()["key"]).read_bytes() == PHOTO
    assert files_under(scene.photos) == [done.json()["key"]]


def test_the_matrix_has_at_least_20_cases():
    cases = START_CASES + COMPLETE_CASES + MISDECLARED + TAMPERED + list(POSTERS) + list(URL_TAMPERING)
    assert len(cases) >= 20
