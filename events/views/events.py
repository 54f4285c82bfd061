"""Events: list, create, overview, edit, key rotation, delete, QR codes and the printable table card."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from events import qr, selectors, services
from events.accent import css_colour
from events.card_layouts import CARD_LAYOUTS, DEFAULT_LAYOUT
from events.forms import EventDeleteForm, EventForm
from events.models import Event
from events.views.common import event_saved, organizer_event
from photoshare_site import wiring


@login_required
def event_list(request: HttpRequest) -> HttpResponse:
    return render(request, "events/event_list.html", {"events": selectors.events_for(request.user)})


@login_required
def event_create(request: HttpRequest) -> HttpResponse:
    form = EventForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            # Every other field the form holds, so none is dropped (approve first, retention, ...).
            details = {field: value for field, value in data.items() if field not in ("name", "slug", "upload_limit")}
            event = services.event_create(
                owner=request.user,
                name=data["name"],
                slug=data["slug"] or None,
                limit=data["upload_limit"],
                **details,
            )
        except services.EventNotSaved as error:
            messages.error(request, error.message)
        else:
            messages.success(
                request, _("“%(name)s” is ready. Print its QR code for the tables.") % {"name": event.name}
            )
            return redirect("event-detail", slug=event.slug)
    return render(request, "events/event_form.html", {"form": form})


@organizer_event
def event_detail(request: HttpRequest, event: Event) -> HttpResponse:
    quota = wiring.quota_store()
    device_count = quota.device_count(event.slug)
    context = {
        "caps": selectors.caps_usage_for(event, quota),
        "cohosts": selectors.cohosts_for(event, request.user),
        "event": event,
        "guest_url": event.guest_url(),
        "stats": selectors.stats_for(event, device_count),
        "guests": selectors.guests_for(event),
        "recent": selectors.photos_for(event)[:12],
        "space_low": wiring.photo_space_low(),
        "wall_url": wiring.site_link(request, reverse("wall", args=[event.slug, event.wall_token])),
        "album_url": wiring.site_link(request, reverse("album", args=[event.slug, event.album_token])),
    }
    return render(request, "events/event_detail.html", context)


@organizer_event
def event_edit(request: HttpRequest, event: Event) -> HttpResponse:
    form = EventForm(request.POST or None, instance=event)
    saved = (
        request.method == "POST" and form.is_valid() and event_saved(request, services.event_save, event=form.instance)
    )
    if saved:
        messages.success(request, _("Event saved."))
        return redirect("event-detail", slug=event.slug)
    return render(request, "events/event_form.html", {"form": form, "event": event})


@organizer_event
def event_rotate_key(request: HttpRequest, event: Event) -> HttpResponse:
    if request.method == "POST":
        if event_saved(request, services.event_rotate_key, event=event):
            messages.warning(request, _("New upload key: print the new QR code; the old one no longer works."))
        return redirect("event-detail", slug=event.slug)
    return render(request, "events/event_rotate_key.html", {"event": event})


@organizer_event
def event_delete(request: HttpRequest, event: Event) -> HttpResponse:
    form = EventDeleteForm(request.POST or None, event=event)
    if request.method == "POST" and form.is_valid():
        try:
            services.event_delete(event=event)
        except services.EventNotSaved as error:
            messages.error(request, error.message)
            return redirect("event-detail", slug=event.slug)
        messages.success(request, _("“%(name)s” and all its photos are deleted.") % {"name": event.name})
        return redirect("event-list")
    context = {"event": event, "form": form, "photo_count": event.photos.count()}
    return render(request, "events/event_delete.html", context)


@organizer_event
def event_qr(request: HttpRequest, event: Event, fmt: str) -> HttpResponse:
    url = event.guest_url()
    body, content_type = (qr.qr_svg(url), "image/svg+xml") if fmt == "svg" else (qr.qr_png(url), "image/png")
    response = HttpResponse(body, content_type=content_type)
    if request.GET.get("download"):
        response["Content-Disposition"] = f'attachment; filename="{event.slug}-qr.{fmt}"'
    return response


@organizer_event
def event_card(request: HttpRequest, event: Event) -> HttpResponse:
    layout = request.GET.get("layout", "")
    layout = layout if layout in CARD_LAYOUTS else DEFAULT_LAYOUT
    context = {
        "event": event,
        # A dashboard route, so on AWS at the dashboard's address (the guest site is static). What a guest
        # types: a browser tries https by itself, so only plain http needs saying.
        "short_url": wiring.site_link(request, event.short_path()).removeprefix("https://"),
        "layout": layout,
        "layouts": CARD_LAYOUTS,
        "cards": range(CARD_LAYOUTS[layout].cards),
    }
    # Guests read the card: in the event's language when it has one, else in the organizer's.
    with translation.override(event.language or translation.get_language()):
        return render(request, "events/event_card.html", context)


@organizer_event
def event_card_accent(request: HttpRequest, event: Event) -> HttpResponse:
    """The card's colour as a style sheet of its own: the CSP allows no inline style."""
    return HttpResponse(f":root {{ --accent: {css_colour(event.accent)}; }}\n", content_type="text/css")


@require_POST
@organizer_event
def event_toggle_open(request: HttpRequest, event: Event) -> HttpResponse:
    if event_saved(request, services.event_update, event=event, is_open=not event.is_open):
        messages.success(request, _("Uploads are open again.") if event.is_open else _("Uploads are closed."))
    return redirect("event-detail", slug=event.slug)
