"""ZIP exports built in the background into storage (AWS, where a response is capped near 6 MB).

The request records a PhotoExport and asks the ZIP delivery port to build it out of band.
"""

import logging
from collections.abc import Iterable, Iterator
from functools import partial

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from events.links import ZipDelivery
from events.models import Event, Photo, PhotoExport
from events.selectors import photos_in_scope
from events.zipstream import ZipEntry, zip_stream
from photoshare_site.wiring import zip_delivery

log = logging.getLogger(__name__)

EXPORT_PREFIX = "exports/"


# Part of each ZIP's name (its key is unique: the album's and the organizer's may start in the same second).
ZIP_NAMES = {
    PhotoExport.Scope.NOT_HIDDEN: "photos",
    PhotoExport.Scope.WITH_HIDDEN: "photos-with-hidden",
    PhotoExport.Scope.SHARED: "album",
}


class ExportNotStarted(Exception):
    message = _("The ZIP could not be started. Nothing was prepared; please try again in a moment.")


def export_start(*, event: Event, scope: str = PhotoExport.Scope.NOT_HIDDEN) -> PhotoExport:
    """Record the export of the photos in `scope` and start building it; if it cannot start it is marked
    failed and says so."""
    # To the microsecond: the album may start a second export of its scope within the same second.
    stamp = timezone.now().strftime("%Y%m%dT%H%M%S.%fZ")
    key = f"{EXPORT_PREFIX}{event.slug}/{event.slug}-{ZIP_NAMES[scope]}-{stamp}.zip"
    export = PhotoExport.objects.create(event=event, key=key, scope=scope)
    try:
        zip_delivery().start({"command": f"{__name__}.export_build_command", "export_id": export.pk})
    except Exception:
        log.exception("export %s could not start", export.key)
        _finish(export, PhotoExport.Status.FAILED)
        raise ExportNotStarted() from None
    return export


def export_build_command(payload: dict, context: object = None) -> None:
    """Zappa's handler calls this with the `command` event export_start sent."""
    export = PhotoExport.objects.select_related("event").get(pk=payload["export_id"])
    try:
        export_build(export=export)
    except Exception:
        log.exception("export %s failed", export.key)
        _finish(export, PhotoExport.Status.FAILED)


def export_build(*, export: PhotoExport) -> None:
    delivery = zip_delivery()
    photos = list(photos_in_scope(export.event, export.scope).order_by("guest_name", "uploaded_at"))
    size = delivery.write(export.key, zip_stream(zip_entries(photos, delivery)))
    _finish(export, PhotoExport.Status.READY, photo_count=len(photos), size=size)


def zip_entries(photos: Iterable[Photo], delivery: ZipDelivery) -> Iterator[ZipEntry]:
    """Each photo as a ZIP entry, foldered by guest and dated when it arrived, in the site's time zone."""
    for photo in photos:
        yield ZipEntry(photo.zip_name(), timezone.localtime(photo.uploaded_at), partial(delivery.open, photo.key))


def _finish(export: PhotoExport, status: str, **fields) -> None:
    PhotoExport.objects.filter(pk=export.pk).update(status=status, finished_at=timezone.now(), **fields)
