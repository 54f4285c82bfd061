"""Bytes appended after a photo's own end (a polyglot's HTML page, an archive) are never stored."""

import json
from collections.abc import Callable

import pytest

from events.models import Photo
from tests.conftest import SAMPLES, jpeg_bytes, upload_body

HTML = b"<!doctype html><html><body><script>alert(document.cookie)</script></body></html>\n"
PHOTOS: dict[str, Callable[[], bytes]] = {
    "jpg": jpeg_bytes,
    "png": lambda: (SAMPLES / "plain.png").read_bytes(),
    "webp": lambda: (SAMPLES / "plain.webp").read_bytes(),
    "heic": lambda: (SAMPLES / "iphone-like.heic").read_bytes(),
}


def upload(client, event, device, photo: bytes) -> dict:
    body = upload_body(event, device=device, photo=photo)
    return client.post("/api/upload", json.dumps(body), content_type="application/json").json()


@pytest.mark.parametrize("extension", PHOTOS)
def test_html_appended_to_a_photo_is_cut_before_it_is_stored(client, wedding, device, photos_dir, extension):
    photo = PHOTOS[extension]()
    answer = upload(client, wedding, device, photo + HTML)
    assert answer["key"].endswith(f".{extension}")
    assert (photos_dir / answer["key"]).read_bytes() == photo
    assert Photo.objects.get().size == len(photo)


def test_the_same_photo_with_another_appendix_is_already_uploaded(client, wedding, device, photos_dir):
    photo = jpeg_bytes()
    first = upload(client, wedding, device, photo + HTML)
    again = upload(client, wedding, device, photo + b"PK\x03\x04 another appendix")
    assert (again["key"], again["count"]) == (first["key"], 1)
