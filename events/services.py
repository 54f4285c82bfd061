"""Writes to events and their photos. Keyword-only arguments; callers are views, the admin, commands
and the photo recorders."""

import logging

from django.contrib.auth.models import AbstractBaseUser
from django.core.files.base import ContentFile
from django.core.files.storage import Storage
from django.db import transaction
from django.utils.text import slugify

from events.models import DEFAULT_LIMIT, Event, Photo, new_upload_key
from events.thumbnails import render_thumbnail, thumbnail_key
from uploads.ports import QuotaStore, StoredPhoto

log = logging.getLogger(__name__)


def _unique_slug(name: str) -> str:
    base = (slugify(name) or "event")[:40].strip("-") or "event"
    slug, n = base, 2
    while Event.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


@transaction.atomic
def event_create(
    *, owner: AbstractBaseUser, name: str, slug: str | None = None, limit: int = DEFAULT_LIMIT, **details
) -> Event:
    """Create an event; without a slug one is derived from the name and made unique.
    `details` are further Event fields (date, is_open, closes_at)."""
    event = Event(owner=owner, name=name, slug=slug or _unique_slug(name), upload_limit=limit, **details)
    event.full_clean()
    event.save()
    return event


@transaction.atomic
def event_rotate_key(*, event: Event) -> Event:
    """Give the event a new upload key: links and QR codes printed before stop working."""
    event.upload_key = new_upload_key()
    event.save(update_fields=["upload_key"])
    return event


def photo_record(*, stored: StoredPhoto) -> Photo:
    """Index a stored photo for the gallery."""
    return Photo.objects.create(
        event=Event.objects.get(slug=stored.event),
        guest_name=stored.guest_name,
        device_id=stored.device,
        key=stored.key,
        content_type=stored.content_type,
        size=stored.size,
        width=stored.width,
        height=stored.height,
        sha256=stored.sha256,
        uploaded_at=stored.uploaded_at,
    )


def photo_make_thumbnail(*, photo: Photo, data: bytes, storage: Storage) -> bool:
    """Make the photo's thumbnail (once: its key is kept); False when the original cannot be rendered."""
    try:
        thumbnail = render_thumbnail(data)
    except Exception:
        # The original is safe and counted; the gallery shows a placeholder instead.
        log.warning("no thumbnail for %s", photo.key, exc_info=True)
        return False
    photo.thumbnail_key = storage.save(thumbnail_key(photo.key), ContentFile(thumbnail))
    photo.save(update_fields=["thumbnail_key"])
    return True


@transaction.atomic
def event_update(*, event: Event, **fields) -> Event:
    for name, value in fields.items():
        setattr(event, name, value)
    event.full_clean()
    event.save()
    return event


def photo_delete(*, photo: Photo, storage: Storage, quota: QuotaStore, refund: bool) -> None:
    """Remove the original, its thumbnail and its record.

    With `refund` the device gets its slot back (and could send the same photo again). Without it the
    upload claim stays: the same bytes sent again are answered as already uploaded, so a photo the
    organizer removed does not come back.
    """
    # Files first, outside any transaction: a record without its file is worse than the reverse.
    for key in filter(None, [photo.key, photo.thumbnail_key]):
        storage.delete(key)
    if refund:
        quota.refund(photo.event.slug, photo.device_id, photo.sha256)
    photo.delete()


def photo_set_hidden(*, photo: Photo, hidden: bool) -> Photo:
    photo.hidden = hidden
    photo.save(update_fields=["hidden"])
    return photo
