"""Photo store on a private S3 bucket: encrypted, typed, never overwriting."""

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


class S3PhotoStore:
    def __init__(self, client, bucket: str):
        self.client = client
        self.bucket = bucket

    def put(self, photo: StoredPhoto, data: bytes) -> None:
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

    def delete(self, key: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=key)


class IndexedByBucketEvents:
    """PhotoRecorder for S3: nothing to do here, the bucket's ObjectCreated event indexes the photo."""

    def record(self, photo: StoredPhoto, data: bytes) -> None:
        return None
