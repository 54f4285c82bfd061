"""Builds the upload core from settings: the one place that picks the adapters."""

from django.conf import settings

from events.selectors import EventPolicies
from uploads.core import Uploader
from uploads.stores.filesystem import FileSystemPhotoStore
from uploads.stores.sql import SqlPhotoRecorder, SqlQuotaStore


def quota_store() -> SqlQuotaStore:
    return SqlQuotaStore()


def uploader() -> Uploader:
    return Uploader(
        policies=EventPolicies(),
        quota=quota_store(),
        photos=FileSystemPhotoStore(settings.PHOTOS_DIR),
        recorder=SqlPhotoRecorder(),
    )
