"""Guest names and storage keys: the only way client text reaches a storage path."""

import re
import unicodedata
import uuid
from datetime import UTC, datetime

# Event slugs: lowercase letters, digits and inner hyphens, safe as a path segment and in a URL.
SLUG_PATTERN = r"^[a-z0-9](?:[a-z0-9-]{0,48}[a-z0-9])?$"
GUEST_NAME_MAX = 80
GUEST_FOLDER_MAX = 40
GUEST_FOLDER_FALLBACK = "guest"

# Bidirectional overrides and isolates can make a name render as something else.
_BIDI_CONTROLS = {chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A))}


def clean_guest_name(raw: str) -> str:
    """The name as shown to organizers: NFC, no control characters, single spaces."""
    text = unicodedata.normalize("NFC", raw)
    text = "".join(
        " " if unicodedata.category(ch) in ("Cc", "Zl", "Zp") else ch for ch in text if ch not in _BIDI_CONTROLS
    )
    return " ".join(text.split())


def guest_folder(name: str) -> str:
    """A path segment made of Unicode letters, digits and single hyphens, never empty."""
    text = unicodedata.normalize("NFKC", name)
    kept = "".join(ch if unicodedata.category(ch)[0] in "LN" else "-" for ch in text)
    folder = re.sub(r"-+", "-", kept).strip("-")[:GUEST_FOLDER_MAX].rstrip("-")
    return folder or GUEST_FOLDER_FALLBACK


def storage_key(event_slug: str, guest_name: str, at: datetime, extension: str) -> str:
    """`<event-slug>/<guest-folder>/<UTC YYYYmmddTHHMMSSZ>_<uuid>.<ext>`; unique by its uuid."""
    stamp = at.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    return f"{event_slug}/{guest_folder(guest_name)}/{stamp}_{uuid.uuid4().hex}.{extension}"


# Thumbnails and video posters live under this prefix (events/thumbnails.py makes the thumbnails).
THUMBNAILS = "thumbs/"


def poster_key(video_key: str) -> str:
    """Where a video's poster (a JPEG frame the guest's page drew) is stored: `thumbs/<video key>.poster.jpg`."""
    return f"{THUMBNAILS}{video_key}.poster.jpg"
