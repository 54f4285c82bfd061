"""Reads of events, shaped for the upload core."""

from events.models import Event
from uploads.policy import EventPolicy, hash_upload_key


def event_policy(event: Event) -> EventPolicy:
    return EventPolicy(
        slug=event.slug,
        name=event.name,
        limit=event.upload_limit,
        is_open=event.is_open,
        upload_key_sha256=hash_upload_key(event.upload_key),
    )


class EventPolicies:
    """The upload core's PolicySource backed by the dashboard's database."""

    def get(self, slug: str) -> EventPolicy | None:
        event = Event.objects.filter(slug=slug).only("slug", "name", "upload_limit", "is_open", "upload_key").first()
        return event_policy(event) if event else None
