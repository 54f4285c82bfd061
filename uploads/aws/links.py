"""Photos, videos and ZIPs reach the organizer's browser as short-lived presigned S3 links (no Lambda in
between)."""

import functools
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.files.storage import Storage
from django.http import HttpRequest, HttpResponse
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
    """Presigned-link parameters of a download: S3 answers it as a named attachment nothing may cache."""
    return {
        "ResponseContentDisposition": f'attachment; filename="{filename}"',
        "ResponseCacheControl": "private, no-store",
    }


@functools.cache
def bucket_origin(bucket: str) -> str:
    """Scheme and host of the bucket's presigned links, which the dashboard's CSP must allow images and
    videos from.
    Read off a link rather than rebuilt: addressing style and endpoint are botocore's to choose."""
    link = urlsplit(presigning_storage(bucket).url("origin"))
    return f"{link.scheme}://{link.netloc}"


class PresignedPhotoLinks:
    def __init__(self, bucket: str):
        # One storage per page: presigning is local, no request per photo.
        self.storage = presigning_storage(bucket)

    def thumbnail_url(self, photo: Any) -> str | None:
        # The S3 trigger made the thumbnail; until it has, there is nothing to show.
        return self.storage.url(photo.thumbnail_key) if photo.thumbnail_key else None

    def video_url(self, photo: Any) -> str:
        # S3 answers the player's Range requests itself; the type is named so any object plays inline.
        parameters = {"ResponseContentType": photo.content_type, "ResponseCacheControl": "private, no-store"}
        url: str = self.storage.url(photo.key, parameters=parameters)
        return url

    def original(self, photo: Any, request: HttpRequest) -> HttpResponse:
        return redirect(self.storage.url(photo.key, parameters=attachment(photo.download_name())))

    def video(self, photo: Any, request: HttpRequest) -> HttpResponse:
        return redirect(self.video_url(photo))

    def thumbnail(self, photo: Any) -> HttpResponse:
        return self.rendition(photo.thumbnail_key)

    def rendition(self, key: str) -> HttpResponse:
        return redirect(self.storage.url(key))
