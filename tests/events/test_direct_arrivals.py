"""On AWS a direct upload's bytes landing in `_incoming/` complete it from the dashboard's S3 trigger, even
when the page never calls complete (it closed): once, whichever completer comes first."""

import hashlib
import json
from pathlib import Path
from urllib.parse import quote

import pytest

from events.models import Photo
from events.s3_events import index_new_photos
from photoshare_site import wiring
from tests.conftest import jpeg_bytes
from uploads.aws import clients
from uploads.direct import Started, StartRequest

RECORDED = Path(__file__).resolve().parents[1] / "lambda_events" / "s3_object_created.json"

pytestmark = pytest.mark.one_database


def notification(bucket: str, key: str) -> dict:
    event = json.loads(RECORDED.read_text())
    event["Records"][0]["s3"]["bucket"]["name"] = bucket
    event["Records"][0]["s3"]["object"]["key"] = quote(key)
    return event


def started(event, device: str, data: bytes) -> Started:
    request = StartRequest(
        event.slug, event.upload_key, "Carla", device, len(data), hashlib.sha256(data).hexdigest(), "image/jpeg"
    )
    result = wiring.direct_uploads().start(request)
    assert isinstance(result, Started)
    return result


def test_bytes_arriving_in_the_bucket_complete_their_upload_once(aws_backend, wedding, device):
    photo, bucket = jpeg_bytes(), aws_backend.PHOTO_BUCKET
    upload = started(wedding, device, photo).upload
    clients.s3().put_object(Bucket=bucket, Key=upload.staging_key, Body=photo)
    # WHEN S3 says the staged object was created (twice, as it may)
    assert index_new_photos(notification(bucket, upload.staging_key)) == 0
    index_new_photos(notification(bucket, upload.staging_key))
    # THEN the photo is published and counted once, and the page's own complete is a duplicate
    result = wiring.direct_uploads().complete(upload.upload_id, wedding.upload_key, device, None)
    assert result.duplicate and result.count == 1
    assert clients.s3().get_object(Bucket=bucket, Key=result.key)["Body"].read() == photo
    # AND the published copy's own event records it in the gallery
    assert index_new_photos(notification(bucket, result.key)) == 1
    assert Photo.objects.get().key == result.key
