import io

import pytest
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from events import services
from events.models import Photo
from events.thumbnails import THUMBNAIL_EDGE, render_thumbnail, thumbnail_key
from tests.conftest import SAMPLES, png_claiming
from uploads.ports import TooLarge


def rendered(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(render_thumbnail(data)))
    assert image.format == "WEBP"
    return image


def test_the_thumbnail_is_upright_when_the_camera_recorded_a_rotation():
    # Stored 1600x1200 with EXIF "rotate 90°": the thumbnail is portrait.
    assert rendered((SAMPLES / "gps-orientation6.jpg").read_bytes()).size == (480, THUMBNAIL_EDGE)


@pytest.mark.parametrize("sample", ["iphone-like.heic", "plain.png", "plain.webp"])
def test_every_format_becomes_a_webp_browsers_can_show(sample):
    assert rendered((SAMPLES / sample).read_bytes()).size == (THUMBNAIL_EDGE, 480)


def test_thumbnails_live_in_their_own_tree():
    assert thumbnail_key("ana-ben/Carla/1.heic") == "thumbs/ana-ben/Carla/1.heic.webp"


def test_a_photo_too_large_to_decode_gets_a_placeholder_not_an_error(client, alice, wedding, photos_dir):
    # GIVEN the PNG (12000 x 12000), stored before the caps refused it at upload
    bomb = png_claiming(12_000, 12_000)
    photos_dir.mkdir(parents=True)
    (photos_dir / "bomb.png").write_bytes(bomb)
    photo = Photo.objects.create(
        event=wedding,
        guest_name="Mallory",
        device_id="00000000-0000-4000-8000-000000000000",
        key="bomb.png",
        content_type="image/png",
        size=len(bomb),
        width=12_000,
        height=12_000,
        sha256="0" * 64,
        uploaded_at=timezone.now(),
    )
    client.force_login(alice)
    # WHEN the gallery asks for its thumbnail
    response = client.get(reverse("photo-thumbnail", args=[wedding.slug, photo.pk]))
    # THEN it gets the placeholder, and no thumbnail is stored
    assert (response.status_code, response["Content-Type"]) == (200, "image/svg+xml")
    assert b"No preview" in response.content
    photo.refresh_from_db()
    assert photo.thumbnail_key == ""


def test_a_photo_over_its_format_cap_is_not_decoded():
    with pytest.raises(TooLarge):
        render_thumbnail(png_claiming(12_000, 12_000))


@pytest.mark.parametrize("rendition", ["thumbnail", "display"])
def test_a_photo_deleted_while_its_rendition_is_made_leaves_no_file_and_no_error(
    client, wedding, uploaded, photos_dir, monkeypatch, rendition
):
    # GIVEN a photo deleted (by its guest, say) while its first view renders it
    uploaded(1)
    photo = Photo.objects.get()
    render = f"events.services.render_{rendition}"
    original = {"thumbnail": services.render_thumbnail, "display": services.render_display}[rendition]

    def render_then_lose_the_photo(data):
        services.photo_delete(photo=Photo.objects.get(pk=photo.pk), refund=True)
        return original(data)

    monkeypatch.setattr(render, render_then_lose_the_photo)
    # WHEN the guest's My uploads (or the wall) asks for it
    ensure = services.photo_thumbnail_ensure if rendition == "thumbnail" else services.photo_display_ensure
    # THEN it says there is nothing to show, and no rendition of the gone photo stays on disk
    assert ensure(photo=photo) is False
    assert [p for p in photos_dir.rglob("*") if p.is_file()] == []


def test_the_thumbnail_of_a_photo_gone_since_it_was_looked_up_is_a_placeholder(client, wedding, uploaded, photos_dir):
    uploaded(1)
    photo = Photo.objects.get()
    (photos_dir / photo.key).unlink()
    assert services.photo_thumbnail_ensure(photo=photo) is False
