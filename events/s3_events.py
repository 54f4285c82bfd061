"""The dashboard function's S3 trigger: index each photo stored in the private bucket.

Zappa's handler sets Django up on every cold start (the stage has `django_settings`) and then
calls this with the raw S3 notification. The guest Lambda has no database: this is where its
photos reach the organizer's gallery.
"""

import logging
from urllib.parse import unquote_plus

from events.exports import EXPORT_PREFIX
from events.models import Photo
from events.recorder import photo_record
from events.services import photo_make_thumbnail
from events.thumbnails import THUMBNAIL_PREFIX
from photoshare_site import wiring
from uploads.ports import STAGING_PREFIX

log = logging.getLogger(__name__)


def index_new_photos(event: dict, context: object = None) -> int:
    """Record each new original with its thumbnail. Thumbnails and ZIP exports (written into the same
    bucket) trigger this too and are skipped; S3 may deliver an event twice, so known keys are skipped.
    A direct upload's bytes arriving in `_incoming/` complete it, if its page has not (its published
    copy then comes back here as a new original)."""
    indexed = 0
    store = wiring.bucket_photos()
    for record in event.get("Records", []):
        key = unquote_plus(record["s3"]["object"]["key"])
        if key.startswith(STAGING_PREFIX):
            wiring.direct_uploads().complete_arrived(key)
            continue
        if key.startswith((THUMBNAIL_PREFIX, EXPORT_PREFIX)) or Photo.objects.filter(key=key).exists():
            continue
        stored, data = store.fetch(key)
        photo_make_thumbnail(photo=photo_record(stored=stored), data=data)
        log.info("indexed %s", key)
        indexed += 1
    return indexed
