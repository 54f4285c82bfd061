"""The pure-Python recogniser agrees with Pillow on what a photo is and refuses what is broken."""

import io
import random
import zlib

import pillow_heif
import pytest
from PIL import Image

from tests.conftest import SAMPLES
from uploads.images import inspect_image
from uploads.ports import InvalidImage, TooLarge

# The same whatever DATABASE_URL says (or it sets its own): the PostgreSQL pass leaves it out.
pytestmark = pytest.mark.one_database

pillow_heif.register_heif_opener()


def encoded(fmt: str, size=(320, 240), mode="RGB", **options) -> bytes:
    buffer = io.BytesIO()
    Image.effect_noise(size, 50).convert(mode).save(buffer, fmt, **options)
    return buffer.getvalue()


VARIANTS = {
    "jpeg-baseline": lambda: encoded("JPEG", quality=85),
    "jpeg-progressive": lambda: encoded("JPEG", progressive=True),
    "jpeg-restart-markers": lambda: encoded("JPEG", restart_marker_blocks=4),
    "jpeg-exif-thumbnail": lambda: (SAMPLES / "gps-orientation6.jpg").read_bytes(),
    "jpeg-greyscale": lambda: encoded("JPEG", mode="L"),
    "png-rgb": lambda: encoded("PNG"),
    "png-rgba": lambda: encoded("PNG", mode="RGBA"),
    "png-palette": lambda: encoded("PNG", mode="P"),
    "webp-lossy": lambda: encoded("WEBP", quality=80),
    "webp-lossless": lambda: encoded("WEBP", lossless=True),
    "webp-alpha": lambda: encoded("WEBP", mode="RGBA"),
    "webp-exif": lambda: encoded("WEBP", exif=Image.Exif().tobytes()),
    "heic-sample": lambda: (SAMPLES / "iphone-like.heic").read_bytes(),
    "heic-pillow": lambda: encoded("HEIF", size=(640, 480)),
}


@pytest.mark.parametrize("variant", VARIANTS)
def test_it_reads_the_same_size_as_pillow(variant):
    data = VARIANTS[variant]()
    with Image.open(io.BytesIO(data)) as image:
        assert (inspect_image(data).width, inspect_image(data).height) == image.size


@pytest.mark.parametrize("variant", VARIANTS)
def test_every_truncation_is_refused(variant):
    data = VARIANTS[variant]()
    cuts = random.Random(variant).sample(range(1, len(data)), 40)
    for cut in [*cuts, len(data) - 1, len(data) // 2]:
        with pytest.raises(InvalidImage):
            inspect_image(data[:cut])


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"GIF89a" + b"\x00" * 100,
        b"\xff\xd8\xff\xe0" + b"\x00" * 100,
        b"\x89PNG\r\n\x1a\n" + b"garbage" * 20,
        b"RIFF\x10\x00\x00\x00WEBPVP8 " + b"\x00" * 8,
        b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic",
        b"<html><script>alert(1)</script></html>",
        b"%PDF-1.7\n",
    ],
    ids=[
        "empty",
        "gif",
        "jpeg-magic-then-zeros",
        "png-magic-then-garbage",
        "webp-too-short",
        "heic-no-boxes",
        "html",
        "pdf",
    ],
)
def test_non_photos_are_refused(data):
    with pytest.raises(InvalidImage):
        inspect_image(data)


def test_a_png_claiming_a_gigantic_canvas_is_too_large():
    small = encoded("PNG", size=(8, 8))
    ihdr = b"IHDR" + (50_000).to_bytes(4, "big") * 2 + small[24:29]
    bomb = small[:12] + ihdr + zlib.crc32(ihdr).to_bytes(4, "big") + small[33:]
    with pytest.raises(TooLarge, match="50000×50000"):
        inspect_image(bomb)


def test_the_reported_type_comes_from_the_bytes():
    info = inspect_image(VARIANTS["webp-lossy"]())
    assert (info.extension, info.content_type) == ("webp", "image/webp")
