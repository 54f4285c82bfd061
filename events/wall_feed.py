"""The live wall's JSON feed: the latest shared photos first, then only what changed after a cursor.

The cursor is the (changed_at, pk) of the last change the wall has seen: every write of `approved` or
`hidden` moves `changed_at`, and a new photo starts with it, so one indexed query answers "what changed".
Deleted rows leave no change behind: the wall asks for a full answer every FULL_SYNC_SECONDS (wall.js)
and drops whatever it no longer lists; the same full answer mends a change whose transaction committed
after a later one had already moved the cursor past it.
"""

import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from events import selectors
from events.models import Event, Photo

# What one answer carries at most: the first (and every full) answer's newest photos, or changes.
LATEST_PHOTOS = 100
CHANGES_PER_ANSWER = 100
# How often the wall asks for a full answer; wall.js reads it from the page.
FULL_SYNC_SECONDS = 24
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_START = (_EPOCH, 0)
# "<microseconds since 1970>-<pk>", ASCII digits only; 17 digits reach the year 5138 (datetime ends at 9999).
_CURSOR = re.compile(r"([0-9]{1,17})-([0-9]{1,19})")

# A URL of a photo's media: (photo, "display" | "video") → URL, on the dashboard's routes or the link's.
MediaUrl = Callable[[Photo, str], str]
Cursor = tuple[datetime, int]


def cursor_text(cursor: Cursor) -> str:
    changed_at, pk = cursor
    return f"{(changed_at - _EPOCH) // timedelta(microseconds=1)}-{pk}"


def cursor_parse(text: str | None) -> Cursor | None:
    """The cursor a wall sent back; None (a full answer) for none or anything malformed."""
    match = _CURSOR.fullmatch(text or "")
    if not match:
        return None
    return _EPOCH + timedelta(microseconds=int(match[1])), int(match[2])


def feed(event: Event, after: str | None, media: MediaUrl) -> dict:
    cursor = cursor_parse(after)
    return _full(event, media) if cursor is None else _changes(event, cursor, media)


def _full(event: Event, media: MediaUrl) -> dict:
    # The cursor is read first: a change landing between the two reads is answered again next time.
    cursor = selectors.wall_last_change(event) or _START
    photos = selectors.wall_latest(event, LATEST_PHOTOS)
    body = {"full": True, "photos": [_entry(event, p, media) for p in photos], "drop": []}
    return body | {"cursor": cursor_text(cursor), "more": False}


def _changes(event: Event, cursor: Cursor, media: MediaUrl) -> dict:
    changed = selectors.wall_changes(event, cursor, CHANGES_PER_ANSWER)
    shared = set(selectors.shared_photos(event).filter(pk__in=[p.pk for p in changed]).values_list("pk", flat=True))
    last = (changed[-1].changed_at, changed[-1].pk) if changed else cursor
    return {
        "full": False,
        "photos": [_entry(event, p, media) for p in changed if p.pk in shared],
        "drop": [p.pk for p in changed if p.pk not in shared],
        "cursor": cursor_text(last),
        # A full page of changes: the wall asks again at once for the rest.
        "more": len(changed) == CHANGES_PER_ANSWER,
    }


def _entry(event: Event, photo: Photo, media: MediaUrl) -> dict:
    entry = {"id": photo.pk, "kind": "video" if photo.is_video else "photo"}
    entry["caption"] = photo.guest_name if event.wall_captions else ""
    if photo.is_video:
        # A video's "display" image is its thumbnail, drawn from the guest page's poster frame.
        return entry | {"src": media(photo, "video"), "poster": media(photo, "display")}
    return entry | {"src": media(photo, "display")}
