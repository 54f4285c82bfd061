"""The gallery: browse by guest, view, download, hide, delete, and download everything as one ZIP."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from events import exports, selectors, services
from events.forms import PhotoDeleteForm
from events.models import Event, Photo, PhotoExport
from events.views.common import organizer_event
from events.zipstream import zip_stream
from uploads.backends import on_aws, photo_storage, quota_store

PHOTOS_PER_PAGE = 48


def attachment(filename: str) -> dict:
    return {"ResponseContentDisposition": f'attachment; filename="{filename}"'}


def thumbnail_url(photo: Photo, storage) -> str | None:
    """On AWS a presigned S3 URL (no Lambda in between; the S3 trigger made the thumbnail); locally our
    view, which makes the thumbnail the first time it is asked for."""
    if on_aws():
        return storage.url(photo.thumbnail_key) if photo.thumbnail_key else None
    return reverse("photo-thumbnail", kwargs={"slug": photo.event.slug, "pk": photo.pk})


@organizer_event
def gallery(request: HttpRequest, event: Event) -> HttpResponse:
    guest = request.GET.get("guest")
    photos = selectors.photos_for(event, guest=guest).select_related("event")
    page = Paginator(photos, PHOTOS_PER_PAGE).get_page(request.GET.get("page"))
    storage = photo_storage()  # one client for the page: presigning is local, no request per photo
    for photo in page:
        photo.thumbnail_url = thumbnail_url(photo, storage)
    context = {"event": event, "page": page, "guest": guest, "guests": selectors.guests_for(event)}
    return render(request, "events/gallery.html", context)


@organizer_event
def photo_detail(request: HttpRequest, event: Event, pk: int) -> HttpResponse:
    photo = selectors.photo_for(event, pk)
    context = {
        "event": event,
        "photo": photo,
        "thumbnail_url": thumbnail_url(photo, photo_storage()),
        "delete_form": PhotoDeleteForm(),
    }
    return render(request, "events/photo_detail.html", context)


@organizer_event
def photo_file(request: HttpRequest, event: Event, pk: int, which: str) -> HttpResponse:
    """The original (as a download named after the guest) or the thumbnail."""
    photo = selectors.photo_for(event, pk)
    storage = photo_storage()
    if which == "thumbnail":
        if not photo.thumbnail_key:
            with storage.open(photo.key) as original:
                made = services.photo_make_thumbnail(photo=photo, data=original.read(), storage=storage)
            if not made:
                raise Http404("this photo has no thumbnail")
        if on_aws():
            return redirect(storage.url(photo.thumbnail_key))
        return FileResponse(storage.open(photo.thumbnail_key), content_type="image/webp")
    if on_aws():
        # A presigned GET that expires (PHOTOSHARE_PRESIGNED_URL_SECONDS, at most 15 minutes).
        return redirect(storage.url(photo.key, parameters=attachment(photo.download_name())))
    return FileResponse(storage.open(photo.key), as_attachment=True, filename=photo.download_name())


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
    services.photo_delete(photo=photo, storage=photo_storage(), quota=quota_store(), refund=refund)
    messages.success(request, "Photo deleted" + (" and the slot given back." if refund else "."))
    return redirect("gallery", slug=event.slug)


@organizer_event
def download_all(request: HttpRequest, event: Event) -> HttpResponse:
    """Every photo in one ZIP, a folder per guest. Streamed locally; on AWS built in the background."""
    if on_aws():
        return _exports(request, event)
    storage = photo_storage()
    photos = selectors.photos_for(event).order_by("guest_name", "uploaded_at").iterator()
    entries = ((p.zip_name(), _opener(storage, p.key)) for p in photos)
    response = StreamingHttpResponse(zip_stream(entries), content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{event.slug}-photos.zip"'
    return response


def _opener(storage, key: str):
    return lambda: storage.open(key, "rb")


def _exports(request: HttpRequest, event: Event) -> HttpResponse:
    if request.method == "POST":
        exports.export_start(event=event)
        messages.success(request, "Your ZIP is being prepared. Refresh this page in a minute.")
        return redirect("download-all", slug=event.slug)
    recent, storage = list(event.exports.all()[:5]), photo_storage()
    for export in recent:
        if export.status == PhotoExport.Status.READY:
            export.url = storage.url(export.key, parameters=attachment(export.key.rsplit("/", 1)[1]))
    return render(request, "events/exports.html", {"event": event, "exports": recent})
