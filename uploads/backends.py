"""Builds the upload core from settings: the one place that picks the adapters."""

from django.conf import settings
from django.core.files.storage import FileSystemStorage, Storage
from storages.backends.s3 import S3Storage

from events.selectors import EventPolicies
from uploads.core import Uploader
from uploads.ports import PhotoRecorder, PhotoStore, QuotaStore
from uploads.stores import aws
from uploads.stores.dynamodb import DynamoDBStore
from uploads.stores.filesystem import FileSystemPhotoStore
from uploads.stores.s3 import IndexedByBucketEvents, S3PhotoStore
from uploads.stores.sql import SqlPhotoRecorder, SqlQuotaStore


def on_aws() -> bool:
    return settings.BACKEND == "aws"


def dynamodb_store() -> DynamoDBStore:
    return DynamoDBStore(aws.dynamodb(), settings.DYNAMODB_TABLE)


def quota_store() -> QuotaStore:
    return dynamodb_store() if on_aws() else SqlQuotaStore()


def photo_store() -> PhotoStore:
    return S3PhotoStore(aws.s3(), settings.PHOTO_BUCKET) if on_aws() else FileSystemPhotoStore(settings.PHOTOS_DIR)


def photo_storage() -> Storage:
    """The photo store as a Django storage, for the dashboard to read and link to photos."""
    if on_aws():
        return S3Storage(
            bucket_name=settings.PHOTO_BUCKET,
            querystring_auth=True,
            querystring_expire=settings.PRESIGNED_URL_SECONDS,
            file_overwrite=False,
            default_acl=None,
            signature_version="s3v4",
        )
    return FileSystemStorage(location=settings.PHOTOS_DIR)


def photo_recorder() -> PhotoRecorder:
    # On AWS the bucket's ObjectCreated event records every photo (events/s3_events.py),
    # whichever function stored it.
    return IndexedByBucketEvents() if on_aws() else SqlPhotoRecorder()


def uploader() -> Uploader:
    return Uploader(policies=EventPolicies(), quota=quota_store(), photos=photo_store(), recorder=photo_recorder())
