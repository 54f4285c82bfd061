"""The wall on AWS (moto): the S3 trigger makes the display rendition, the feed reads the index the
trigger fills, and the link's media routes answer with presigned links of at most 15 minutes."""

import io
from urllib.parse import parse_qs, quote, urlparse

import pytest
from django.urls import reverse
from PIL import Image

from events import services
from events.models import Photo
from events.s3_events import index_new_photos
from events.thumbnails import display_key
from photoshare_site.wiring import photo_store
from tests.uploads.contract_photos import stored_photo
from uploads.aws import clients

pytestmark = pytest.mark.usefixtures("aws_backend")

KEY = "ana-ben/José/20260620T120000Z_1.jpg"


def stored_by_the_guest_lambda(key: str, data: bytes, **details) -> Photo:
    """The photo put in the bucket, then its ObjectCreated notification handled as Lambda would."""
    photo_store().put(stored_photo(key, **details), data)
    index_new_photos({"Records": [{"s3": {"object": {"key": quote(key)}}}]})
    return Photo.objects.get(key=key)


def large_jpeg() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (1000, 2400), (10, 120, 200)).save(buffer, "JPEG")
    return buffer.getvalue()


def bucket_object(settings, key: str) -> bytes:
    return clients.s3().get_object(Bucket=settings.PHOTO_BUCKET, Key=key)["Body"].read()


def test_the_s3_trigger_makes_the_display_rendition_beside_the_thumbnail(settings, wedding):
    photo = stored_by_the_guest_lambda(KEY, large_jpeg())
    with Image.open(io.BytesIO(bucket_object(settings, display_key(KEY)))) as image:
        assert (image.format, image.size) == ("WEBP", (800, 1920))
    assert photo.thumbnail_key == f"thumbs/{KEY}.webp"
    # WHEN S3 then reports the rendition itself THEN nothing new is indexed.
    assert index_new_photos({"Records": [{"s3": {"object": {"key": quote(display_key(KEY))}}}]}) == 0
    services.photo_delete(photo=photo, refund=False)
    assert "Contents" not in clients.s3().list_objects_v2(Bucket=settings.PHOTO_BUCKET, Prefix="thumbs/")


def expires(url: str) -> int:
    return int(parse_qs(urlparse(url).query)["X-Amz-Expires"][0])


def test_the_feed_lists_what_the_trigger_indexed_and_its_media_redirect_to_short_presigned_links(client, wedding):
    wedding = services.event_update(event=wedding, wall_on=True)
    photo = stored_by_the_guest_lambda(KEY, large_jpeg())
    body = client.get(reverse("wall-feed", args=[wedding.slug, wedding.wall_token])).json()
    assert [entry["id"] for entry in body["photos"]] == [photo.pk]
    response = client.get(body["photos"][0]["src"])
    assert response.status_code == 302
    assert urlparse(response["Location"]).path.endswith(quote(display_key(KEY)))
    assert expires(response["Location"]) <= 900


def test_a_video_plays_from_a_short_presigned_link_with_its_thumbnail_as_poster(client, wedding):
    wedding = services.event_update(event=wedding, wall_on=True)
    key = "ana-ben/José/20260620T120000Z_2.mp4"
    video = stored_by_the_guest_lambda(key, b"\x00" * 64, content_type="video/mp4")
    [entry] = client.get(reverse("wall-feed", args=[wedding.slug, wedding.wall_token])).json()["photos"]
    assert (entry["id"], entry["kind"]) == (video.pk, "video")
    response = client.get(entry["src"])
    assert response.status_code == 302 and expires(response["Location"]) <= 900
    assert urlparse(response["Location"]).path.endswith(quote(key))
    # No poster frame came with it: the wall shows the placeholder as poster.
    assert client.get(entry["poster"])["Content-Type"] == "image/svg+xml"
