"""The gallery's index of stored photos: the upload core's PhotoRecorder on the dashboard's database.

Locally the core calls it as each photo is stored; on AWS the bucket's ObjectCreated event does
(events/s3_events.py).
"""

from events.models import Event, Moderation, Photo
from uploads.ports import StoredPhoto


def photo_record(*, stored: StoredPhoto) -> Photo:
    """Index a stored photo; a second call for the same key (a recovery, a repeated S3 event) finds it."""
    event = Event.objects.get(slug=stored.event)
    photo, _ = Photo.objects.get_or_create(
        key=stored.key,
        defaults={
            "event": event,
            "approved": event.moderation == Moderation.AT_ONCE,
            "guest_name": stored.guest_name,
            "device_id": stored.device,
            "content_type": stored.content_type,
            "size": stored.size,
            "width": stored.width,
            "height": stored.height,
            "sha256": stored.sha256,
            "uploaded_at": stored.uploaded_at,
        },
    )
    return photo


class GalleryRecorder:
    """Its thumbnail is made when the gallery first shows it, so the upload itself does no image
    decoding (bench P1)."""

    def record(self, photo: StoredPhoto) -> None:
        photo_record(stored=photo)
