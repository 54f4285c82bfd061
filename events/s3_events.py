"""The dashboard function's S3 trigger: index each photo stored in the private bucket, and complete
each direct upload whose bytes arrived under `_incoming/`.

Zappa's handler sets Django up on every cold start (the stage has `django_settings`) and then
calls this with the raw S3 notification. The guest Lambda has no database: this is where its
photos reach the organizer's gallery.
"""

import logging
from urllib.parse import unquote_plus

from events.exports import EXPORT_PREFIX
from events.models import Photo
from events.recorder import photo_record
from events.services import photo_display_ensure, photo_thumbnail_ensure
from events.thumbnails import THUMBNAIL_PREFIX, poster_video_key
from photoshare_site import wiring
from uploads.ports import STAGING_PREFIX, TooLarge, UnknownUpload, UnsupportedMedia, WrongBytes

log = logging.getLogger(__name__)


def index_new_photos(event: dict, context: object = None) -> int:
    """Record each new original with its thumbnail (a video's from its poster: never downloaded here) and
    a photo's display rendition for the wall.
    Thumbnails and ZIP exports (written into the same bucket) trigger this too and are skipped, but a
    video's poster stored after the video makes its thumbnail; S3 may deliver an event twice, so known
    keys are skipped. A direct upload's bytes arriving in `_incoming/` complete it, if its page has not
    (its published copy then comes back here as a new original)."""
    indexed = 0
    store = wiring.bucket_photos()
    for record in event.get("Records", []):
        key = unquote_plus(record["s3"]["object"]["key"])
        if key.startswith(STAGING_PREFIX):
            _complete_arrived(key)
            continue
        if key.startswith((THUMBNAIL_PREFIX, EXPORT_PREFIX)):
            _poster_stored(key)
            continue
        if Photo.objects.filter(key=key).exists():
            continue
        photo = photo_record(stored=store.describe(key))
        photo_thumbnail_ensure(photo=photo)
        # The wall's rendition too, made here so the wall's screens never wait for it (a second read
        # of the original: each render decodes only what its size needs).
        photo_display_ensure(photo=photo)
        log.info("indexed %s", key)
        indexed += 1
    return indexed


def _poster_stored(key: str) -> None:
    """A poster stored after its video was indexed (the upload completed first): the thumbnail is made now."""
    video_key = poster_video_key(key)
    video = video_key and Photo.objects.filter(key=video_key).first()
    if video:
        photo_thumbnail_ensure(photo=video)


# Refusals of what the phone sent: the core deleted the bytes and gave the slot back, so a retry of
# this invocation (Lambda retries one that raises) would find nothing to do. Anything else (S3 or
# DynamoDB unavailable) raises, and Lambda tries the event again.
_FINAL = (WrongBytes, UnsupportedMedia, TooLarge, UnknownUpload)


def _complete_arrived(staging_key: str) -> None:
    """A direct upload's bytes arrived: complete it, unless the page did first (uploads/direct.py).
    Its photo, once stored, comes back here as an ObjectCreated of its own and is indexed then."""
    try:
        result = wiring.direct_uploads().complete_arrived(staging_key)
    except _FINAL as refused:
        log.info("refused staged %s: %s", staging_key, type(refused).__name__)
        return
    log.info("completed staged %s: %s", staging_key, result.key if result else "nothing pending")
