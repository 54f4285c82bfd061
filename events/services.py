"""Writes to events. Keyword-only arguments; callers are views, the admin and commands."""

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils.text import slugify

from events.models import DEFAULT_LIMIT, Event, new_upload_key


def _unique_slug(name: str) -> str:
    base = (slugify(name) or "event")[:40].strip("-") or "event"
    slug, n = base, 2
    while Event.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


@transaction.atomic
def event_create(*, owner: AbstractBaseUser, name: str, slug: str | None = None, limit: int = DEFAULT_LIMIT) -> Event:
    """Create an event; without a slug one is derived from the name and made unique."""
    event = Event(owner=owner, name=name, slug=slug or _unique_slug(name), upload_limit=limit)
    event.full_clean()
    event.save()
    return event


@transaction.atomic
def event_rotate_key(*, event: Event) -> Event:
    """Give the event a new upload key: links and QR codes printed before stop working."""
    event.upload_key = new_upload_key()
    event.save(update_fields=["upload_key"])
    return event
