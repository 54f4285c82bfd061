"""Gallery thumbnails: small, upright WebP images that every browser shows, even for HEIC originals."""

import io

import pillow_heif
from PIL import Image, ImageOps

pillow_heif.register_heif_opener()

THUMBNAIL_EDGE = 640
THUMBNAIL_PREFIX = "thumbs/"


def thumbnail_key(photo_key: str) -> str:
    """A parallel tree, never mixed into the originals' folders (nor taken for one by the S3 trigger)."""
    return f"{THUMBNAIL_PREFIX}{photo_key}.webp"


def render_thumbnail(data: bytes) -> bytes:
    with Image.open(io.BytesIO(data)) as image:
        # JPEG decodes straight at a reduced scale: asking for the thumbnail's own size (not a square)
        # lets a 2560 px photo decode at 1/4, so a large photo never exists in memory at full size.
        width, height = image.size
        shrink = max(width, height) / THUMBNAIL_EDGE
        image.draft("RGB", (int(width / shrink), int(height / shrink)))
        upright = ImageOps.exif_transpose(image)
        upright.thumbnail((THUMBNAIL_EDGE, THUMBNAIL_EDGE))
        out = io.BytesIO()
        # method 2 of 6: half the encoding time of the default for a few percent more bytes.
        upright.convert("RGB").save(out, "WEBP", quality=80, method=2)
    return out.getvalue()
