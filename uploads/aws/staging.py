"""Direct uploads' staging on S3: the phone sends its bytes straight to the photo bucket, under
`_incoming/`, through presigned requests the guest function signs; completion reads them back, checks
them and publishes them as a photo (uploads/direct.py).

Every call here exists in boto3/botocore 1.34.0, the oldest SDK the guest function runs on
(tests/deploy/oldest-sdk.txt).
"""

import base64
import functools
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any, BinaryIO, cast

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

from uploads.aws.s3 import S3PhotoStore
from uploads.ports import STAGING_PREFIX, PendingUpload, StoredPhoto, Target, Targets, UnknownUpload, UploadIncomplete

MiB = 1024 * 1024
# Files larger than this go in parts: S3's smallest part (but the last) is 5 MiB; 8 MiB keeps a resumed
# upload's loss small on a phone's connection and a 200 MB video under 25 parts.
PART_SIZE = 8 * MiB
# The protocol's longest URL lifetime (PHOTOSHARE_UPLOAD_URL_SECONDS is at most this).
MAX_URL_SECONDS = 900
# What a staged file holds in memory before it moves to the disk (a Lambda's /tmp).
SPOOL_BYTES = 8 * MiB
COPY_CHUNK = MiB
_MISSING = {"404", "NoSuchKey", "NotFound"}
# How the phone's requests are signed: SigV4, the only signature that binds headers (size, checksum), at
# the bucket's regional virtual-host address (bucket.s3.<region>.amazonaws.com). botocore's default
# presigns SigV2 in older regions and names the global endpoint, which answers a bucket's first day
# with redirects a browser's cross-origin PUT does not follow.
PRESIGNING = Config(signature_version="s3v4", s3={"addressing_style": "virtual"})


@functools.cache
def presigning_client() -> Any:
    """The client that signs the phone's requests; it makes no call. Its region (AWS_DEFAULT_REGION, which
    Lambda sets) must be the bucket's; AWS_ENDPOINT_URL_S3 moves it (LocalStack serves virtual hosts too)."""
    return boto3.client("s3", config=PRESIGNING)


class S3Staging:
    """`client` makes the calls; `presigner` signs the phone's requests, which S3 then authorises as its
    role: by default `presigning_client()`, any other must be made with PRESIGNING too."""

    def __init__(self, client: Any, bucket: str, *, part_size: int = PART_SIZE, presigner: Any = None):
        self.client, self.bucket, self.part_size = client, bucket, part_size
        self.presigner = presigner
        self.photos = S3PhotoStore(client, bucket)

    # --- sending -----------------------------------------------------------------------------------
    def targets(self, upload: PendingUpload) -> Targets:
        key, seconds = upload.staging_key, _seconds_until(upload.expires_at)
        if not self._in_parts(upload):
            checksum = base64.b64encode(bytes.fromhex(upload.fingerprint)).decode()
            params = {"ContentLength": upload.size, "ContentType": upload.content_type, "ChecksumSHA256": checksum}
            url = self._presign("put_object", key, params, seconds)
            headers = {"Content-Type": upload.content_type, "x-amz-checksum-sha256": checksum}
            return Targets(single=Target(url, headers))
        upload_id = self._upload_id(key) or self._begin(upload)
        # No header to send: the browser sets the length the signature fixes.
        parts = [self._part(key, upload_id, n, size, seconds) for n, size in enumerate(self._part_sizes(upload), 1)]
        return Targets(part_size=self.part_size, parts=parts)

    def received(self, upload: PendingUpload) -> list[int]:
        key = upload.staging_key
        upload_id = self._upload_id(key) if self._in_parts(upload) else None
        if upload_id is not None:
            return sorted(self._listed_parts(key, upload_id))
        return self._all_parts(upload) if self._staged(key) else []

    def assemble(self, upload: PendingUpload, etags: dict[int, str] | None) -> None:
        """S3 lists each part's ETag: the page's own (`etags`, lost if it reloaded) are not needed."""
        key = upload.staging_key
        upload_id = self._upload_id(key) if self._in_parts(upload) else None
        if upload_id is None:
            if not self._staged(key):
                raise UploadIncomplete(self._all_parts(upload))
            return
        listed = self._listed_parts(key, upload_id)
        missing = [n for n in self._all_parts(upload) if n not in listed]
        if missing:
            raise UploadIncomplete(missing)
        parts = [{"PartNumber": n, "ETag": listed[n]} for n in sorted(listed)]
        try:
            self.client.complete_multipart_upload(
                Bucket=self.bucket, Key=key, UploadId=upload_id, MultipartUpload={"Parts": parts}
            )
        except ClientError as error:
            # Another completer (the page, or the bucket's event) joined it first.
            if _code(error) != "NoSuchUpload" or not self._staged(key):
                raise

    # --- completing --------------------------------------------------------------------------------
    @contextmanager
    def open(self, upload: PendingUpload) -> Iterator[BinaryIO]:
        """Streamed to a spooled file: a 200 MB video never sits whole in the function's memory."""
        try:
            body = self.client.get_object(Bucket=self.bucket, Key=upload.staging_key)["Body"]
        except ClientError as error:
            if _code(error) in _MISSING:
                raise UnknownUpload() from None
            raise
        with tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES, mode="w+b") as file, body:
            shutil.copyfileobj(body, file, COPY_CHUNK)
            file.seek(0)
            yield cast(BinaryIO, file)

    def publish(self, upload: PendingUpload, file: BinaryIO, photo: StoredPhoto) -> None:
        """One conditional PutObject, streamed from the file (S3 takes up to 5 GB in one). Not boto3's
        managed multipart transfer: s3transfer passes no IfNoneMatch (not even 0.19), and without it a
        second completer could overwrite the photo."""
        file.seek(0)
        self.photos.put(photo, file)

    # --- removing ----------------------------------------------------------------------------------
    def discard(self, upload: PendingUpload) -> None:
        key = upload.staging_key
        self._delete_versions(key, only=key)
        if self._in_parts(upload):
            for found_key, upload_id in self._uploads(key):
                if found_key == key:
                    self._abort(key, upload_id)

    def discard_event(self, event: str) -> int:
        prefix = f"{STAGING_PREFIX}{event}/"
        keys = self._delete_versions(prefix)
        for key, upload_id in list(self._uploads(prefix)):
            self._abort(key, upload_id)
            keys.add(key)
        return len(keys)

    # --- helpers -----------------------------------------------------------------------------------
    def _in_parts(self, upload: PendingUpload) -> bool:
        return upload.size > self.part_size

    def _part_sizes(self, upload: PendingUpload) -> list[int]:
        whole, rest = divmod(upload.size, self.part_size)
        return [self.part_size] * whole + ([rest] if rest else [])

    def _all_parts(self, upload: PendingUpload) -> list[int]:
        return list(range(1, len(self._part_sizes(upload)) + 1))

    def _presign(self, operation: str, key: str, params: dict[str, Any], seconds: int) -> str:
        # Made on first use: the dashboard, which presigns nothing, never makes one.
        presigner = self.presigner or presigning_client()
        url: str = presigner.generate_presigned_url(
            operation, Params={"Bucket": self.bucket, "Key": key, **params}, ExpiresIn=seconds, HttpMethod="PUT"
        )
        return url

    def _part(self, key: str, upload_id: str, number: int, size: int, seconds: int) -> Target:
        params = {"UploadId": upload_id, "PartNumber": number, "ContentLength": size}
        return Target(self._presign("upload_part", key, params, seconds), {})

    def _staged(self, key: str) -> bool:
        return self.photos.exists(key)

    def _begin(self, upload: PendingUpload) -> str:
        begun = self.client.create_multipart_upload(
            Bucket=self.bucket, Key=upload.staging_key, ContentType=upload.content_type
        )
        return str(begun["UploadId"])

    def _uploads(self, prefix: str) -> Iterator[tuple[str, str]]:
        """(key, upload id) of each multipart upload under `prefix`, oldest first for each key."""
        pages = self.client.get_paginator("list_multipart_uploads").paginate(Bucket=self.bucket, Prefix=prefix)
        for page in pages:
            for found in sorted(page.get("Uploads", []), key=lambda u: (u["Key"], u["Initiated"], u["UploadId"])):
                yield found["Key"], found["UploadId"]

    def _upload_id(self, key: str) -> str | None:
        """The multipart upload of this key: the oldest, should two starts have raced to begin one (the
        other's parts are then sent again: received() and assemble() look at this one only)."""
        return next((upload_id for found, upload_id in self._uploads(key) if found == key), None)

    def _listed_parts(self, key: str, upload_id: str) -> dict[int, str]:
        pages = self.client.get_paginator("list_parts").paginate(Bucket=self.bucket, Key=key, UploadId=upload_id)
        return {part["PartNumber"]: part["ETag"] for page in pages for part in page.get("Parts", [])}

    def _abort(self, key: str, upload_id: str) -> None:
        try:
            self.client.abort_multipart_upload(Bucket=self.bucket, Key=key, UploadId=upload_id)
        except ClientError as error:
            if _code(error) != "NoSuchUpload":  # aborted or completed meanwhile
                raise

    def _delete_versions(self, prefix: str, *, only: str | None = None) -> set[str]:
        """Delete every version under `prefix` (or of the key `only`): the bucket is versioned, and a
        plain delete would keep the staged bytes, location and all, as an old version for 30 days."""
        deleted: set[str] = set()
        pages = self.client.get_paginator("list_object_versions").paginate(Bucket=self.bucket, Prefix=prefix)
        # A listing page holds at most 1,000 versions, exactly what one DeleteObjects call takes.
        for page in pages:
            versions = [
                {"Key": v["Key"], "VersionId": v["VersionId"]}
                for v in [*page.get("Versions", []), *page.get("DeleteMarkers", [])]
                if only is None or v["Key"] == only
            ]
            if versions:
                self.client.delete_objects(Bucket=self.bucket, Delete={"Objects": versions, "Quiet": True})
                deleted |= {v["Key"] for v in versions}
        return deleted


def _seconds_until(expires_at: datetime) -> int:
    left = int((expires_at - datetime.now(UTC)).total_seconds())
    return max(1, min(MAX_URL_SECONDS, left))


def _code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code"))
