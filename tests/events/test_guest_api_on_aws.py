"""My uploads on AWS (moto): uploads recorded from S3, claims and counts in DynamoDB, thumbnails behind
presigned links of at most 15 minutes, a delete that empties S3 and gives the slot back in DynamoDB."""

import hashlib
import json
from urllib.parse import parse_qs, quote, urlparse

import pytest

from events.models import Photo
from events.s3_events import index_new_photos
from events.services import event_create
from photoshare_site import wiring
from tests.conftest import jpeg_bytes
from uploads.aws import clients
from uploads.core import UploadRequest
from uploads.direct import StartRequest

OTHER_DEVICE = "0b5b1b8e-1b8e-4d84-9d8a-2f1f3f3c0002"


@pytest.fixture
def party(aws_backend, alice):
    # Created on the AWS backend, so its policy is mirrored into DynamoDB for the guest path.
    return event_create(owner=alice, name="Party", slug="party", limit=3)


def upload(event, device: str, seed: int, bucket: str) -> Photo:
    """A photo as the guest function stores it, then indexed as the bucket's event makes the dashboard do."""
    request = UploadRequest(event.slug, event.upload_key, "Carla", device, jpeg_bytes(seed))
    key = wiring.uploader().upload(request, "203.0.113.9").key
    index_new_photos({"Records": [{"s3": {"bucket": {"name": bucket}, "object": {"key": quote(key)}}}]})
    return Photo.objects.get(key=key)


def mine(client, event, device: str) -> dict:
    answer = client.get(f"/api/events/{event.slug}/mine", {"key": event.upload_key, "deviceId": device})
    assert answer.status_code == 200, answer.json()
    return answer.json()


def test_on_aws_a_phone_lists_its_uploads_and_gets_short_presigned_thumbnails(client, party, device, photo_bucket):
    photo = upload(party, device, 1, photo_bucket)
    upload(party, OTHER_DEVICE, 2, photo_bucket)
    [listed] = mine(client, party, device)["uploads"]
    assert (listed["id"], listed["state"]) == (photo.pk, "uploaded")
    thumbnail = client.get(listed["thumbnailUrl"])
    assert thumbnail.status_code == 302
    link = urlparse(thumbnail["Location"])
    assert link.path.endswith(photo.thumbnail_key) and int(parse_qs(link.query)["X-Amz-Expires"][0]) <= 900


def test_on_aws_an_upload_on_its_way_is_listed_from_dynamodb(client, party, device):
    data = jpeg_bytes(9)
    sha256 = hashlib.sha256(data).hexdigest()
    start = StartRequest(party.slug, party.upload_key, "Carla", device, len(data), sha256, "image/jpeg")
    wiring.direct_uploads().start(start, "203.0.113.9")
    assert [(p["id"], p["state"]) for p in mine(client, party, device)["pending"]] == [(sha256, "uploading")]
    assert mine(client, party, OTHER_DEVICE)["pending"] == []


def test_on_aws_a_guest_delete_empties_s3_and_gives_the_slot_back_in_dynamodb(client, party, device, photo_bucket):
    photo = upload(party, device, 1, photo_bucket)
    quota = wiring.quota_store()
    assert quota.usage(party.slug, device).count == 1
    body = json.dumps({"key": party.upload_key, "deviceId": OTHER_DEVICE})
    assert client.post(f"/api/events/{party.slug}/mine/{photo.pk}/delete", body, "application/json").status_code == 404
    body = json.dumps({"key": party.upload_key, "deviceId": device})
    assert client.post(f"/api/events/{party.slug}/mine/{photo.pk}/delete", body, "application/json").status_code == 200
    assert not Photo.objects.exists()
    assert clients.s3().list_objects_v2(Bucket=photo_bucket).get("KeyCount", 0) == 0
    assert quota.usage(party.slug, device).count == 0


def test_on_aws_the_album_link_is_the_dashboards_not_the_static_guest_sites(client, party, device, settings):
    settings.PUBLIC_BASE_URL = "http://photoshare-guests.s3-website-eu-west-1.amazonaws.com"
    party.album_on = True
    party.save()
    url = mine(client, party, device)["album"]["url"]
    assert url == f"http://testserver/album/{party.slug}/{party.album_token}/"
