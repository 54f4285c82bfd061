"""My uploads: the guest page asks which photos and videos this phone sent, and deletes one of them.

Served by the dashboard in both runtimes (on AWS the dashboard's function: the photos' records live in
its database), with the guest API's CORS and JSON answers (uploads.api.guest_api). The upload key and
the device id authorise every request: a device id is a random UUID only its phone knows.
"""

from collections.abc import Mapping
from datetime import UTC, datetime
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import reverse
from django.utils import timezone

from events import selectors, services
from events.models import Event, GuestDelete, Photo
from events.views.files import photo_file_response
from photoshare_site import wiring
from uploads import http
from uploads.api import guest_api
from uploads.direct import VIDEO_TYPES
from uploads.payload import parse_device, parse_own_upload, parse_upload_key
from uploads.ports import Claim, UnknownPhoto, UploadError


def _credentials(query: Mapping[str, str]) -> tuple[str, str]:
    return parse_upload_key(query.get("key"), "key"), parse_device(query.get("deviceId"))


@guest_api("GET")
def mine(request: HttpRequest, slug: str) -> http.Answer:
    key, device = _credentials(request.GET)
    event = selectors.guest_event(slug, key)
    query = urlencode({"key": key, "deviceId": device})
    uploads = [_upload_body(request, photo, query) for photo in selectors.guest_uploads(event, device)]
    in_flight = selectors.guest_uploads_in_flight(event, device, wiring.quota_store(), timezone.now())
    return 200, {
        "uploads": uploads,
        "pending": [_pending_body(claim) for claim in in_flight],
        "guestDelete": event.guest_delete,
        "album": _album_body(request, event),
    }


@guest_api("POST")
def mine_delete(request: HttpRequest, slug: str, pk: int) -> http.Answer:
    key, device = parse_own_upload(request.body)
    services.guest_photo_delete(photo=selectors.guest_upload(slug, key, device, pk))
    return 200, {"status": "deleted", "id": pk}


def mine_thumbnail(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """An <img>'s source, so not JSON when found: the thumbnail itself (locally) or a presigned link to
    it (AWS); anything wrong answers the same JSON 404."""
    try:
        key, device = _credentials(request.GET)
        photo = selectors.guest_upload(slug, key, device, pk)
    except UploadError:
        return JsonResponse(http.error_body(UnknownPhoto())[1], status=404)
    return photo_file_response(request, photo, "thumbnail")


def _upload_body(request: HttpRequest, photo: Photo, query: str) -> http.Body:
    thumbnail = reverse("api-mine-thumbnail", kwargs={"slug": photo.event.slug, "pk": photo.pk})
    return {
        "id": photo.pk,
        "kind": "video" if photo.is_video else "photo",
        "state": _state(photo),
        "uploadedAt": _iso(photo.uploaded_at),
        # Absolute: on AWS the guest page is served from another origin.
        "thumbnailUrl": request.build_absolute_uri(f"{thumbnail}?{query}"),
        "canDelete": photo.event.guest_delete != GuestDelete.OFF,
    }


def _state(photo: Photo) -> str:
    # Hidden wins: a photo the organizer hid after approving it (or instead of approving it) is out of sight.
    if photo.hidden:
        return "hidden"
    return "uploaded" if photo.approved else "waiting"


def _pending_body(claim: Claim) -> http.Body:
    extension = claim.key.rpartition(".")[2]
    return {
        # The SHA-256 of the bytes: the page knows it for the files it still holds, and so shows each once.
        "id": claim.fingerprint,
        "kind": "video" if extension in VIDEO_TYPES.values() else "photo",
        "state": "uploading",
        "startedAt": _iso(claim.at),
    }


def _album_body(request: HttpRequest, event: Event) -> http.Body | None:
    if not event.album_on:
        return None
    path = reverse("album", kwargs={"slug": event.slug, "token": event.album_token})
    reveal_at = event.album_reveal_at
    return {"url": wiring.site_link(request, path), "revealAt": _iso(reveal_at) if reveal_at else None}


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")
