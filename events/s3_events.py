"""The dashboard function's S3 trigger: index each photo stored in the private bucket.

Zappa's handler sets Django up on every cold start (the stage has `django_settings`) and then
calls this with the raw S3 notification. The guest Lambda has no database: this is where its
photos reach the organizer's gallery.
"""

import logging
from datetime import datetime
from urllib.parse import unquote_plus

from events.models import Photo
from uploads.ports import StoredPhoto
from uploads.stores import aws
from uploads.stores.s3 import guest_name_from_metadata
from uploads.stores.sql import SqlPhotoRecorder

log = logging.getLogger(__name__)


def index_new_photos(event: dict, context: object = None) -> int:
    """Record a Photo row per ObjectCreated record; S3 may deliver one twice, so skip known keys."""
    indexed = 0
    for record in event.get("Records", []):
        key = unquote_plus(record["s3"]["object"]["key"])
        if not Photo.objects.filter(key=key).exists():
            SqlPhotoRecorder().record(_stored_photo(record["s3"]["bucket"]["name"], key))
            log.info("indexed %s", key)
            indexed += 1
    return indexed


def _stored_photo(bucket: str, key: str) -> StoredPhoto:
    head = aws.s3().head_object(Bucket=bucket, Key=key)
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
