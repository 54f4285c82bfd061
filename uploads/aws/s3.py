"""Photo store on a private S3 bucket: encrypted, typed, never overwriting."""

from collections.abc import Iterator
from datetime import datetime
from typing import Any, BinaryIO
from urllib.parse import quote, unquote

from botocore.exceptions import ClientError

from uploads.ports import KeyExists, StoredPhoto

# A concurrent write to the same key answers ConditionalRequestConflict instead of PreconditionFailed.
_EXISTS = {"PreconditionFailed", "ConditionalRequestConflict"}


def photo_metadata(photo: StoredPhoto) -> dict[str, str]:
    """What the S3 event indexer needs to record the photo; header-safe (percent-encoded) strings."""
    return {
        "event": photo.event,
        "device": photo.device,
        "guest-name": quote(photo.guest_name),
        "sha256": photo.sha256,
        "width": str(photo.width),
        "height": str(photo.height),
        "uploaded-at": photo.uploaded_at.isoformat(),
    }


def guest_name_from_metadata(metadata: dict[str, str]) -> str:
    return unquote(metadata["guest-name"])


def stored_photo_from_object(key: str, obj: dict[str, Any]) -> StoredPhoto:
    meta = obj["Metadata"]
    return StoredPhoto(
        event=meta["event"],
        device=meta["device"],
        guest_name=guest_name_from_metadata(meta),
        key=key,
        content_type=obj["ContentType"],
        size=obj["ContentLength"],
        width=int(meta["width"]),
        height=int(meta["height"]),
        sha256=meta["sha256"],
        uploaded_at=datetime.fromisoformat(meta["uploaded-at"]),
    )


def accept_if_none_match(client: Any) -> None:
    """Let `put_object(IfNoneMatch=...)` work on a botocore older than S3's conditional writes (1.35).

    The guest function runs on the SDK its Lambda runtime bundles, which may not know the parameter
    and would refuse the call; S3 honours the header whatever the SDK. So the value travels in the
    request context and becomes the header, on the puts that ask for it only.
    """
    put = client.meta.service_model.operation_model("PutObject")
    if "IfNoneMatch" in put.input_shape.members:
        return
    # unique_id: registering again on the same client (another store sharing it) is a no-op.
    client.meta.events.register(
        "provide-client-params.s3.PutObject", _if_none_match_to_context, unique_id="photoshare-if-none-match-param"
    )
    client.meta.events.register(
        "before-call.s3.PutObject", _if_none_match_to_header, unique_id="photoshare-if-none-match-header"
    )


def _if_none_match_to_context(params: dict[str, Any], context: dict[str, Any], **kwargs: object) -> None:
    if "IfNoneMatch" in params:
        context["photoshare_if_none_match"] = params.pop("IfNoneMatch")


def _if_none_match_to_header(params: dict[str, Any], context: dict[str, Any], **kwargs: object) -> None:
    if "photoshare_if_none_match" in context:
        params["headers"]["If-None-Match"] = context["photoshare_if_none_match"]


class S3PhotoStore:
    def __init__(self, client: Any, bucket: str):
        self.client = client
        self.bucket = bucket
        accept_if_none_match(client)

    def put(self, photo: StoredPhoto, data: bytes | BinaryIO) -> None:
        # A file streams from where it stands (a direct upload publishes its staged file).
        try:
            self.client.put_object(
                Bucket=self.bucket,
                Key=photo.key,
                Body=data,
                ContentType=photo.content_type,
                ServerSideEncryption="AES256",
                Metadata=photo_metadata(photo),
                # S3's conditional write: fails if the key exists, so nothing is ever overwritten.
                IfNoneMatch="*",
            )
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in _EXISTS:
                raise KeyExists() from None
            raise

    def exists(self, key: str) -> bool:
        try:
            self.client.head_object(Bucket=self.bucket, Key=key)
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in {"404", "NoSuchKey", "NotFound"}:
                return False
            raise
        return True

    def read(self, key: str) -> bytes:
        data: bytes = self.client.get_object(Bucket=self.bucket, Key=key)["Body"].read()
        return data

    def fetch(self, key: str) -> tuple[StoredPhoto, bytes]:
        """The photo as the guest path stored it, from its object's metadata, with its bytes."""
        obj = self.client.get_object(Bucket=self.bucket, Key=key)
        return stored_photo_from_object(key, obj), obj["Body"].read()

    def describe(self, key: str) -> StoredPhoto:
        """The photo or video as stored, from its object's metadata alone: a video is never downloaded."""
        return stored_photo_from_object(key, self.client.head_object(Bucket=self.bucket, Key=key))

    def delete(self, key: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=key)

    def delete_prefix(self, prefix: str) -> int:
        deleted = 0
        pages = self.client.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=prefix)
        # A listing page holds at most 1,000 keys, exactly what one DeleteObjects call takes.
        for page in pages:
            keys = [{"Key": item["Key"]} for item in page.get("Contents", [])]
            if keys:
                self.client.delete_objects(Bucket=self.bucket, Delete={"Objects": keys, "Quiet": True})
                deleted += len(keys)
        return deleted

    def keys(self, prefix: str) -> Iterator[str]:
        for page in self.client.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=prefix):
            yield from (item["Key"] for item in page.get("Contents", []))

    def remove_partial(self, prefix: str, older_than: datetime) -> int:
        # A PutObject is stored whole or not at all: a request that dies mid-upload leaves nothing.
        return 0


class IndexedByBucketEvents:
    """PhotoRecorder for S3: nothing to do here, the bucket's ObjectCreated event indexes the photo."""

    def record(self, photo: StoredPhoto) -> None:
        return None
