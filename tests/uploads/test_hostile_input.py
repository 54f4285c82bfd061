"""Hostile input, table-driven, against the Django endpoint and the Lambda handler alike: every case
answers a JSON 4xx, never a 5xx, writes no file and changes no counter."""

import base64
import json

import pytest

from photoshare_site.wiring import quota_store
from tests.conftest import SAMPLES, jpeg_bytes, png_claiming
from tests.guest_lambda import KEY, PHONE, FakeContext, recorded
from uploads import lambda_handler
from uploads.aws import clients

B64 = base64.b64encode
JPEG = (SAMPLES / "gps-orientation6.jpg").read_bytes()


def good(**changes) -> dict:
    fields = {
        "eventName": "ana-ben",
        "uploadKey": KEY,
        "guestName": "Carla",
        "deviceId": PHONE,
        "image": B64(jpeg_bytes()).decode(),
    }
    return fields | changes


# (case id, raw body or fields, expected status)
CASES = [
    ("empty-body", b"", 400),
    ("not-json", b"{not json", 400),
    ("json-array", b"[1,2,3]", 400),
    ("json-string", b'"hello"', 400),
    ("json-null", b"null", 400),
    ("invalid-utf8", b"\xff\xfe\xfa", 400),
    ("deeply-nested", b"[" * 5000 + b"]" * 5000, 400),
    ("missing-everything", {}, 400),
    ("missing-image", {k: v for k, v in good().items() if k != "image"}, 400),
    ("missing-device", {k: v for k, v in good().items() if k != "deviceId"}, 400),
    ("missing-key", {k: v for k, v in good().items() if k != "uploadKey"}, 400),
    ("event-number", good(eventName=12), 400),
    ("event-traversal", good(eventName="../ana-ben"), 400),
    ("event-uppercase", good(eventName="ANA-BEN"), 400),
    ("event-huge", good(eventName="a" * 100_000), 400),
    ("event-control", good(eventName="ana-ben\x00"), 400),
    ("unknown-event", good(eventName="no-such-event"), 404),
    ("wrong-key", good(uploadKey="x" * 43), 403),
    ("empty-key", good(uploadKey=""), 400),
    ("key-huge", good(uploadKey="k" * 100_000), 400),
    ("key-object", good(uploadKey={"$ne": ""}), 400),
    ("name-empty", good(guestName=""), 400),
    ("name-spaces", good(guestName="     "), 400),
    ("name-controls-only", good(guestName="\x00\x01\x1b"), 400),
    ("name-10kb", good(guestName="x" * 10_000), 400),
    ("name-list", good(guestName=["Carla"]), 400),
    ("name-bidi-only", good(guestName="\u202e\u202d"), 400),
    ("device-not-uuid", good(deviceId="not-a-uuid"), 400),
    ("device-traversal", good(deviceId="../../etc/passwd"), 400),
    ("device-urn", good(deviceId=f"urn:uuid:{PHONE}"), 400),
    ("device-braces", good(deviceId="{" + PHONE + "}"), 400),
    ("device-number", good(deviceId=123), 400),
    ("device-reserved-prefix", good(deviceId="#policy"), 400),
    ("image-number", good(image=42), 400),
    ("image-empty", good(image=""), 400),
    ("image-not-base64", good(image="%%%%"), 400),
    ("image-base64-of-nothing", good(image="===="), 400),
    ("image-text", good(image=B64(b"just text").decode()), 400),
    ("image-html", good(image=B64(b"<html><script>alert(1)</script>").decode()), 400),
    ("image-svg", good(image=B64(b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>').decode()), 400),
    ("image-gif", good(image=B64(b"GIF89a" + b"\x00" * 64).decode()), 400),
    ("jpeg-header-then-garbage", good(image=B64(JPEG[:600] + b"\x00garbage" * 500).decode()), 400),
    ("jpeg-truncated", good(image=B64(JPEG[: len(JPEG) // 2]).decode()), 400),
    ("polyglot-html-after-jpeg-header", good(image=B64(JPEG[:20] + b"<script>alert(1)</script>").decode()), 400),
    ("png-bomb", good(image=B64(png_claiming(100_000, 100_000)).decode()), 413),
    ("data-url-wrong-prefix", good(image="data:text/html;base64," + B64(jpeg_bytes()).decode()), 400),
    ("image-too-large", good(image="A" * 24_000_000), 413),
]


def encode(body) -> bytes:
    return body if isinstance(body, bytes) else json.dumps(body).encode()


def assert_refused(status: int, body: dict, expected: int) -> None:
    assert status == expected, body
    assert body["status"] and body["message"]


@pytest.fixture
def photos_root(photos_dir):
    return photos_dir


@pytest.mark.one_database
def test_there_are_at_least_40_cases():
    assert len(CASES) >= 40


@pytest.mark.parametrize(("body", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_the_django_endpoint_refuses_it_cleanly(client, wedding, settings, photos_root, body, expected):
    wedding.upload_key = KEY
    wedding.save()
    response = client.post("/api/upload", encode(body), content_type="application/json")
    assert response["Content-Type"] == "application/json"
    assert_refused(response.status_code, response.json(), expected)
    assert not photos_root.exists() or not any(p.is_file() for p in photos_root.rglob("*"))
    assert quota_store().usage("ana-ben", PHONE).count == 0


@pytest.mark.one_database
@pytest.mark.parametrize(("body", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_the_lambda_refuses_it_cleanly(guest_lambda, photo_bucket, body, expected):
    event = recorded("apigw_rest_v1_post_upload") | {"body": encode(body).decode("utf-8", "replace")}
    response = lambda_handler.handler(event, FakeContext())
    assert response["headers"]["Content-Type"] == "application/json"
    assert_refused(response["statusCode"], json.loads(response["body"]), expected)
    assert clients.s3().list_objects_v2(Bucket=photo_bucket).get("KeyCount", 0) == 0
    assert guest_lambda.usage("ana-ben", PHONE).count == 0
