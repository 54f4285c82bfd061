"""GPS positions are removed from stored photos by default, without recompressing anything."""

import io
import json

import pillow_heif
import pytest
from PIL import Image

from tests.conftest import SAMPLES, upload_body
from uploads.exif import GPS_IFD_TAG, strip_location

# The same whatever DATABASE_URL says (or it sets its own): the PostgreSQL pass leaves it out.
pytestmark = pytest.mark.one_database

pillow_heif.register_heif_opener()
SAMPLE = (SAMPLES / "gps-orientation6.jpg").read_bytes()


def exif_of(data: bytes) -> Image.Exif:
    return Image.open(io.BytesIO(data)).getexif()


def with_gps(fmt: str) -> bytes:
    """A photo in `fmt` carrying the sample's EXIF, GPS included."""
    buffer = io.BytesIO()
    Image.effect_noise((64, 48), 40).convert("RGB").save(buffer, fmt, exif=exif_of(SAMPLE).tobytes())
    return buffer.getvalue()


def test_the_sample_has_a_gps_position_to_remove():
    assert exif_of(SAMPLE).get_ifd(GPS_IFD_TAG)


def test_the_jpeg_loses_its_location_and_nothing_else():
    stripped = strip_location(SAMPLE, "jpg")
    assert dict(exif_of(stripped).get_ifd(GPS_IFD_TAG)) == {}
    assert exif_of(stripped)[0x0112] == 6  # orientation kept
    assert exif_of(stripped)[0x010F] == exif_of(SAMPLE)[0x010F]  # camera make kept
    assert len(stripped) == len(SAMPLE)
    # Only bytes inside the EXIF segment changed: the compressed image is byte-identical.
    changed = [i for i, (a, b) in enumerate(zip(SAMPLE, stripped, strict=True)) if a != b]
    app1 = SAMPLE.index(b"Exif\x00\x00") - 4  # the FFE1 marker, then the segment's length
    app1_end = app1 + 2 + int.from_bytes(SAMPLE[app1 + 2 : app1 + 4], "big")
    assert changed and max(changed) < app1_end
    assert Image.open(io.BytesIO(stripped)).tobytes() == Image.open(io.BytesIO(SAMPLE)).tobytes()


@pytest.mark.parametrize(("fmt", "extension"), [("WEBP", "webp"), ("PNG", "png"), ("HEIF", "heic")])
def test_other_formats_lose_their_location_too(fmt, extension):
    original = with_gps(fmt)
    assert exif_of(original).get_ifd(GPS_IFD_TAG)
    stripped = strip_location(original, extension)
    assert dict(exif_of(stripped).get_ifd(GPS_IFD_TAG)) == {}
    assert Image.open(io.BytesIO(stripped)).tobytes() == Image.open(io.BytesIO(original)).tobytes()


@pytest.mark.parametrize("name", ["plain.png", "plain.webp", "iphone-like.heic"])
def test_a_photo_without_a_location_is_left_as_it_is(name):
    data = (SAMPLES / name).read_bytes()
    assert strip_location(data, name.rsplit(".", 1)[1]) == data


def test_a_malformed_gps_pointer_is_left_alone():
    broken = bytearray(SAMPLE)
    tag = SAMPLE.index(b"\x88\x25") if b"\x88\x25" in SAMPLE else SAMPLE.index(b"\x25\x88")
    broken[tag + 8 : tag + 12] = b"\xff\xff\xff\xf0"  # points far past the end
    assert strip_location(bytes(broken), "jpg") == bytes(broken)


def test_uploads_are_stored_without_location_unless_the_event_keeps_it(client, wedding, device, photos_dir):
    def upload(seed_name: str) -> bytes:
        body = upload_body(wedding, device=device, photo=SAMPLE, name=seed_name)
        key = client.post("/api/upload", json.dumps(body), content_type="application/json").json()["key"]
        return (photos_dir / key).read_bytes()

    assert dict(exif_of(upload("Carla")).get_ifd(GPS_IFD_TAG)) == {}
    wedding.keep_location = True
    wedding.save()
    client.post(
        "/api/upload",
        json.dumps(upload_body(wedding, device="00000000-0000-4000-8000-000000000001", photo=SAMPLE)),
        content_type="application/json",
    )
    kept = next(p for p in photos_dir.rglob("*.jpg") if "thumbs" not in p.parts and p.read_bytes() == SAMPLE)
    assert exif_of(kept.read_bytes()).get_ifd(GPS_IFD_TAG)
