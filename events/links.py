"""How the dashboard hands photos and ZIPs to the organizer's browser: the ports, and their local adapters.

Locally our own views serve the files (answering HTTP Range requests, so a <video> can seek); on AWS
(uploads/aws/links.py, uploads/aws/exports.py) the browser gets short-lived presigned S3 links and ZIPs
are prepared in the background.
"""

from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO, Protocol

from django.core.files.storage import FileSystemStorage, Storage
from django.http import FileResponse, HttpRequest, HttpResponse
from django.urls import reverse

from events.models import Photo
from events.ranges import ranged_file_response


class PhotoLinks(Protocol):
    storage: Storage

    def thumbnail_url(self, photo: Photo) -> str | None:
        """Where the gallery's <img> points; None when the photo has no thumbnail to show."""

    def video_url(self, photo: Photo) -> str:
        """Where the photo page's <video> points: a URL that answers Range requests."""

    def original(self, photo: Photo, request: HttpRequest) -> HttpResponse:
        """The original as a download named after the guest."""

    def video(self, photo: Photo, request: HttpRequest) -> HttpResponse:
        """The original shown in the page (inline), a part at a time as the player asks."""

    def thumbnail(self, photo: Photo) -> HttpResponse: ...

    def rendition(self, key: str) -> HttpResponse:
        """A WebP rendition stored under `key` (the wall's display image)."""


class ZipDelivery(Protocol):
    # True where a response cannot carry a large ZIP: it is then built into storage in the background.
    in_background: bool

    def open(self, key: str) -> BinaryIO:
        """A photo's bytes as a stream, for the ZIP to read in chunks."""


class BackgroundZipDelivery(ZipDelivery, Protocol):
    def start(self, payload: dict) -> None:
        """Run a `{"command": "module.function", ...}` payload out of band."""

    def write(self, key: str, chunks: Iterator[bytes]) -> int:
        """Store the ZIP as it is produced; returns its size."""

    def link(self, key: str) -> str:
        """A short-lived download link of a finished ZIP."""


class LocalPhotoLinks:
    def __init__(self, root: Path):
        self.storage = FileSystemStorage(location=root)

    def thumbnail_url(self, photo: Photo) -> str | None:
        if photo.is_video and not photo.thumbnail_key and not self.storage.exists(photo.poster_key()):
            return None  # no poster to draw it from: the gallery shows a video placeholder
        # Our view, which makes the thumbnail the first time it is asked for.
        return reverse("photo-thumbnail", kwargs={"slug": photo.event.slug, "pk": photo.pk})

    def video_url(self, photo: Photo) -> str:
        return reverse("photo-video", kwargs={"slug": photo.event.slug, "pk": photo.pk})

    def original(self, photo: Photo, request: HttpRequest) -> HttpResponse:
        return self._ranged(photo, request, as_attachment=True)

    def video(self, photo: Photo, request: HttpRequest) -> HttpResponse:
        return self._ranged(photo, request, as_attachment=False)

    def _ranged(self, photo: Photo, request: HttpRequest, *, as_attachment: bool) -> HttpResponse:
        file = self.storage.open(photo.key)
        return ranged_file_response(
            request,
            file,
            self.storage.size(photo.key),
            content_type=photo.content_type,
            filename=photo.download_name(),
            as_attachment=as_attachment,
        )

    def thumbnail(self, photo: Photo) -> HttpResponse:
        return self.rendition(photo.thumbnail_key)

    def rendition(self, key: str) -> HttpResponse:
        return FileResponse(self.storage.open(key), content_type="image/webp")


class StreamedZips:
    in_background = False

    def __init__(self, root: Path):
        self.storage = FileSystemStorage(location=root)

    def open(self, key: str) -> BinaryIO:
        return self.storage.open(key, "rb")
