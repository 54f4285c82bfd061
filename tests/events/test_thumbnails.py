import io

import pytest
from PIL import Image

from events.thumbnails import THUMBNAIL_EDGE, render_thumbnail, thumbnail_key
from tests.conftest import SAMPLES


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
