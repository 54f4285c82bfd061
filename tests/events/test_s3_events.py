import json
from pathlib import Path
from urllib.parse import quote

import pytest

from events.models import Photo
from events.s3_events import index_new_photos
from photoshare_site.wiring import photo_store
from tests.conftest import SAMPLES
from tests.uploads.contract_photos import stored_photo
from uploads.aws import clients

KEY = "ana-ben/José/20260620T120000Z_1.jpg"
RECORDED = Path(__file__).resolve().parents[1] / "lambda_events" / "s3_object_created.json"


@pytest.fixture
def notification(aws_backend, photo_bucket) -> dict:
    event = json.loads(RECORDED.read_text())
    event["Records"][0]["s3"]["bucket"]["name"] = photo_bucket
    return event


def test_a_photo_stored_by_the_guest_lambda_reaches_the_gallery(wedding, notification):
    # The recorded notification names "ana-ben/José/20260620T120000Z_1.jpg", URL-encoded as S3 sends it.
    photo_store().put(stored_photo("ana-ben/José/20260620T120000Z_1.jpg"), b"12345")
    assert index_new_photos(notification) == 1
    photo = Photo.objects.get()
    assert (photo.event, photo.guest_name, photo.size, photo.width) == (wedding, "Carla Ruiz 🎉", 5, 4)


def test_it_makes_the_thumbnail_in_the_bucket_and_ignores_the_thumbnails_own_event(wedding, notification):
    photo_store().put(stored_photo(KEY), (SAMPLES / "gps-orientation6.jpg").read_bytes())
    index_new_photos(notification)
    photo = Photo.objects.get()
    assert photo.thumbnail_key == f"thumbs/{KEY}.webp"
    thumbnail = clients.s3().get_object(
        Bucket=notification["Records"][0]["s3"]["bucket"]["name"], Key=photo.thumbnail_key
    )
    assert thumbnail["Body"].read(12)[8:12] == b"WEBP"
    # WHEN S3 then reports the thumbnail itself THEN nothing new is indexed.
    notification["Records"][0]["s3"]["object"]["key"] = quote(photo.thumbnail_key)
    assert index_new_photos(notification) == 0


def test_a_repeated_notification_indexes_the_photo_once(wedding, notification):
    photo_store().put(stored_photo("ana-ben/José/20260620T120000Z_1.jpg"), b"12345")
    index_new_photos(notification)
    assert index_new_photos(notification) == 0
    assert Photo.objects.count() == 1
