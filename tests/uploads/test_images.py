"""The pure-Python recogniser agrees with Pillow on what a photo is and refuses what is broken."""

import io
import random
import zlib

import pillow_heif
import pytest
from PIL import Image

from tests.conftest import SAMPLES, png_claiming
from uploads.images import PIXEL_CAPS, inspect_image
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


HTML = b"<html><body><script>alert(1)</script></body></html>\n"


@pytest.mark.parametrize("variant", VARIANTS)
def test_bytes_appended_after_the_image_are_not_part_of_it(variant):
    data = VARIANTS[variant]()
    assert inspect_image(data).length == len(data)
    assert inspect_image(data + HTML).length == len(data)


def test_an_end_marker_inside_the_exif_thumbnail_does_not_end_the_jpeg():
    photo, thumbnail = encoded("JPEG"), encoded("JPEG", size=(16, 12))
    exif = b"Exif\x00\x00II*\x00\x08\x00\x00\x00" + bytes(6) + thumbnail  # an empty IFD0, then SOI ... EOI
    data = photo[:2] + b"\xff\xe1" + (2 + len(exif)).to_bytes(2, "big") + exif + photo[2:]
    assert Image.open(io.BytesIO(data)).size == (320, 240)
    assert inspect_image(data + HTML).length == len(data)


def with_size(data: bytes, width: int, height: int) -> bytes:
    """The JPEG `data` with its frame header claiming another size (nothing decodes it here)."""
    sof = next(data.index(m) for m in (b"\xff\xc0", b"\xff\xc2") if m in data)
    return data[: sof + 5] + height.to_bytes(2, "big") + width.to_bytes(2, "big") + data[sof + 9 :]


def test_a_jpeg_may_have_100_megapixels_as_it_decodes_at_an_eighth_of_its_size():
    assert inspect_image(with_size(encoded("JPEG"), 10_000, 10_000)).width == 10_000
    with pytest.raises(TooLarge, match=r"10001×10000 pixels\): a JPEG photo may have at most 100 megapixels"):
        inspect_image(with_size(encoded("JPEG"), 10_001, 10_000))


def test_a_progressive_jpeg_is_capped_by_the_coefficients_its_decoder_holds():
    # 4:2:0 (phones): 3 bytes of coefficients a pixel; 4:4:4: 6 bytes, so half as many pixels.
    assert inspect_image(with_size(encoded("JPEG", progressive=True), 10_000, 10_000)).scan_buffer == 300_000_000
    with pytest.raises(TooLarge, match="a JPEG \\(progressive\\) photo may have at most 50 megapixels"):
        inspect_image(with_size(encoded("JPEG", progressive=True, subsampling=0), 10_000, 10_000))


def test_a_png_is_capped_lower_as_it_decodes_at_full_size():
    # The bomb: 12000 x 12000 in a few hundred KB.
    with pytest.raises(TooLarge, match="12000×12000 pixels\\): a PNG photo may have at most 50 megapixels"):
        inspect_image(png_claiming(12_000, 12_000))
    assert inspect_image(png_claiming(8064, 6048)).width == 8064  # a 48 MP phone photo


def test_a_48_megapixel_heic_from_a_phone_passes():
    info = inspect_image((SAMPLES / "solid-48mp.heic").read_bytes())
    assert (info.width, info.height) == (8064, 6048)


def test_a_webp_is_capped_at_25_megapixels_as_its_decoder_holds_the_canvas_twice():
    chunks = encoded("WEBP", lossless=True, size=(8, 8))[12:]
    vp8x = b"VP8X" + (10).to_bytes(4, "little") + bytes(4) + (5001 - 1).to_bytes(3, "little") * 2
    riff = b"RIFF" + (4 + len(vp8x + chunks)).to_bytes(4, "little") + b"WEBP"
    with pytest.raises(TooLarge, match="5001×5001 pixels\\): a WebP photo may have at most 25 megapixels"):
        inspect_image(riff + vp8x + chunks)


def test_lossless_and_hierarchical_jpegs_are_refused():
    data = encoded("JPEG")
    sof = data.index(b"\xff\xc0")
    with pytest.raises(InvalidImage):
        inspect_image(data[:sof] + b"\xff\xc3" + data[sof + 2 :])


def test_a_heic_is_capped_by_the_picture_its_hevc_stream_declares_not_only_by_its_ispe(monkeypatch):
    # libde265 decodes the stream's full picture before libheif crops it to ispe: an ispe of
    # 640 x 480 over a 48 MP stream decoded 48 MP (243 MB).
    sample = (SAMPLES / "solid-48mp.heic").read_bytes()
    extent = b"ispe" + bytes(4) + (8064).to_bytes(4, "big") + (6048).to_bytes(4, "big")
    lying = sample.replace(extent, b"ispe" + bytes(4) + (640).to_bytes(4, "big") + (480).to_bytes(4, "big"))
    info = inspect_image(lying)
    assert (info.width, info.height, info.stream_pixels) == (640, 480, 8064 * 6048)
    monkeypatch.setitem(PIXEL_CAPS, "heic", 1_000_000)
    with pytest.raises(TooLarge):
        inspect_image(lying)
