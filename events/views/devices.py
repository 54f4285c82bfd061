"""The devices that uploaded to an event, a page at a time, each by its guest's name: counts, resets and
per-device limits (each asked on a page of its own first, then said in plain words) and
removing a device's photos, via the quota store."""

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from events import selectors, services
from events.forms import DeviceLimitForm
from events.models import Event
from events.views.common import organizer_event
from photoshare_site import wiring
from uploads.payload import parse_device
from uploads.ports import UploadError

# The query parameters that say which page of devices is shown: cursors, each a device id.
PAGE_CURSORS = ("after", "before")


@organizer_event
def device_list(request: HttpRequest, event: Event) -> HttpResponse:
    page = selectors.devices_for(event, wiring.quota_store(), **_cursors(request))
    context = {"event": event, "page": page, "here": _query(request), "cursors": _cursors(request)}
    return render(request, "events/device_list.html", context)


def _device(device: str) -> str:
    try:
        return parse_device(device)
    except UploadError:
        raise Http404("no such device") from None


def _cursors(request: HttpRequest) -> dict[str, str]:
    return {name: _device(request.GET[name]) for name in PAGE_CURSORS if name in request.GET}


def _query(request: HttpRequest) -> str:
    """The page's cursor as a query string ("" on the first page), for forms to come back to it."""
    cursors = _cursors(request)
    return f"?{urlencode(cursors)}" if cursors else ""


def _back(request: HttpRequest, event: Event) -> HttpResponse:
    """To the page of devices the form was on."""
    return redirect(reverse("device-list", args=[event.slug]) + _query(request))


def _confirm(request: HttpRequest, event: Event, device: str, change: str, limit: int | None = None) -> HttpResponse:
    """The page that asks before a reset or a new limit: what the phone has sent, what would change.
    Asking is a GET (it changes nothing); its button POSTs to the same address, which acts."""
    row = selectors.device_for(event, wiring.quota_store(), device)
    context = {"event": event, "d": row, "change": change, "limit": limit, "here": _query(request)}
    return render(request, "events/device_confirm.html", context)


@require_http_methods(["GET", "POST"])
@organizer_event
def device_reset(request: HttpRequest, event: Event, device: str) -> HttpResponse:
    device = _device(device)
    if request.method == "GET":
        return _confirm(request, event, device, "reset")
    services.device_reset(event=event, device=device)
    row = selectors.device_for(event, wiring.quota_store(), device)
    said = ngettext("%(phone)s can send %(count)d more photo.", "%(phone)s can send %(count)d more photos.", row.limit)
    messages.success(request, said % {"phone": row.phone, "count": row.limit})
    return _back(request, event)


@require_http_methods(["GET", "POST"])
@organizer_event
def device_limit(request: HttpRequest, event: Event, device: str) -> HttpResponse:
    device = _device(device)
    form = DeviceLimitForm(request.POST if request.method == "POST" else request.GET)
    if not form.is_valid():
        messages.error(request, _("A phone's limit is a number from 0 to 1000, or empty for the event's limit."))
        return _back(request, event)
    limit = form.cleaned_data["limit"]
    if request.method == "GET":
        return _confirm(request, event, device, "limit", limit)
    services.device_set_limit(event=event, device=device, limit=limit)
    row = selectors.device_for(event, wiring.quota_store(), device)
    if limit is None:
        said = ngettext(
            "%(phone)s is back to the event's limit: %(count)d photo in all.",
            "%(phone)s is back to the event's limit: %(count)d photos in all.",
            row.limit,
        )
    else:
        said = ngettext(
            "%(phone)s may now send %(count)d photo in all.",
            "%(phone)s may now send %(count)d photos in all.",
            row.limit,
        )
    messages.success(request, said % {"phone": row.phone, "count": row.limit})
    return _back(request, event)


@require_POST
@organizer_event
def device_photos_delete(request: HttpRequest, event: Event, device: str) -> HttpResponse:
    removed = services.device_photos_delete(event=event, device=_device(device))
    messages.success(
        request,
        ngettext(
            "Removed %(count)d photo from this phone (%(device)s). "
            "Its count stays as it was: reset it to let the phone upload again.",
            "Removed %(count)d photos from this phone (%(device)s). "
            "Its count stays as it was: reset it to let the phone upload again.",
            removed,
        )
        % {"count": removed, "device": device[:8]},
    )
    return _back(request, event)
