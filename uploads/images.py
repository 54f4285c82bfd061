"""Recognise a photo by decoding it, never by its claimed type or name."""

import io
import warnings
from dataclasses import dataclass

import pillow_heif
from PIL import Image

from uploads.ports import InvalidImage, TooLarge

pillow_heif.register_heif_opener()

# Phone cameras top out near 200 MP; a larger canvas in a small file is a decompression bomb.
MAX_PIXELS = 200_000_000
# Decoding at 1/8 scale still reads every compressed byte (so truncation shows) at a fraction of the cost.
_DRAFT_SCALE = 8

_FORMATS = {
    "JPEG": ("jpg", "image/jpeg"),
    "PNG": ("png", "image/png"),
    "WEBP": ("webp", "image/webp"),
    "HEIF": ("heic", "image/heic"),
}


@dataclass(frozen=True)
class ImageInfo:
    extension: str
    content_type: str
    width: int
    height: int


def inspect_image(data: bytes) -> ImageInfo:
    """Decode the photo fully enough to prove it is whole; raise InvalidImage or TooLarge."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=list(_FORMATS)) as image:
                width, height = image.size
                if width * height > MAX_PIXELS:
                    raise TooLarge(f"The photo is too large ({width}×{height} pixels).")
                image.draft("RGB", (width // _DRAFT_SCALE, height // _DRAFT_SCALE))
                image.load()
                extension, content_type = _FORMATS[image.format]
    except (TooLarge, InvalidImage):
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise TooLarge("The photo has too many pixels.") from None
    except Exception:
        # Pillow signals damaged input with many exception types (OSError, SyntaxError, ...).
        raise InvalidImage() from None
    return ImageInfo(extension, content_type, width, height)
