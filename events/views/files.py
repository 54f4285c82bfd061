"""A photo's files as every page serves them (the dashboard's gallery, the shared album), and ZIPs
streamed in the response."""

from collections.abc import Iterable
from pathlib import Path

from django.http import HttpRequest, HttpResponse, StreamingHttpResponse

from events import exports, services
from events.links import ZipDelivery
from events.models import Photo
from events.thumbnails import display_key
from events.zipstream import zip_stream
from photoshare_site import wiring

# Shown for a photo whose thumbnail is not made (too large to decode within the memory bound, or damaged),
# and for a video whose poster frame is missing.
NO_PREVIEW = Path(__file__).resolve().parents[1] / "static" / "events" / "no-preview.svg"


def photo_file_response(request: HttpRequest, photo: Photo, which: str) -> HttpResponse:
    """The original (as a download named after the guest), a video for the page's player, the display
    image (a photo's 1920 px rendition, a video's poster) or the thumbnail; renditions are made on first
    request."""
    links = wiring.photo_links()
    if which == "original":
        return links.original(photo, request)
    if which == "video":
        return links.video(photo, request)
    if which == "display" and not photo.is_video:
        shown = services.photo_display_ensure(photo=photo)
        return links.rendition(display_key(photo.key)) if shown else no_preview()
    if not services.photo_thumbnail_ensure(photo=photo):
        return no_preview()
    return links.thumbnail(photo)


def no_preview() -> HttpResponse:
    return HttpResponse(NO_PREVIEW.read_bytes(), content_type="image/svg+xml")


def zip_response(photos: Iterable[Photo], delivery: ZipDelivery, filename: str) -> StreamingHttpResponse:
    """Photos as one ZIP streamed while it is made, a folder per guest."""
    response = StreamingHttpResponse(zip_stream(exports.zip_entries(photos, delivery)), content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
