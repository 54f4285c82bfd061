"""P3: a thumbnail of a 12-megapixel JPEG, EXIF orientation applied, encoded: ours against libvips."""

import io

import pyvips
from PIL import Image

from bench.common import Row, best_of
from events.thumbnails import THUMBNAIL_EDGE, render_thumbnail


def twelve_megapixel_jpeg() -> bytes:
    image = Image.radial_gradient("L").resize((4000, 3000)).convert("RGB")
    exif = Image.Exif()
    exif[0x0112] = 6  # rotated, as phones store portrait photos
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=90, exif=exif.tobytes())
    return buffer.getvalue()


def vips_thumbnail(data: bytes) -> bytes:
    # thumbnail_buffer shrinks on load and applies the EXIF orientation, like ours.
    return pyvips.Image.thumbnail_buffer(data, THUMBNAIL_EDGE).webpsave_buffer(Q=80)


def run(quick: bool = False) -> Row:
    data = twelve_megapixel_jpeg()
    runs = 2 if quick else 7
    ours = best_of(runs, lambda: render_thumbnail(data))
    vips = best_of(runs, lambda: vips_thumbnail(data))
    ratio = ours / vips
    return Row(
        "P3", "thumbnail of a 12 MP JPEG (ms), vs libvips", ours * 1000, vips * 1000, "ms", "<= 1.2", ratio <= 1.2
    )
