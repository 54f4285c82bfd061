"""The one place that picks the adapters, from settings (PHOTOSHARE_BACKEND): SQL and the local disk,
or DynamoDB and S3. Views, services and commands ask for a port here and never ask which runtime runs."""

from dataclasses import replace
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django.utils.crypto import salted_hmac

from events.links import LocalPhotoLinks, PhotoLinks, StreamedZips, ZipDelivery
from events.public_url import public_base_url
from events.recorder import GalleryRecorder
from events.selectors import EventPolicies
from uploads.aws import clients, health
from uploads.aws.dynamodb import DynamoDBStore
from uploads.aws.exports import BackgroundZips
from uploads.aws.links import PresignedPhotoLinks, bucket_origin
from uploads.aws.s3 import IndexedByBucketEvents, S3PhotoStore
from uploads.aws.staging import S3Staging
from uploads.core import Uploader
from uploads.direct import DirectUploads
from uploads.ports import Claim, PhotoStore, PolicyMirror, PolicySource, QuotaStore, StagingStore, StoredPhoto
from uploads.ratelimit import LIMITS, RateLimiter
from uploads.stores.filesystem import FileSystemPhotoStore
from uploads.stores.sql import SqlQuotaStore
from uploads.stores.sql_rates import SqlRateCounters
from uploads.stores.staging_fs import FileSystemStaging


def _on_aws() -> bool:
    return settings.BACKEND == "aws"


def site_link(request: HttpRequest, path: str) -> str:
    """An absolute link to one of this site's own pages for guests (the wall, the album). Locally, at
    the address guests reach (events/public_url.py); on AWS, where that address is the static guest
    site, at the dashboard's own."""
    return request.build_absolute_uri(path) if _on_aws() else public_base_url() + path


def dynamodb_store() -> DynamoDBStore:
    return DynamoDBStore(clients.dynamodb(), settings.DYNAMODB_TABLE)


def quota_store() -> QuotaStore:
    return dynamodb_store() if _on_aws() else SqlQuotaStore()


def stores_reachable() -> bool:
    """For /healthz: the table and the photo bucket on AWS; locally the database is all there is."""
    if not _on_aws():
        return True
    return health.reachable(clients.dynamodb(), settings.DYNAMODB_TABLE, clients.s3(), settings.PHOTO_BUCKET)


def photo_store() -> PhotoStore:
    return bucket_photos() if _on_aws() else local_photos()


def local_photos() -> FileSystemPhotoStore:
    return FileSystemPhotoStore(settings.PHOTOS_DIR, min_free_bytes=settings.PHOTOS_MIN_FREE_BYTES)


def photo_space_low() -> bool:
    """Whether uploads will soon be refused for want of disk space (the local disk; S3 has no floor)."""
    return not _on_aws() and local_photos().running_low()


def _sign_upload_url(message: str) -> str:
    return salted_hmac("photoshare.direct-upload-url", message, algorithm="sha256").hexdigest()


def staging_store() -> StagingStore:
    """Where direct uploads wait for completion: the photo bucket's `_incoming/` behind presigned URLs,
    or beside the photos behind URLs signed with SECRET_KEY."""
    if _on_aws():
        part_size = settings.GUEST.upload_part_bytes
        return S3Staging(clients.s3(), settings.PHOTO_BUCKET, part_size=part_size, presigner=clients.s3_presigner())
    return local_staging()


def local_staging() -> FileSystemStaging:
    """The local server's staging, which its PUT endpoint (uploads/local_put.py) writes to."""
    return FileSystemStaging(local_photos(), _sign_upload_url, part_size=settings.GUEST.upload_part_bytes)


def remove_staged_leftovers(older_than: datetime) -> int:
    """Staged bytes of uploads nothing will complete; on AWS the bucket's lifecycle rule removes them."""
    return 0 if _on_aws() else local_staging().remove_leftovers(older_than)


def bucket_photos() -> S3PhotoStore:
    """The photo bucket itself, for the S3 trigger that reads what the guest function stored."""
    return S3PhotoStore(clients.s3(), settings.PHOTO_BUCKET)


class _DatabaseIsTheSource:
    """Locally the guest path reads policies straight from the Event rows: nothing to mirror."""

    def put_policy(self, policy) -> None:
        return None

    def delete_policy(self, slug: str) -> None:
        return None


def policy_mirror() -> PolicyMirror:
    return dynamodb_store() if _on_aws() else _DatabaseIsTheSource()


def mirrored_policies() -> PolicySource | None:
    """Where the guest path reads the policies the dashboard mirrors, for the reconciliation to compare
    (events/reconcile.py); None locally, where it reads the Event rows themselves."""
    return dynamodb_store() if _on_aws() else None


def stored_photo(key: str, claim: Claim | None) -> StoredPhoto | None:
    """A stored photo as the gallery records it, for one found without its record: from its object's
    metadata on S3; locally from its bytes and the claim that named its key (the file alone does not say
    who sent it), None without one."""
    if _on_aws():
        return bucket_photos().describe(key)
    return uploader().describe_stored(replace(claim, key=key)) if claim else None


def photo_links() -> PhotoLinks:
    """Links to originals and thumbnails for the dashboard's pages."""
    return PresignedPhotoLinks(settings.PHOTO_BUCKET) if _on_aws() else LocalPhotoLinks(settings.PHOTOS_DIR)


def photo_origin() -> str | None:
    """Where the dashboard's images come from besides itself: the photo bucket on AWS, nowhere locally."""
    return bucket_origin(settings.PHOTO_BUCKET) if _on_aws() else None


def zip_delivery() -> ZipDelivery:
    """How "download all" reaches the organizer: streamed in the response, or prepared in the background
    (a Lambda response is capped near 6 MB)."""
    return BackgroundZips(clients.s3(), settings.PHOTO_BUCKET) if _on_aws() else StreamedZips(settings.PHOTOS_DIR)


def uploader() -> Uploader:
    if _on_aws():
        # The dashboard's own uses of the core on AWS (the recovery sweep): records come from S3 events.
        store = dynamodb_store()
        return Uploader(policies=store, quota=store, photos=photo_store(), recorder=IndexedByBucketEvents())
    return Uploader(
        policies=EventPolicies(),
        quota=SqlQuotaStore(),
        photos=photo_store(),
        recorder=GalleryRecorder(),
        atomic=transaction.atomic,
        limiter=RateLimiter(SqlRateCounters(), LIMITS.scaled(settings.GUEST.rate_limit_scale)),
    )


def direct_uploads() -> DirectUploads:
    """Originals and videos sent straight to the staging store (uploads/direct.py)."""
    return DirectUploads(
        uploader(),
        staging_store(),
        lifetime=timedelta(seconds=settings.GUEST.upload_url_seconds),
        max_photo_bytes=settings.MAX_UPLOAD_BYTES,
    )
