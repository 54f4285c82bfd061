"""Helpers and the `guest_lambda` fixture for tests that drive the guest Lambda handler under moto."""

import base64
import copy
import json
from pathlib import Path

import pytest

from tests.conftest import jpeg_bytes
from uploads import lambda_handler
from uploads.aws import clients
from uploads.aws.dynamodb import DynamoDBStore
from uploads.policy import EventPolicy, hash_upload_key

RECORDED = Path(__file__).resolve().parent / "lambda_events"
GUEST_SITE = "https://photoshare-guests.s3-website-eu-west-1.amazonaws.com"
KEY = "k" * 43
PHONE = "6f1c1e0a-1b8e-4d84-9d8a-2f1f3f3c0001"


class FakeContext:
    aws_request_id = "req-1"
    function_name = "photoshare-guest"

    def __init__(self, remaining_ms: int = 28_000):
        self.remaining_ms = remaining_ms

    def get_remaining_time_in_millis(self) -> int:
        return self.remaining_ms


def recorded(name: str) -> dict:
    return copy.deepcopy(json.loads((RECORDED / f"{name}.json").read_text()))


def upload_event(version: str = "v1", image: bytes | None = None, **fields) -> dict:
    body = json.dumps(
        {
            "eventName": "ana-ben",
            "uploadKey": KEY,
            "guestName": "Carla",
            "deviceId": PHONE,
            "image": base64.b64encode(image or jpeg_bytes()).decode(),
        }
        | fields
    )
    if version == "v1":
        event = recorded("apigw_rest_v1_post_upload")
        event["body"] = body
    else:
        event = recorded("apigw_http_v2_post_upload")
        event["body"] = base64.b64encode(body.encode()).decode()
    return event


def call(event: dict, context: FakeContext | None = None) -> tuple[int, dict, dict]:
    response = lambda_handler.handler(event, context or FakeContext())
    return response["statusCode"], json.loads(response["body"] or "{}"), response["headers"]


@pytest.fixture
def guest_lambda(monkeypatch, dynamodb_table, photo_bucket):
    monkeypatch.setenv("PHOTOSHARE_TABLE", dynamodb_table)
    monkeypatch.setenv("PHOTOSHARE_PHOTO_BUCKET", photo_bucket)
    monkeypatch.setenv("PHOTOSHARE_CORS_ORIGINS", GUEST_SITE)
    lambda_handler.uploader.cache_clear()
    lambda_handler.direct_uploads.cache_clear()
    store = DynamoDBStore(clients.dynamodb(), dynamodb_table)
    store.put_policy(EventPolicy("ana-ben", "Ana & Ben", 2, True, hash_upload_key(KEY)))
    yield store
    lambda_handler.uploader.cache_clear()
    lambda_handler.direct_uploads.cache_clear()
