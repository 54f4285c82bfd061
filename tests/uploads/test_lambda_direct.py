"""The guest function's direct-upload routes (moto): start, status, and complete once the bytes are in S3."""

import base64
import hashlib
import json

import pytest

from tests.conftest import jpeg_bytes
from tests.guest_lambda import KEY, PHONE, call, recorded
from uploads.aws import clients

# The guest function touches no SQL database: the PostgreSQL pass leaves it out.
pytestmark = pytest.mark.one_database


def request(method: str, path: str, body: dict[str, object] | None = None, query: dict | None = None) -> dict:
    event = recorded("apigw_rest_v1_post_upload")
    event |= {"httpMethod": method, "path": path, "body": json.dumps(body) if body else None}
    event["queryStringParameters"] = query
    return event


def start(data: bytes, content_type: str = "image/jpeg"):
    body: dict[str, object] = {"eventName": "ana-ben", "uploadKey": KEY, "guestName": "Carla", "deviceId": PHONE}
    body |= {"size": len(data), "sha256": hashlib.sha256(data).hexdigest(), "contentType": content_type}
    return call(request("POST", "/uploads", body))


def staged_key(upload_id: str) -> str:
    event, fingerprint, token = upload_id.rsplit(".", 2)
    return f"_incoming/{event}/{PHONE}/{fingerprint}.{token}"


def test_a_start_answers_a_presigned_put_bound_to_the_bytes(guest_lambda):
    photo = jpeg_bytes()
    status, body, _ = start(photo)
    assert (status, body["status"], body["count"], body["remaining"]) == (201, "pending", 1, 1)
    assert "_incoming/ana-ben/" in body["upload"]["url"] and "X-Amz-Signature" in body["upload"]["url"]
    checksum = base64.b64encode(hashlib.sha256(photo).digest()).decode()
    assert body["upload"]["headers"]["x-amz-checksum-sha256"] == checksum


def test_bytes_in_the_bucket_complete_into_a_stored_photo(guest_lambda, photo_bucket):
    photo = jpeg_bytes()
    upload_id = start(photo)[1]["uploadId"]
    query = {"key": KEY, "deviceId": PHONE}
    status, waiting, _ = call(request("GET", f"/uploads/{upload_id}", query=query))
    assert (status, waiting["status"], waiting["received"]) == (200, "pending", [])
    clients.s3().put_object(Bucket=photo_bucket, Key=staged_key(upload_id), Body=photo)
    status, done, _ = call(request("POST", f"/uploads/{upload_id}/complete", {"key": KEY, "deviceId": PHONE}))
    assert (status, done["status"], done["count"], done["duplicate"]) == (200, "ok", 1, False)
    assert clients.s3().get_object(Bucket=photo_bucket, Key=done["key"])["Body"].read() == photo
    assert guest_lambda.usage("ana-ben", PHONE).count == 1


def test_completing_before_the_bytes_arrived_answers_409_incomplete(guest_lambda):
    upload_id = start(jpeg_bytes())[1]["uploadId"]
    status, body, _ = call(request("POST", f"/uploads/{upload_id}/complete", {"key": KEY, "deviceId": PHONE}))
    assert (status, body["status"], body["missing"]) == (409, "incomplete", [1])


def test_an_unknown_upload_answers_404_and_a_wrong_method_405(guest_lambda):
    status, body, _ = call(request("GET", "/uploads/ana-ben.x.y", query={"key": KEY, "deviceId": PHONE}))
    assert (status, body["status"]) == (404, "unknown_upload")
    assert call(request("GET", "/uploads"))[0] == 405
