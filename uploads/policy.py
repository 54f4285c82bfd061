"""What the upload core needs to know about an event, independent of where it is stored."""

import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime

MB = 1024 * 1024
DEFAULT_EXPECTED_GUESTS = 100
# An event's caps, unless its organizer sets them: room for three times what the expected guests can
# send (limit * guests), so more guests than expected, resets and per-phone overrides still fit, while
# one client minting device ids fills a bounded space; 2 MB a photo is nearly twice the 1.16 MB a phone
# photo weighs after the guest page's downscale (P7), so honest guests meet the photo cap first.
CAP_MULTIPLE = 3
BYTES_PER_PHOTO = 2 * MB
# A phone films about 100 MB a minute at 1080p: two minutes, unless the organizer says otherwise.
DEFAULT_MAX_VIDEO_BYTES = 200 * MB
# How the guest page sends photos unless the guest chooses: the exact bytes, or downscaled to 2560 px.
QUALITIES = ("original", "smaller")


def hash_upload_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


@dataclass(frozen=True)
class Limits:
    """What an event lets an upload spend: a slot below `device` (a per-device override replaces it),
    and one photo and its bytes within the event's caps on everything it holds."""

    device: int
    photos: int
    bytes: int


def default_photo_cap(limit: int, expected_guests: int = DEFAULT_EXPECTED_GUESTS) -> int:
    return CAP_MULTIPLE * limit * expected_guests


def default_byte_cap(photo_cap: int) -> int:
    return photo_cap * BYTES_PER_PHOTO


def default_limits(limit: int) -> Limits:
    photos = default_photo_cap(limit)
    return Limits(limit, photos, default_byte_cap(photos))


# What the guest page speaks (guest_frontend/i18n.js; English built in), as settings.LANGUAGES does.
GUEST_LANGUAGES = ("en", "es", "fr", "de", "it", "pt")


@dataclass(frozen=True)
class EventPolicy:
    slug: str
    name: str
    limit: int
    is_open: bool
    upload_key_sha256: str
    closes_at: datetime | None = None
    # Photos keep their GPS position only when the organizer asks for it.
    keep_location: bool = False
    # The event's caps; None (a policy mirrored before caps existed) takes the defaults for its limit.
    max_photos: int | None = None
    max_bytes: int | None = None
    # Direct uploads (uploads/direct.py): whether videos are taken, the largest one, and the guest
    # page's default quality for photos.
    allow_videos: bool = True
    max_video_bytes: int = DEFAULT_MAX_VIDEO_BYTES
    quality: str = "original"
    # The guest page's language for everyone ("en", "es"…), or "" for each phone's own.
    language: str = ""

    @property
    def limits(self) -> Limits:
        default = default_limits(self.limit)
        return Limits(
            self.limit,
            default.photos if self.max_photos is None else self.max_photos,
            default.bytes if self.max_bytes is None else self.max_bytes,
        )

    def accepts_uploads(self, now: datetime) -> bool:
        return self.is_open and (self.closes_at is None or now < self.closes_at)

    def key_matches(self, key: str) -> bool:
        # Constant time, so response timing tells nothing about the key.
        return hmac.compare_digest(hash_upload_key(key), self.upload_key_sha256)
