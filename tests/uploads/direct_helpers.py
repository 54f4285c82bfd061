"""What the direct-upload tests share: a DirectUploads on SQL, the disk and the in-memory staging store."""

import hashlib
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

from django.db import transaction

from events.recorder import GalleryRecorder
from events.selectors import EventPolicies
from tests.uploads.fake_staging import FakeStaging
from uploads.core import Uploader
from uploads.direct import DirectUploads, Started, StartRequest
from uploads.policy import EventPolicy
from uploads.stores.filesystem import FileSystemPhotoStore
from uploads.stores.sql import SqlQuotaStore

NOON = datetime(2026, 6, 20, 12, 0, 5, tzinfo=UTC)
MAX_PHOTO = 1024 * 1024


class Clock:
    def __init__(self) -> None:
        self.now = NOON

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


class ChangedPolicies:
    """The event's policy from the database, with some fields changed (fields the dashboard has yet to offer)."""

    def __init__(self, **changes: object) -> None:
        self.changes = changes

    def get(self, slug: str) -> EventPolicy | None:
        policy = EventPolicies().get(slug)
        return policy and replace(policy, **self.changes)  # type: ignore[arg-type]


@dataclass
class Direct:
    uploads: DirectUploads
    staging: FakeStaging
    photos: FileSystemPhotoStore
    clock: Clock
    quota: SqlQuotaStore


def make_direct(
    root, *, lifetime: float = 900, recorder=None, policies=None, photos=None, finish_inline_up_to=None
) -> Direct:
    clock = Clock()
    photos = photos or FileSystemPhotoStore(root)
    quota = SqlQuotaStore()
    uploader = Uploader(
        policies=policies or EventPolicies(),
        quota=quota,
        photos=photos,
        recorder=recorder or GalleryRecorder(),
        clock=clock,
        atomic=transaction.atomic,
    )
    staging = FakeStaging(photos)
    uploads = DirectUploads(
        uploader,
        staging,
        lifetime=timedelta(seconds=lifetime),
        max_photo_bytes=MAX_PHOTO,
        finish_inline_up_to=finish_inline_up_to,
    )
    return Direct(uploads, staging, photos, clock, quota)


def start_request(event, device: str, data: bytes, content_type: str = "image/jpeg", **changes) -> StartRequest:
    fields = {
        "event": event.slug,
        "upload_key": event.upload_key,
        "guest_name": "Carla",
        "device": device,
        "size": len(data),
        "sha256": hashlib.sha256(data).hexdigest(),
        "content_type": content_type,
    }
    return StartRequest(**(fields | changes))


def started(direct: Direct, event, device: str, data: bytes, content_type: str = "image/jpeg") -> Started:
    result = direct.uploads.start(start_request(event, device, data, content_type))
    assert isinstance(result, Started)
    return result


def send_and_complete(direct: Direct, event, device: str, data: bytes, content_type: str = "image/jpeg"):
    upload = started(direct, event, device, data, content_type).upload
    direct.staging.send_all(upload, data)
    return direct.uploads.complete(upload.upload_id, event.upload_key, device, None)


def start_body(event, device: str, data: bytes, content_type: str = "image/jpeg", **overrides) -> dict:
    """The JSON a guest's page sends to POST /api/uploads for `data`."""
    body = {
        "eventName": event.slug,
        "uploadKey": event.upload_key,
        "guestName": "Carla",
        "deviceId": device,
        "size": len(data),
        "sha256": hashlib.sha256(data).hexdigest(),
        "contentType": content_type,
    }
    return body | overrides
