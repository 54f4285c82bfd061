"""Photos and ZIPs reach the organizer's browser as short-lived presigned S3 links (no Lambda in between)."""

from typing import Any

from django.conf import settings
from django.core.files.storage import Storage
from django.http import HttpResponse
from django.shortcuts import redirect
from storages.backends.s3 import S3Storage


def presigning_storage(bucket: str) -> Storage:
    """The photo bucket as a Django storage: reads, thumbnail writes and presigned links."""
    return S3Storage(
        bucket_name=bucket,
        querystring_auth=True,
        querystring_expire=settings.PRESIGNED_URL_SECONDS,
        file_overwrite=False,
        default_acl=None,
        signature_version="s3v4",
    )


def attachment(filename: str) -> dict[str, str]:
    return {"ResponseContentDisposition": f'attachment; filename="{filename}"'}


class PresignedPhotoLinks:
    def __init__(self, bucket: str):
        # One storage per page: presigning is local, no request per photo.
        self.storage = presigning_storage(bucket)

    def thumbnail_url(self, photo: Any) -> str | None:
        # The S3 trigger made the thumbnail; until it has, there is nothing to show.
        return self.storage.url(photo.thumbnail_key) if photo.thumbnail_key else None

    def original(self, photo: Any) -> HttpResponse:
        return redirect(self.storage.url(photo.key, parameters=attachment(photo.download_name())))

    def thumbnail(self, photo: Any) -> HttpResponse:
        return redirect(self.storage.url(photo.thumbnail_key))
