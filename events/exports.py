"""ZIP exports on AWS: built by the dashboard function in the background, straight into S3.

A Lambda response is capped near 6 MB, so "download all" there cannot stream. The request records
a PhotoExport and asks its own function to build it (Zappa's `command` invocation); the ZIP is
streamed from the originals into a multipart upload, so memory stays flat for any event size.
"""

import json
import logging
import os

from boto3.s3.transfer import TransferConfig
from django.conf import settings
from django.utils import timezone

from events.models import Event, PhotoExport
from events.selectors import photos_for
from events.zipstream import zip_stream
from uploads.stores import aws

log = logging.getLogger(__name__)

EXPORT_PREFIX = "exports/"
# Two 8 MB parts in flight at most: a 2 GB export still fits in a small function's memory. From a stream
# it cannot seek, s3transfer would otherwise read up to ten parts ahead of a slow upload (80 MB more).
_TRANSFER = TransferConfig(multipart_chunksize=8 * 1024 * 1024, max_concurrency=2)
_TRANSFER.max_in_memory_upload_chunks = 2


class _GeneratorReader:
    """The file-like object upload_fileobj wants, reading from the ZIP generator."""

    def __init__(self, chunks):
        # A bytearray grows in place and drops its head without a copy; bytes += chunk copied the
        # whole part again for every chunk (36 MB of copying per 8 MB part).
        self.chunks, self.buffer = chunks, bytearray()

    def read(self, size: int = -1) -> bytes:
        while size < 0 or len(self.buffer) < size:
            chunk = next(self.chunks, None)
            if chunk is None:
                break
            self.buffer += chunk
        size = len(self.buffer) if size < 0 else size
        with memoryview(self.buffer) as view:
            data = view[:size].tobytes()
        del self.buffer[:size]
        return data


def export_start(*, event: Event) -> PhotoExport:
    stamp = timezone.now().strftime("%Y%m%dT%H%M%SZ")
    export = PhotoExport.objects.create(event=event, key=f"{EXPORT_PREFIX}{event.slug}/{event.slug}-photos-{stamp}.zip")
    _in_background({"command": "events.exports.export_build_command", "export_id": export.pk})
    return export


def _in_background(payload: dict) -> None:
    function = os.environ.get("AWS_LAMBDA_FUNCTION_NAME")
    if function:
        # Zappa's handler runs {"command": "module.function"} events with the event as argument.
        aws.lambda_client().invoke(FunctionName=function, InvocationType="Event", Payload=json.dumps(payload))
    else:
        export_build_command(payload)


def export_build_command(payload: dict, context: object = None) -> None:
    export = PhotoExport.objects.select_related("event").get(pk=payload["export_id"])
    try:
        export_build(export=export)
    except Exception:
        log.exception("export %s failed", export.key)
        PhotoExport.objects.filter(pk=export.pk).update(status=PhotoExport.Status.FAILED, finished_at=timezone.now())


def export_build(*, export: PhotoExport) -> None:
    s3, bucket = aws.s3(), settings.PHOTO_BUCKET
    photos = list(photos_for(export.event).order_by("guest_name", "uploaded_at"))
    entries = ((p.zip_name(), lambda key=p.key: s3.get_object(Bucket=bucket, Key=key)["Body"]) for p in photos)
    s3.upload_fileobj(
        _GeneratorReader(zip_stream(entries)),
        bucket,
        export.key,
        ExtraArgs={"ContentType": "application/zip", "ServerSideEncryption": "AES256"},
        Config=_TRANSFER,
    )
    size = s3.head_object(Bucket=bucket, Key=export.key)["ContentLength"]
    PhotoExport.objects.filter(pk=export.pk).update(
        status=PhotoExport.Status.READY, photo_count=len(photos), size=size, finished_at=timezone.now()
    )
