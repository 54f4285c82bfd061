"""What every dashboard view shares: the organizer's own or co-hosted event, or a 404."""

import functools
from collections.abc import Callable, Mapping
from typing import Literal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from events import services
from events.models import Event
from events.selectors import event_for

SEE_EVENT = ("events.view_event",)
SEE_PHOTOS = ("events.view_event", "events.view_photo")
SEE_DEVICES = ("events.view_event", "uploads.view_devicequota")
# What a staff user needs to open a route of another organizer's event: the admin's permission for the
# same thing (README "Support staff"). A route missing here is its owner's only.
STAFF_PERMISSIONS: dict[str, tuple[str, ...]] = {
    "event-detail": SEE_PHOTOS,  # it shows the latest photos
    "event-qr-png": SEE_EVENT,
    "event-qr-svg": SEE_EVENT,
    "event-card": SEE_EVENT,
    "event-card-accent": SEE_EVENT,
    "event-edit": (*SEE_EVENT, "events.change_event"),
    "event-toggle-open": (*SEE_EVENT, "events.change_event"),
    "event-rotate-key": (*SEE_EVENT, "events.change_event"),
    "event-delete": (*SEE_EVENT, "events.delete_event"),
    "event-album-link": (*SEE_EVENT, "events.change_event"),
    "gallery": SEE_PHOTOS,
    "photo-detail": SEE_PHOTOS,
    "photo-original": SEE_PHOTOS,
    "photo-video": SEE_PHOTOS,
    "photo-thumbnail": SEE_PHOTOS,
    "photo-display": SEE_PHOTOS,
    "event-wall": SEE_PHOTOS,
    "event-wall-feed": SEE_PHOTOS,
    "event-wall-link": (*SEE_EVENT, "events.change_event"),
    "download-all": SEE_PHOTOS,
    "photo-hide": (*SEE_PHOTOS, "events.change_photo"),
    "photo-delete": (*SEE_PHOTOS, "events.delete_photo"),
    # One form approves, hides and deletes: staff need both.
    "photos-moderate": (*SEE_PHOTOS, "events.change_photo", "events.delete_photo"),
    "device-list": SEE_DEVICES,
    "device-reset": (*SEE_DEVICES, "uploads.change_devicequota"),
    "device-limit": (*SEE_DEVICES, "uploads.change_devicequota"),
    "device-photos-delete": (*SEE_DEVICES, "events.delete_photo"),
    "event-cohost-add": (*SEE_EVENT, "events.change_event"),
    "event-cohost-remove": (*SEE_EVENT, "events.change_event"),
}
# Routes a co-host cannot use (they answer 404, as to any other organizer): the owner's alone, and staff's.
OWNER_ONLY = {"event-delete", "event-cohost-add", "event-cohost-remove"}


def organizer_event(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Log-in required; `slug` becomes the user's own or co-hosted event (OWNER_ONLY routes: own; for
    staff with this route's permissions, anyone's), and any other event answers 404."""

    @login_required
    @functools.wraps(view)
    def wrapper(request: HttpRequest, slug: str, **kwargs) -> HttpResponse:
        match = request.resolver_match
        name = (match.url_name or "") if match else ""
        event = event_for(
            request.user, slug, staff_permissions=STAFF_PERMISSIONS.get(name, ()), owner_only=name in OWNER_ONLY
        )
        return view(request, event, **kwargs)

    return wrapper


def event_saved(request: HttpRequest, service: Callable[..., Event], **arguments) -> bool:
    """Run an event write; when it is refused, say so (nothing was changed)."""
    try:
        service(**arguments)
    except services.EventNotSaved as error:
        messages.error(request, error.message)
        return False
    return True


def share_link_changed(
    request: HttpRequest, event: Event, link: Literal["wall", "album"], said: Mapping[str, str]
) -> HttpResponse:
    """Turn the wall's or the album's link on or off, or renew it, as the form's `action` says; `said`
    holds what to tell the organizer for each action."""
    action = request.POST.get("action", "")
    if action not in said:
        messages.error(request, _("Nothing was changed."))
    elif event_saved(request, services.event_share_link, event=event, link=link, action=action):
        messages.success(request, said[action])
    return redirect(reverse("event-detail", args=[event.slug]) + f"#{link}")
