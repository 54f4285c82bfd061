"""The guest Lambda answers recorded API Gateway events exactly as the Django API does (moto)."""

import json
import logging
import subprocess
import sys

import pytest
from botocore.exceptions import ClientError

from tests.conftest import jpeg_bytes
from tests.guest_lambda import GUEST_SITE, KEY, PHONE, FakeContext, call, recorded, upload_event
from uploads import lambda_handler
from uploads.aws import clients
from uploads.policy import EventPolicy, hash_upload_key

# The guest function touches no SQL database: the PostgreSQL pass leaves it out.
pytestmark = pytest.mark.one_database


@pytest.mark.parametrize("version", ["v1", "v2"])
def test_an_upload_is_stored_in_s3_and_counted_in_dynamodb(guest_lambda, photo_bucket, version):
    status, body, headers = call(upload_event(version))
    assert (status, body["count"], body["remaining"]) == (200, 1, 1)
    stored = clients.s3().get_object(Bucket=photo_bucket, Key=body["key"])
    assert stored["Body"].read() == jpeg_bytes()
    assert stored["ContentType"] == "image/jpeg"
    assert headers["Access-Control-Allow-Origin"] == GUEST_SITE


def test_past_the_limit_it_answers_429(guest_lambda):
    for seed in range(2):
        assert call(upload_event(image=jpeg_bytes(seed)))[0] == 200
    status, body, _ = call(upload_event(image=jpeg_bytes(7)))
    assert (status, body["status"], body["count"], body["limit"]) == (429, "limit_reached", 2, 2)


def test_new_device_ids_past_the_event_cap_answer_403_event_full(guest_lambda):
    # GIVEN the event's policy, as the dashboard mirrors it, with a cap of 2 photos
    guest_lambda.put_policy(EventPolicy("ana-ben", "Ana & Ben", 2, True, hash_upload_key(KEY), max_photos=2))
    phones = [f"6f1c1e0a-1b8e-4d84-9d8a-{n:012x}" for n in range(3)]
    # WHEN three "phones" upload one photo each
    answers = [call(upload_event(image=jpeg_bytes(n), deviceId=phone)) for n, phone in enumerate(phones)]
    # THEN the third is refused for the event, not the device, and the usage holds exactly what is stored
    assert [(status, body["status"]) for status, body, _ in answers] == [(200, "ok")] * 2 + [(403, "event_full")]
    stored = sum(len(jpeg_bytes(n)) for n in range(2))
    assert (guest_lambda.event_usage("ana-ben").photos, guest_lambda.event_usage("ana-ben").bytes) == (2, stored)


def test_a_wrong_key_answers_403(guest_lambda):
    status, body, _ = call(upload_event(uploadKey="guess"))
    assert (status, body["status"]) == (403, "wrong_key")


def test_a_closed_event_answers_403(guest_lambda):
    guest_lambda.put_policy(EventPolicy("ana-ben", "Ana & Ben", 2, False, hash_upload_key(KEY)))
    assert call(upload_event())[1]["status"] == "event_closed"


def test_an_unknown_event_answers_404(guest_lambda):
    status, body, _ = call(upload_event(eventName="nope"))
    assert (status, body["status"]) == (404, "unknown_event")


def test_the_event_route_tells_the_device_what_it_has_left(guest_lambda):
    call(upload_event())
    event = recorded("apigw_http_v2_get_event")
    event["queryStringParameters"] = {"key": KEY, "deviceId": PHONE}
    status, body, _ = call(event)
    assert (status, body["name"], body["device"]) == (200, "Ana & Ben", {"count": 1, "limit": 2, "remaining": 1})


def test_the_preflight_is_answered_for_the_guest_site(guest_lambda):
    response = lambda_handler.handler(recorded("apigw_rest_v1_options_preflight"), FakeContext())
    assert response["statusCode"] == 204
    assert response["headers"]["Access-Control-Allow-Origin"] == GUEST_SITE
    assert "POST" in response["headers"]["Access-Control-Allow-Methods"]


@pytest.mark.parametrize(
    ("change", "status", "code"),
    [
        ({"body": "{not json"}, 400, "bad_request"),
        ({"body": "x" * (6 * 1024 * 1024 + 1)}, 413, "too_large"),
        ({"body": "!!!", "isBase64Encoded": True}, 400, "bad_request"),
        ({"httpMethod": "GET"}, 405, "method_not_allowed"),
        ({"path": "/admin/"}, 404, "not_found"),
    ],
    ids=["not-json", "over-6-mb", "bad-base64-envelope", "wrong-method", "unknown-route"],
)
def test_malformed_requests_get_a_json_4xx(guest_lambda, change, status, code):
    answered, body, _ = call(upload_event() | change)
    assert (answered, body["status"]) == (status, code)


def test_a_photo_over_the_configured_maximum_answers_413(guest_lambda, monkeypatch):
    monkeypatch.setenv("PHOTOSHARE_MAX_UPLOAD_BYTES", "1024")
    status, body, _ = call(upload_event(image=jpeg_bytes(size=(400, 300))))
    assert (status, body["status"]) == (413, "too_large")


def test_the_guest_function_reads_the_same_settings_as_the_dashboard(guest_lambda, monkeypatch, settings):
    # One config module: the defaults cannot drift apart again.
    monkeypatch.delenv("PHOTOSHARE_MAX_UPLOAD_BYTES", raising=False)
    assert lambda_handler.config().max_upload_bytes == settings.MAX_UPLOAD_BYTES
    assert lambda_handler.config().table == settings.DYNAMODB_TABLE
    # Only the 6 MB payload caps it further.
    assert lambda_handler.max_upload_bytes() == lambda_handler.MAX_PHOTO_IN_PAYLOAD


def test_a_throttled_table_answers_503_with_retry_after(guest_lambda, monkeypatch):
    def throttled(**kwargs):
        raise ClientError({"Error": {"Code": "ThrottlingException"}}, "TransactWriteItems")

    monkeypatch.setattr(clients.guest_dynamodb(), "transact_write_items", throttled)
    status, body, headers = call(upload_event())
    assert (status, body["status"], headers["Retry-After"]) == (503, "unavailable", "10")


def test_each_request_logs_one_json_line(guest_lambda, caplog):
    with caplog.at_level(logging.INFO, logger="photoshare.guest"):
        call(upload_event())
    [line] = [json.loads(r.getMessage()) for r in caplog.records if r.name == "photoshare.guest"]
    assert (line["method"], line["status"], line["request_id"]) == ("POST", 200, "req-1")
    assert KEY not in json.dumps(line) and "Carla" not in json.dumps(line)


def test_the_handler_imports_no_django():
    code = "import sys, uploads.lambda_handler; print(sorted({m.split('.')[0] for m in sys.modules}))"
    modules = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert "django" not in modules and "PIL" not in modules
