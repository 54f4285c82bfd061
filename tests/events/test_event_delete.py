"""Deleting an event removes everything kept under its slug, in both runtimes: a new event with the same
slug starts empty (no photos, thumbnails, ZIPs, counters, limits, claims or "already uploaded")."""

import json

import boto3
import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from events.exports import export_start
from events.models import Event, Photo, PhotoExport
from events.s3_events import index_new_photos
from events.services import event_create, event_delete, photo_make_thumbnail
from photoshare_site import wiring
from tests.conftest import jpeg_bytes, upload_body
from tests.uploads.test_core import request_for
from uploads.models import DeviceQuota, UploadClaim

OTHER_PHONE = "00000000-0000-4000-8000-000000000002"


def upload(client, event, device, seed=0) -> dict:
    body = upload_body(event, device=device, photo=jpeg_bytes(seed))
    return client.post("/api/upload", json.dumps(body), content_type="application/json").json()


def files_under(root) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()) if root.exists() else []


@pytest.fixture
def busy_wedding(client, alice, wedding, device, photos_dir):
    """Two phones' photos with their thumbnails, a per-device limit, and a photo on another event."""
    upload(client, wedding, device, seed=1)
    upload(client, wedding, device, seed=2)
    upload(client, wedding, OTHER_PHONE, seed=3)
    for photo in Photo.objects.all():
        photo_make_thumbnail(photo=photo, data=(photos_dir / photo.key).read_bytes())
    wiring.quota_store().set_device_limit(wedding.slug, device, 7)
    other = event_create(owner=alice, name="Office party", slug="office-party")
    upload(client, other, device, seed=1)
    return wedding


def test_the_organizer_must_type_the_events_name(client, alice, busy_wedding, photos_dir):
    client.force_login(alice)
    page = client.post(reverse("event-delete", args=[busy_wedding.slug]), {"name": "ana & ben?"})
    assert "not this event" in page.content.decode()
    assert Event.objects.filter(slug="ana-ben").exists() and Photo.objects.filter(event=busy_wedding).count() == 3


def test_deleting_then_recreating_the_same_slug_starts_empty(client, alice, busy_wedding, device, photos_dir):
    client.force_login(alice)
    response = client.post(reverse("event-delete", args=["ana-ben"]), {"name": "Ana & Ben"}, follow=True)
    assert "are deleted" in next(str(m) for m in response.context["messages"])
    assert not [f for f in files_under(photos_dir) if "ana-ben" in f]
    assert files_under(photos_dir / "office-party")  # the other event keeps its photo
    assert not DeviceQuota.objects.filter(event_slug="ana-ben").exists()
    assert not UploadClaim.objects.filter(event_slug="ana-ben").exists()
    # WHEN the same slug is used again and the same phone sends the same photo
    again = event_create(owner=alice, name="Ana & Ben", slug="ana-ben", limit=3)
    body = upload(client, again, device, seed=1)
    # THEN it is a new photo, counted from zero, under the event's own limit
    assert (body["status"], body["duplicate"], body["count"], body["limit"]) == ("ok", False, 1, 3)


def test_another_organizer_cannot_delete_it(client, bob, busy_wedding):
    client.force_login(bob)
    assert client.post(reverse("event-delete", args=["ana-ben"]), {"name": "Ana & Ben"}).status_code == 404
    assert Event.objects.filter(slug="ana-ben").exists()


def test_the_admin_deletes_through_the_same_service(client, busy_wedding, photos_dir):
    staff = get_user_model().objects.create_superuser("root", "root@example.org", "a long passphrase")
    client.force_login(staff)
    url = reverse("admin:events_event_delete", args=[busy_wedding.pk])
    client.post(url, {"post": "yes"})
    assert not Event.objects.filter(slug="ana-ben").exists()
    assert not [f for f in files_under(photos_dir) if "ana-ben" in f]
    assert not DeviceQuota.objects.filter(event_slug="ana-ben").exists()


def test_the_admin_deletes_a_photo_with_its_files_and_gives_the_slot_back(client, busy_wedding, device, photos_dir):
    staff = get_user_model().objects.create_superuser("root", "root@example.org", "a long passphrase")
    client.force_login(staff)
    photo = Photo.objects.filter(event=busy_wedding, device_id=device).first()
    client.post(reverse("admin:events_photo_delete", args=[photo.pk]), {"post": "yes"})
    assert not (photos_dir / photo.key).exists() and not (photos_dir / photo.thumbnail_key).exists()
    assert wiring.quota_store().usage("ana-ben", device).count == 1


def test_on_aws_it_empties_the_bucket_prefixes_and_the_tables_partition(alice, aws_backend, wedding, device):
    # GIVEN photos stored by the guest path, indexed and thumbnailed by the S3 trigger, and a ZIP
    uploader = wiring.uploader()
    for seed in (1, 2):
        stored = uploader.upload(request_for(wedding, device, jpeg_bytes(seed)))
        index_new_photos({"Records": [{"s3": {"bucket": {"name": "b"}, "object": {"key": stored.key}}}]})
    export_start(event=wedding)
    assert PhotoExport.objects.get().status == "ready"
    other = event_create(owner=alice, name="Office party", slug="office-party")
    uploader.upload(request_for(other, device, jpeg_bytes(1)))
    # WHEN the event is deleted
    event_delete(event=wedding)
    # THEN nothing of it is left in S3 or DynamoDB, and the other event is untouched
    keys = [o["Key"] for o in boto3.client("s3").list_objects_v2(Bucket=aws_backend.PHOTO_BUCKET)["Contents"]]
    assert keys and not [k for k in keys if "ana-ben" in k]
    table = boto3.client("dynamodb")
    partition = table.query(
        TableName=aws_backend.DYNAMODB_TABLE,
        KeyConditionExpression="EventName = :e",
        ExpressionAttributeValues={":e": {"S": "ana-ben"}},
    )
    assert partition["Items"] == []
    assert wiring.dynamodb_store().get("office-party") is not None
    # AND the same slug starts again from nothing
    again = event_create(owner=alice, name="Ana & Ben", slug="ana-ben", limit=3)
    result = uploader.upload(request_for(again, device, jpeg_bytes(1)))
    assert (result.count, result.duplicate) == (1, False)
