"""The gallery: browse by guest, view, download, hide, delete, and download everything as one ZIP."""

from typing import cast
from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext, gettext_lazy, ngettext_lazy
from django.views.decorators.http import require_POST

from events import exports, selectors, services
from events.forms import PhotoDeleteForm, PhotosModerateForm
from events.links import BackgroundZipDelivery
from events.models import Event, PhotoExport
from events.views.common import organizer_event
from events.views.files import photo_file_response, zip_response
from photoshare_site import wiring

PHOTOS_PER_PAGE = 48


GALLERY_TABS = [
    ("all", gettext_lazy("All")),
    ("waiting", gettext_lazy("Waiting for approval")),
    ("shared", gettext_lazy("On the wall & album")),
    ("hidden", gettext_lazy("Hidden")),
]


@organizer_event
def gallery(request: HttpRequest, event: Event) -> HttpResponse:
    guest = request.GET.get("guest")
    state = request.GET.get("show", "all")
    if state not in selectors.GALLERY_STATES:
        state = "all"
    photos = selectors.photos_for(event, guest=guest, state=state).select_related("event")
    page = Paginator(photos, PHOTOS_PER_PAGE).get_page(request.GET.get("page"))
    links = wiring.photo_links()
    for photo in page:
        photo.thumbnail_url = links.thumbnail_url(photo)
    counts = selectors.gallery_counts(event)
    context = {
        "event": event,
        "page": page,
        "guest": guest,
        "guests": selectors.guests_for(event),
        "state": state,
        "tabs": [(key, label, counts[key]) for key, label in GALLERY_TABS],
        # The page's filters, for the pager and the tabs to keep.
        "guest_query": urlencode({"guest": guest} if guest else {}),
        "filter_query": urlencode({k: v for k, v in (("guest", guest), ("show", state)) if v and v != "all"}),
    }
    return render(request, "events/gallery.html", context)


# Extractable by makemessages; "%(count)d" takes the number of photos the action changed.
MODERATED = {
    "approve": ngettext_lazy("%(count)d photo approved.", "%(count)d photos approved.", "count"),
    "hide": ngettext_lazy("%(count)d photo hidden.", "%(count)d photos hidden.", "count"),
    "show": ngettext_lazy("%(count)d photo visible again.", "%(count)d photos visible again.", "count"),
    "delete": ngettext_lazy("%(count)d photo deleted.", "%(count)d photos deleted.", "count"),
}


@require_POST
@organizer_event
def photos_moderate(request: HttpRequest, event: Event) -> HttpResponse:
    """The gallery's bulk form: approve, hide, show again, or delete (after one confirmation page)."""
    back = _gallery_page(request, event)
    form = PhotosModerateForm(request.POST)
    if not form.is_valid():
        messages.error(request, next(iter(form.errors.values()))[0])
        return redirect(back)
    action, ids, refund = (form.cleaned_data[name] for name in ("action", "ids", "refund"))
    if action == "delete" and not form.cleaned_data["confirmed"]:
        confirm = PhotosModerateForm(initial={"action": action, "ids": ids, "confirmed": True})
        count = selectors.photos_for(event).filter(pk__in=ids).count()
        context = {"event": event, "form": confirm, "count": count, "back": back}
        return render(request, "events/photos_delete_confirm.html", context)
    count = services.photos_moderate(event=event, ids=ids, action=action, refund=refund)
    done = MODERATED[action] % {"count": count}
    messages.success(request, f"{done} {gettext('Their slots were given back.')}" if refund and count else done)
    return redirect(back)


def _gallery_page(request: HttpRequest, event: Event) -> str:
    """Where the bulk form was sent from (its tab and page), if that is this event's gallery."""
    gallery_url = reverse("gallery", args=[event.slug])
    back = request.POST.get("next", "")
    safe = url_has_allowed_host_and_scheme(back, allowed_hosts=None) and back.startswith(gallery_url)
    return back if safe else gallery_url


@organizer_event
def photo_detail(request: HttpRequest, event: Event, pk: int) -> HttpResponse:
    photo = selectors.photo_for(event, pk)
    links = wiring.photo_links()
    context = {
        "event": event,
        "photo": photo,
        "thumbnail_url": links.thumbnail_url(photo),
        "video_url": links.video_url(photo) if photo.is_video else None,
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
    messages.success(request, gettext("Photo hidden.") if photo.hidden else gettext("Photo visible again."))
    return redirect("photo-detail", slug=event.slug, pk=photo.pk)


@require_POST
@organizer_event
def photo_delete(request: HttpRequest, event: Event, pk: int) -> HttpResponse:
    photo = selectors.photo_for(event, pk)
    form = PhotoDeleteForm(request.POST)
    refund = form.is_valid() and form.cleaned_data["refund"]
    services.photo_delete(photo=photo, refund=refund)
    done = gettext("Photo deleted and the slot given back.") if refund else gettext("Photo deleted.")
    messages.success(request, done)
    return redirect("gallery", slug=event.slug)


@organizer_event
def download_all(request: HttpRequest, event: Event) -> HttpResponse:
    """Every photo in one ZIP, a folder per guest: streamed, or prepared in the background. Hidden photos
    only when asked (`hidden=1`)."""
    delivery = wiring.zip_delivery()
    if delivery.in_background:
        return _exports(request, event, cast(BackgroundZipDelivery, delivery))
    photos = selectors.photos_in_scope(event, _scope(request.GET)).order_by("guest_name", "uploaded_at").iterator()
    return zip_response(photos, delivery, f"{event.slug}-photos.zip")


def _scope(data: QueryDict) -> str:
    return PhotoExport.Scope.WITH_HIDDEN if data.get("hidden") == "1" else PhotoExport.Scope.NOT_HIDDEN


def _exports(request: HttpRequest, event: Event, delivery: BackgroundZipDelivery) -> HttpResponse:
    if request.method == "POST":
        try:
            exports.export_start(event=event, scope=_scope(request.POST))
        except exports.ExportNotStarted as error:
            messages.error(request, error.message)
        else:
            messages.success(request, gettext("Your ZIP is being prepared. Refresh this page in a minute."))
        return redirect("download-all", slug=event.slug)
    # The album's ZIPs (scope SHARED) are the album's own business.
    recent = list(event.exports.exclude(scope=PhotoExport.Scope.SHARED)[:5])
    for export in recent:
        if export.status == PhotoExport.Status.READY:
            export.url = delivery.link(export.key)
    context = {"event": event, "exports": recent, "with_hidden": request.GET.get("hidden") == "1"}
    return render(request, "events/exports.html", context)
