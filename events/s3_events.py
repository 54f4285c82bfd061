"""The dashboard function's S3 trigger: index each photo stored in the private bucket.

Zappa's handler sets Django up on every cold start (the stage has `django_settings`) and then
calls this with the raw S3 notification. The guest Lambda has no database: this is where its
photos reach the organizer's gallery.
"""

import logging
from datetime import datetime
from urllib.parse import unquote_plus

from events.exports import EXPORT_PREFIX
from events.models import Photo
from events.services import photo_make_thumbnail, photo_record
from events.thumbnails import THUMBNAIL_PREFIX
from uploads.backends import photo_storage
from uploads.ports import StoredPhoto
from uploads.stores import aws
from uploads.stores.s3 import guest_name_from_metadata

log = logging.getLogger(__name__)


def index_new_photos(event: dict, context: object = None) -> int:
    """Record each new original with its thumbnail. Thumbnails and ZIP exports (written into the same
    bucket) trigger this too and are skipped; S3 may deliver an event twice, so known keys are skipped."""
    indexed = 0
    for record in event.get("Records", []):
        key = unquote_plus(record["s3"]["object"]["key"])
        if key.startswith((THUMBNAIL_PREFIX, EXPORT_PREFIX)) or Photo.objects.filter(key=key).exists():
            continue
        obj = aws.s3().get_object(Bucket=record["s3"]["bucket"]["name"], Key=key)
        photo = photo_record(stored=_stored_photo(key, obj))
        photo_make_thumbnail(photo=photo, data=obj["Body"].read(), storage=photo_storage())
        log.info("indexed %s", key)
        indexed += 1
    return indexed


def _stored_photo(key: str, head: dict) -> StoredPhoto:
    meta = head["Metadata"]
    return StoredPhoto(
        event=meta["event"],
        device=meta["device"],
        guest_name=guest_name_from_metadata(meta),
        key=key,
        content_type=head["ContentType"],
        size=head["ContentLength"],
        width=int(meta["width"]),
        height=int(meta["height"]),
        sha256=meta["sha256"],
        uploaded_at=datetime.fromisoformat(meta["uploaded-at"]),
    )
