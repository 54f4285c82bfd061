"""Gallery thumbnails and the wall's display renditions: upright WebP images that every browser shows,
even for HEIC originals.

Memory is bounded, not hoped for: a photo is decoded only within its format's pixel cap
(uploads/images.py, which also refuses such photos at upload), and one render runs at a time in a
process, so four gallery requests at once cost one render's memory, not four.
tests/events/test_thumbnail_memory.py measures the bound with hostile files of every format.
"""

import io
import threading

import pillow_heif
from PIL import Image, ImageOps

from uploads.images import PIXEL_CAPS, inspect_image
from uploads.ports import TooLarge

THUMBNAIL_EDGE = 640
# The live wall's image: a full-HD screen's long edge, a fraction of a phone original's bytes.
DISPLAY_EDGE = 1920
THUMBNAIL_PREFIX = "thumbs/"
# The JPEG the guest page draws from a video, kept beside the thumbnails; the video's thumbnail is made from it.
POSTER_SUFFIX = ".poster.jpg"
# Pillow's own decompression-bomb check, as a last line: nothing we accept is larger.
Image.MAX_IMAGE_PIXELS = max(PIXEL_CAPS.values())
# The gallery needs the primary image only: no embedded thumbnails, depth or auxiliary images.
pillow_heif.register_heif_opener(thumbnails=False, depth_images=False, aux_images=False)
_PILLOW_FORMATS = {"jpg": "JPEG", "png": "PNG", "webp": "WEBP", "heic": "HEIF"}
_one_render_at_a_time = threading.Lock()


def thumbnail_key(photo_key: str) -> str:
    """A parallel tree, never mixed into the originals' folders (nor taken for one by the S3 trigger)."""
    return f"{THUMBNAIL_PREFIX}{photo_key}.webp"


def display_key(photo_key: str) -> str:
    """Beside the thumbnail, under the same prefix (so deleted with the event's thumbnails, skipped by the
    S3 trigger); found by its name, so no column records it."""
    return f"{THUMBNAIL_PREFIX}{photo_key}.display.webp"


def poster_video_key(key: str) -> str | None:
    """The video whose poster frame (uploads/naming.py poster_key) is stored at `key`; None for other keys."""
    if key.startswith(THUMBNAIL_PREFIX) and key.endswith(POSTER_SUFFIX):
        return key[len(THUMBNAIL_PREFIX) : -len(POSTER_SUFFIX)]
    return None


def render_thumbnail(data: bytes) -> bytes:
    """The thumbnail of a photo; InvalidImage or TooLarge (uploads/ports.py) for what is not decoded."""
    return _render(data, THUMBNAIL_EDGE)


def render_display(data: bytes) -> bytes:
    """The wall's rendition of a photo (never larger than the original); errors as render_thumbnail's."""
    return _render(data, DISPLAY_EDGE)


def _render(data: bytes, edge: int) -> bytes:
    # The same checks as at upload: photos stored before the caps existed are refused here.
    info = inspect_image(data)
    fmt = _PILLOW_FORMATS[info.extension]
    with _one_render_at_a_time, Image.open(io.BytesIO(data), formats=[fmt]) as image:
        width, height = image.size
        if width * height > PIXEL_CAPS[info.extension]:  # Pillow reads a size other than ours
            raise TooLarge(f"Pillow reads {width}×{height} pixels.")
        # JPEG decodes straight at a reduced scale: asking for the thumbnail's own size (not a square)
        # lets a 2560 px photo decode at 1/4, so a large photo never exists in memory at full size.
        shrink = max(max(width, height) / edge, 1)
        image.draft("RGB", (int(width / shrink), int(height / shrink)))
        image.thumbnail((edge, edge))
        # Turned upright once small: turning the full-size image would copy it.
        upright = ImageOps.exif_transpose(image)
        out = io.BytesIO()
        # method 2 of 6: half the encoding time of the default for a few percent more bytes.
        upright.convert("RGB").save(out, "WEBP", quality=80, method=2)
    return out.getvalue()
