"""The devices that uploaded to an event: counts, resets and per-device limits, via the quota store."""

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from events import selectors, services
from events.forms import DeviceLimitForm
from events.models import Event
from events.views.common import organizer_event
from photoshare_site import wiring
from uploads.payload import parse_device
from uploads.ports import UploadError


@organizer_event
def device_list(request: HttpRequest, event: Event) -> HttpResponse:
    devices = selectors.devices_for(event, wiring.quota_store())
    return render(
        request, "events/device_list.html", {"event": event, "devices": devices, "limit_form": DeviceLimitForm()}
    )


def _device(device: str) -> str:
    try:
        return parse_device(device)
    except UploadError:
        raise Http404("no such device") from None


@require_POST
@organizer_event
def device_reset(request: HttpRequest, event: Event, device: str) -> HttpResponse:
    services.device_reset(event=event, device=_device(device))
    messages.success(request, f"Device {device[:8]} can upload {event.upload_limit} photos again.")
    return redirect("device-list", slug=event.slug)


@require_POST
@organizer_event
def device_limit(request: HttpRequest, event: Event, device: str) -> HttpResponse:
    form = DeviceLimitForm(request.POST)
    if not form.is_valid():
        messages.error(request, "A device limit is a number from 0 to 1000, or empty for the event's limit.")
        return redirect("device-list", slug=event.slug)
    limit = form.cleaned_data["limit"]
    services.device_set_limit(event=event, device=_device(device), limit=limit)
    shown = f"{limit} photos" if limit is not None else f"the event's limit ({event.upload_limit})"
    messages.success(request, f"Device {device[:8]} now has {shown}.")
    return redirect("device-list", slug=event.slug)
