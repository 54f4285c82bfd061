"""A video too large for the guest function to check within API Gateway's 29 s (moto): its completion
joins the parts and answers 202 "processing"; the bucket's ObjectCreated, in the dashboard function,
completes it; the page's status request then answers the stored video."""

import json
from pathlib import Path
from urllib.parse import quote

import pytest

from events.s3_events import index_new_photos
from tests.guest_lambda import KEY, PHONE, call
from tests.samples_video import EIFFEL, movie
from tests.uploads.test_lambda_direct import request, start
from uploads import lambda_handler
from uploads.aws import clients
from uploads.aws.staging import PART_SIZE
from uploads.openapi import PROCESSING

# The guest function touches no SQL database: the PostgreSQL pass leaves it out.
pytestmark = pytest.mark.one_database

RECORDED = Path(__file__).resolve().parents[1] / "lambda_events" / "s3_object_created.json"
# Two parts: the second joins them, and only the whole object's creation reaches the dashboard.
VIDEO = movie(mdat=PART_SIZE + 1000)


@pytest.fixture
def deferred(monkeypatch, guest_lambda, aws_backend):
    """The guest function defers above 1 MB (64 MB deployed); the dashboard runs on the same moto."""
    monkeypatch.setattr(lambda_handler, "FINISH_INLINE_UP_TO", 1024 * 1024)
    lambda_handler.direct_uploads.cache_clear()
    return guest_lambda


def object_created(bucket: str, key: str) -> dict:
    event = json.loads(RECORDED.read_text())
    event["Records"][0]["s3"]["bucket"]["name"] = bucket
    event["Records"][0]["s3"]["object"]["key"] = quote(key)
    return event


def send_parts(bucket: str, upload_id: str, data: bytes) -> str:
    """What the phone's presigned part PUTs do; returns the staged key."""
    event, fingerprint, token = upload_id.rsplit(".", 2)
    key = f"_incoming/{event}/{PHONE}/{fingerprint}.{token}"
    s3 = clients.s3()
    (begun,) = s3.list_multipart_uploads(Bucket=bucket, Prefix=key)["Uploads"]
    for number, offset in enumerate(range(0, len(data), PART_SIZE), start=1):
        part = data[offset : offset + PART_SIZE]
        s3.upload_part(Bucket=bucket, Key=key, UploadId=begun["UploadId"], PartNumber=number, Body=part)
    return key


def status(upload_id: str):
    return call(request("GET", f"/uploads/{upload_id}", query={"key": KEY, "deviceId": PHONE}))


def test_a_video_over_the_threshold_answers_202_and_the_bucket_event_completes_it(deferred, photo_bucket):
    status_code, started, _ = start(VIDEO, "video/mp4")
    assert (status_code, len(started["multipart"]["parts"])) == (201, 2)
    upload_id = started["uploadId"]
    staged_key = send_parts(photo_bucket, upload_id, VIDEO)
    # WHEN the page completes it
    answer = call(request("POST", f"/uploads/{upload_id}/complete", {"key": KEY, "deviceId": PHONE}))
    # THEN the parts are joined into one staged object, and the answer says to ask again
    status_code, body, headers = answer
    assert (status_code, body) == (202, {"status": "processing", "uploadId": upload_id, "retryAfter": 3})
    assert headers["Retry-After"] == "3"
    assert set(body) == set(PROCESSING["properties"])  # as the API's description says
    assert clients.s3().head_object(Bucket=photo_bucket, Key=staged_key)["ContentLength"] == len(VIDEO)
    assert status(upload_id)[:2] == (200, body)
    assert deferred.usage("ana-ben", PHONE).count == 1
    # WHEN the bucket's ObjectCreated for the joined object reaches the dashboard function
    assert index_new_photos(object_created(photo_bucket, staged_key)) == 0
    # THEN the video is stored without its location and counted, and the page's status says so
    status_code, done, _ = status(upload_id)
    assert (status_code, done["status"], done["count"], done["duplicate"]) == (200, "ok", 1, True)
    stored = clients.s3().get_object(Bucket=photo_bucket, Key=done["key"])["Body"].read()
    assert len(stored) == len(VIDEO) and EIFFEL in VIDEO and EIFFEL not in stored
    assert deferred.usage("ana-ben", PHONE).count == 1


def test_a_video_the_bucket_event_refuses_answers_404_refused_or_expired(deferred, photo_bucket):
    upload_id = start(VIDEO, "video/mp4")[1]["uploadId"]
    staged_key = send_parts(photo_bucket, upload_id, bytes(len(VIDEO)))
    assert call(request("POST", f"/uploads/{upload_id}/complete", {"key": KEY, "deviceId": PHONE}))[0] == 202
    index_new_photos(object_created(photo_bucket, staged_key))
    status_code, body, _ = status(upload_id)
    assert (status_code, body["status"]) == (404, "unknown_upload")
    assert "refused" in body["message"] and "expired" in body["message"]
    assert deferred.usage("ana-ben", PHONE).count == 0


def test_a_video_up_to_the_threshold_is_still_completed_within_the_request(deferred, photo_bucket, monkeypatch):
    monkeypatch.setattr(lambda_handler, "FINISH_INLINE_UP_TO", len(VIDEO))
    lambda_handler.direct_uploads.cache_clear()
    upload_id = start(VIDEO, "video/mp4")[1]["uploadId"]
    send_parts(photo_bucket, upload_id, VIDEO)
    status_code, done, _ = call(request("POST", f"/uploads/{upload_id}/complete", {"key": KEY, "deviceId": PHONE}))
    assert (status_code, done["status"], done["duplicate"]) == (200, "ok", False)
    assert deferred.usage("ana-ben", PHONE).count == 1


def test_each_function_has_the_disk_for_the_largest_file_it_checks():
    stages = json.loads((Path(__file__).resolve().parents[2] / "zappa_settings.json").read_text())
    disk = {name: stage.get("ephemeral_storage", {"Size": 512})["Size"] for name, stage in stages.items()}
    # The checked file is spooled to /tmp whole; room is left for anything else there.
    spare = 256
    largest_video = int(stages["dashboard"]["aws_environment_variables"]["PHOTOSHARE_MAX_VIDEO_MB"])
    assert largest_video + spare <= disk["dashboard"] <= 10240
    assert lambda_handler.FINISH_INLINE_UP_TO // (1024 * 1024) + spare <= disk["guest"]
