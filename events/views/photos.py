"""The gallery: browse by guest, view, download, hide, delete, and download everything as one ZIP."""

from typing import cast

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from events import exports, selectors, services
from events.forms import PhotoDeleteForm
from events.links import BackgroundZipDelivery
from events.models import Event, PhotoExport
from events.views.common import organizer_event
from events.views.files import photo_file_response, zip_response
from photoshare_site import wiring

PHOTOS_PER_PAGE = 48


@organizer_event
def gallery(request: HttpRequest, event: Event) -> HttpResponse:
    guest = request.GET.get("guest")
    photos = selectors.photos_for(event, guest=guest).select_related("event")
    page = Paginator(photos, PHOTOS_PER_PAGE).get_page(request.GET.get("page"))
    links = wiring.photo_links()
    for photo in page:
        photo.thumbnail_url = links.thumbnail_url(photo)
    context = {"event": event, "page": page, "guest": guest, "guests": selectors.guests_for(event)}
    return render(request, "events/gallery.html", context)


@organizer_event
def photo_detail(request: HttpRequest, event: Event, pk: int) -> HttpResponse:
    photo = selectors.photo_for(event, pk)
    links = wiring.photo_links()
    context = {
        "event": event,
        "photo": photo,
        "thumbnail_url": links.thumbnail_url(photo),
        "video_url": links.video_url(photo) if photo.is_video else None,
        "kind": "Video" if photo.is_video else "Photo",
        "delete_form": PhotoDeleteForm(),
    }
    return render(request, "events/photo_detail.html", context)


@organizer_event
def photo_file(request: HttpRequest, event: Event, pk: int, which: str) -> HttpResponse:
    return photo_file_response(request, selectors.photo_for(event, pk), which)


@require_POST
@organizer_event
def photo_hide(request: HttpRequest, event: Event, pk: int) -> HttpResponse:
    photo = services.photo_set_hidden(photo=selectors.photo_for(event, pk), hidden=request.POST.get("hidden") == "1")
    messages.success(request, "Photo hidden." if photo.hidden else "Photo visible again.")
    return redirect("photo-detail", slug=event.slug, pk=photo.pk)


@require_POST
@organizer_event
def photo_delete(request: HttpRequest, event: Event, pk: int) -> HttpResponse:
    photo = selectors.photo_for(event, pk)
    form = PhotoDeleteForm(request.POST)
    refund = form.is_valid() and form.cleaned_data["refund"]
    services.photo_delete(photo=photo, refund=refund)
    messages.success(request, "Photo deleted" + (" and the slot given back." if refund else "."))
    return redirect("gallery", slug=event.slug)


@organizer_event
def download_all(request: HttpRequest, event: Event) -> HttpResponse:
    """Every photo in one ZIP, a folder per guest: streamed, or prepared in the background."""
    delivery = wiring.zip_delivery()
    if delivery.in_background:
        return _exports(request, event, cast(BackgroundZipDelivery, delivery))
    photos = selectors.photos_for(event).order_by("guest_name", "uploaded_at").iterator()
    return zip_response(photos, delivery, f"{event.slug}-photos.zip")


def _exports(request: HttpRequest, event: Event, delivery: BackgroundZipDelivery) -> HttpResponse:
    if request.method == "POST":
        try:
            exports.export_start(event=event)
        except exports.ExportNotStarted as error:
            messages.error(request, error.message)
        else:
            messages.success(request, "Your ZIP is being prepared. Refresh this page in a minute.")
        return redirect("download-all", slug=event.slug)
    recent = list(event.exports.all()[:5])
    for export in recent:
        if export.status == PhotoExport.Status.READY:
            export.url = delivery.link(export.key)
    return render(request, "events/exports.html", {"event": event, "exports": recent})
