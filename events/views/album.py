"""The guests' shared album: a read-only page behind its own token (no log-in), its photos' files and
a ZIP of them all; and the dashboard's control that turns its link on, off, or renews it."""

from typing import cast

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from events import exports, selectors, services
from events.languages import activate_for_guests
from events.links import BackgroundZipDelivery
from events.models import Event, PhotoExport
from events.views.common import organizer_event, share_link_changed
from events.views.files import photo_file_response, zip_response
from photoshare_site import wiring

PHOTOS_PER_PAGE = 60
ALBUM_FILES = frozenset({"thumbnail", "display", "original", "video"})
LINK_MESSAGES = {
    "on": _("The album's link is on: guests who have it see the shared photos."),
    "off": _("The album's link is off: it answers “not found” until you turn it on again."),
    "renew": _("The album has a new link: the old one no longer opens."),
}


def _in_guests_language(request: HttpRequest, event: Event, page) -> HttpResponse:
    """Render a page in the event's or the browser's language, then give the thread its language back
    (override saves the one active now; without LocaleMiddleware it would leak into the next request)."""
    with translation.override(translation.get_language()):
        activate_for_guests(request, event)
        response = page()
    patch_vary_headers(response, ["Accept-Language"])
    return response


def album(request: HttpRequest, slug: str, token: str) -> HttpResponse:
    event = selectors.shared_event(slug, token, link="album")
    revealed = selectors.album_revealed(event)
    page = Paginator(selectors.shared_photos(event), PHOTOS_PER_PAGE).get_page(request.GET.get("page"))
    context = {"event": event, "token": token, "revealed": revealed, "page": page if revealed else None}
    return _in_guests_language(request, event, lambda: render(request, "events/album.html", context))


def album_photo(request: HttpRequest, slug: str, token: str, pk: int, which: str) -> HttpResponse:
    """One shared photo's file; anything else (hidden, waiting, another event's, before the reveal) is 404."""
    if which not in ALBUM_FILES:
        raise Http404("No such file.")
    photo = selectors.album_photo(selectors.shared_event(slug, token, link="album"), pk)
    return photo_file_response(request, photo, which)


def album_download(request: HttpRequest, slug: str, token: str) -> HttpResponse:
    """Every shared photo in one ZIP: streamed, or (on AWS) the prepared export, started when none is current."""
    event = selectors.shared_event(slug, token, link="album")
    if not selectors.album_revealed(event):
        raise Http404("Not yet.")
    delivery = wiring.zip_delivery()
    if not delivery.in_background:
        photos = selectors.shared_photos(event).order_by("guest_name", "uploaded_at").iterator()
        return zip_response(photos, delivery, f"{event.slug}-photos.zip")
    try:
        export = services.album_export(event=event)
    except exports.ExportNotStarted:
        export = None
    if export and export.status == PhotoExport.Status.READY:
        return redirect(cast(BackgroundZipDelivery, delivery).link(export.key))
    context = {"event": event, "token": token, "started": export is not None}
    response = _in_guests_language(request, event, lambda: render(request, "events/album_zip.html", context))
    response.status_code = 202 if export else 503
    response["Retry-After"] = "60"
    return response


@require_POST
@organizer_event
def album_link(request: HttpRequest, event: Event) -> HttpResponse:
    return share_link_changed(request, event, "album", LINK_MESSAGES)
