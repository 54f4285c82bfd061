"""The devices that uploaded to an event, a page at a time: counts, resets, per-device limits and
removing a device's photos, via the quota store."""

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

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
    context = {"event": event, "page": page, "here": _query(request), "limit_form": DeviceLimitForm()}
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


@require_POST
@organizer_event
def device_reset(request: HttpRequest, event: Event, device: str) -> HttpResponse:
    services.device_reset(event=event, device=_device(device))
    messages.success(
        request,
        ngettext(
            "Device %(device)s can upload %(limit)d photo again.",
            "Device %(device)s can upload %(limit)d photos again.",
            event.upload_limit,
        )
        % {"device": device[:8], "limit": event.upload_limit},
    )
    return _back(request, event)


@require_POST
@organizer_event
def device_limit(request: HttpRequest, event: Event, device: str) -> HttpResponse:
    form = DeviceLimitForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("A device limit is a number from 0 to 1000, or empty for the event's limit."))
        return _back(request, event)
    limit = form.cleaned_data["limit"]
    services.device_set_limit(event=event, device=_device(device), limit=limit)
    if limit is None:
        said = _("Device %(device)s now has the event's limit (%(limit)d).")
    else:
        said = ngettext(
            "Device %(device)s now has %(limit)d photo.", "Device %(device)s now has %(limit)d photos.", limit
        )
    messages.success(request, said % {"device": device[:8], "limit": event.upload_limit if limit is None else limit})
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
