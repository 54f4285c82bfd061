"""ZIP exports on AWS: a Lambda response is capped near 6 MB, so "download all" cannot stream there.

The dashboard function asks itself (Zappa's `command` invocation) to build the ZIP, which is streamed
from the originals into an S3 multipart upload, so memory stays flat for any event size.
"""

from collections.abc import Iterator
from typing import BinaryIO

from boto3.s3.transfer import TransferConfig

from uploads.aws import background, clients
from uploads.aws.links import attachment, presigning_storage

# Two 8 MB parts in flight at most: a 2 GB export still fits in a small function's memory. From a stream
# it cannot seek, s3transfer would otherwise read up to ten parts ahead of a slow upload (80 MB more).
_TRANSFER = TransferConfig(multipart_chunksize=8 * 1024 * 1024, max_concurrency=2)
_TRANSFER.max_in_memory_upload_chunks = 2


class _GeneratorReader:
    """The file-like object upload_fileobj wants, reading from the ZIP generator."""

    def __init__(self, chunks: Iterator[bytes]):
        # A bytearray grows in place and drops its head without a copy; bytes += chunk copied the
        # whole part again for every chunk (36 MB of copying per 8 MB part).
        self.chunks, self.buffer = chunks, bytearray()

    def read(self, size: int = -1) -> bytes:
        while size < 0 or len(self.buffer) < size:
            chunk = next(self.chunks, None)
            if chunk is None:
                break
            self.buffer += chunk
        size = len(self.buffer) if size < 0 else size
        with memoryview(self.buffer) as view:
            data = view[:size].tobytes()
        del self.buffer[:size]
        return data


class BackgroundZips:
    in_background = True

    def __init__(self, s3: clients.Client, bucket: str):
        self.s3, self.bucket = s3, bucket

    def start(self, payload: dict[str, object]) -> None:
        """Build the ZIP in another invocation of this function (uploads/aws/background.py)."""
        background.start(payload)

    def link(self, key: str) -> str:
        """A presigned download of the finished ZIP, named after its key."""
        storage = presigning_storage(self.bucket)
        return str(storage.url(key, parameters=attachment(key.rsplit("/", 1)[1])))

    def open(self, key: str) -> BinaryIO:
        body: BinaryIO = self.s3.get_object(Bucket=self.bucket, Key=key)["Body"]
        return body

    def write(self, key: str, chunks: Iterator[bytes]) -> int:
        """Upload the ZIP as it is produced; returns its size."""
        self.s3.upload_fileobj(
            _GeneratorReader(chunks),
            self.bucket,
            key,
            ExtraArgs={"ContentType": "application/zip", "ServerSideEncryption": "AES256"},
            Config=_TRANSFER,
        )
        return int(self.s3.head_object(Bucket=self.bucket, Key=key)["ContentLength"])
