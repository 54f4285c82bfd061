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
        # JPEG decodes straight at a reduced scale: a 12 MP photo never exists in memory at full size.
        image.draft("RGB", (THUMBNAIL_EDGE, THUMBNAIL_EDGE))
        upright = ImageOps.exif_transpose(image)
        upright.thumbnail((THUMBNAIL_EDGE, THUMBNAIL_EDGE))
        out = io.BytesIO()
        upright.convert("RGB").save(out, "WEBP", quality=80, method=4)
    return out.getvalue()
