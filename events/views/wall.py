"""The live wall: one page and one feed, opened from the dashboard (logged in) or on the venue's screen
through the event's wall link (a token, no login); the link's media routes serve shared photos only."""

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST, require_safe

from events import qr, selectors, wall_feed
from events.languages import activate_for_guests
from events.models import Event, Photo
from events.views.common import organizer_event, share_link_changed
from events.views.files import photo_file_response

# Seconds a slide stays; a test shortens it with ?interval=<ms>.
SLIDE_SECONDS = 8
# The link's feed may be answered from a cache this long: many screens, one query every 2 s.
FEED_CACHE = "public, max-age=2"
# The screen keeps a shared photo's image a while (not a shared cache: a photo hidden later must not
# linger there); on AWS the 302 to a presigned URL is kept well within its 15 minutes.
MEDIA_CACHE = "private, max-age=600"
WALL_LINK_MESSAGES = {
    "on": gettext_lazy("The wall link is on: open it on the venue's screen."),
    "off": gettext_lazy("The wall link is off: it no longer opens the wall."),
    "renew": gettext_lazy("New wall link: the old one no longer opens the wall."),
}
WALL_MEDIA = ("display", "video")


@organizer_event
def event_wall(request: HttpRequest, event: Event) -> HttpResponse:
    return _page(request, event, reverse("event-wall-feed", args=[event.slug]))


@require_safe
def wall(request: HttpRequest, slug: str, token: str) -> HttpResponse:
    event = selectors.shared_event(slug, token, link="wall")
    activate_for_guests(request, event)
    return _page(request, event, reverse("wall-feed", args=[slug, token]))


def _page(request: HttpRequest, event: Event, feed_url: str) -> HttpResponse:
    # The QR code drawn in the page (an <img> of another route would need a login or a token of its own).
    qr_code = qr.qr_svg(event.guest_url()).decode().split("?>", 1)[-1]
    context = {
        "event": event,
        "qr_code": mark_safe(qr_code),  # noqa: S308 -- the qrcode library's SVG of our own URL
        # What wall.js needs; its words are in the template, translated there.
        "settings": {
            "feed": feed_url,
            "interval": SLIDE_SECONDS * 1000,
            "fullSync": wall_feed.FULL_SYNC_SECONDS * 1000,
        },
    }
    return render(request, "events/wall.html", context)


@organizer_event
def event_wall_feed(request: HttpRequest, event: Event) -> HttpResponse:
    def media(photo: Photo, which: str) -> str:
        name = "photo-video" if which == "video" else "photo-display"
        return reverse(name, args=[event.slug, photo.pk])

    return JsonResponse(wall_feed.feed(event, request.GET.get("after"), media))


@require_safe
def wall_feed_view(request: HttpRequest, slug: str, token: str) -> HttpResponse:
    event = selectors.shared_event(slug, token, link="wall")

    def media(photo: Photo, which: str) -> str:
        return reverse("wall-photo", args=[slug, token, photo.pk, which])

    response = JsonResponse(wall_feed.feed(event, request.GET.get("after"), media))
    response["Cache-Control"] = FEED_CACHE
    return response


@require_safe
def wall_photo(request: HttpRequest, slug: str, token: str, pk: int, which: str) -> HttpResponse:
    event = selectors.shared_event(slug, token, link="wall")
    if which not in WALL_MEDIA:
        raise Http404("No such file.")
    photo = get_object_or_404(selectors.shared_photos(event).select_related("event"), pk=pk)
    if which == "video" and not photo.is_video:
        raise Http404("Not a video.")
    response = photo_file_response(request, photo, which)
    response["Cache-Control"] = MEDIA_CACHE
    return response


@organizer_event
def photo_display(request: HttpRequest, event: Event, pk: int) -> HttpResponse:
    return photo_file_response(request, selectors.photo_for(event, pk), "display")


@require_POST
@organizer_event
def event_wall_link(request: HttpRequest, event: Event) -> HttpResponse:
    return share_link_changed(request, event, "wall", WALL_LINK_MESSAGES)
