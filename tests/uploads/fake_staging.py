"""An in-memory StagingStore for fast tests of uploads/direct.py, with a switch to make each step fail."""

import io
from collections.abc import Iterator
from contextlib import contextmanager
from typing import BinaryIO

from uploads.ports import PendingUpload, PhotoStore, StoredPhoto, Target, Targets, UnknownUpload, UploadIncomplete

PART_SIZE = 1024


class FakeStaging:
    """Parts are kept by number until `assemble` joins them; `publish` puts the bytes in `photos`."""

    def __init__(self, photos: PhotoStore, *, part_size: int = PART_SIZE):
        self.photos = photos
        self.part_size = part_size
        self.parts: dict[str, dict[int, bytes]] = {}
        self.staged: dict[str, bytes] = {}
        # A step's name -> the exception it raises (fault injection).
        self.failures: dict[str, Exception] = {}

    def send(self, upload: PendingUpload, data: bytes, part: int = 1) -> None:
        """What the phone's PUT does: one part's bytes (the whole file for a single request)."""
        self.parts.setdefault(upload.staging_key, {})[part] = data

    def send_all(self, upload: PendingUpload, data: bytes) -> None:
        size = self.part_size if upload.size > self.part_size else max(len(data), 1)
        for number, start in enumerate(range(0, len(data), size), start=1):
            self.send(upload, data[start : start + size], number)

    def _fail(self, step: str) -> None:
        if step in self.failures:
            raise self.failures[step]

    def targets(self, upload: PendingUpload) -> Targets:
        self._fail("targets")
        url = f"https://staging.test/{upload.staging_key}"
        if upload.size <= self.part_size:
            return Targets(single=Target(url, {"x-checksum": upload.fingerprint}))
        count = -(-upload.size // self.part_size)
        return Targets(part_size=self.part_size, parts=[Target(f"{url}?part={n}", {}) for n in range(1, count + 1)])

    def received(self, upload: PendingUpload) -> list[int]:
        if upload.staging_key in self.staged:
            return list(range(1, self._count(upload) + 1))
        return sorted(self.parts.get(upload.staging_key, {}))

    def _count(self, upload: PendingUpload) -> int:
        return 1 if upload.size <= self.part_size else -(-upload.size // self.part_size)

    def assemble(self, upload: PendingUpload, etags: dict[int, str] | None) -> None:
        self._fail("assemble")
        if upload.staging_key in self.staged:
            return
        parts = self.parts.get(upload.staging_key, {})
        missing = [n for n in range(1, self._count(upload) + 1) if n not in parts]
        if missing:
            raise UploadIncomplete(missing)
        self.staged[upload.staging_key] = b"".join(parts[n] for n in sorted(parts))
        del self.parts[upload.staging_key]

    @contextmanager
    def open(self, upload: PendingUpload) -> Iterator[BinaryIO]:
        if upload.staging_key not in self.staged:
            raise UnknownUpload()
        file = io.BytesIO(self.staged[upload.staging_key])
        yield file
        if upload.staging_key in self.staged:
            self.staged[upload.staging_key] = file.getvalue()

    def publish(self, upload: PendingUpload, file: BinaryIO, photo: StoredPhoto) -> None:
        self._fail("publish")
        self.photos.put(photo, file.read())

    def discard(self, upload: PendingUpload) -> None:
        self._fail("discard")
        self.parts.pop(upload.staging_key, None)
        self.staged.pop(upload.staging_key, None)

    def discard_event(self, event: str) -> int:
        keys = [key for key in {*self.parts, *self.staged} if key.split("/")[1] == event]
        for key in keys:
            self.parts.pop(key, None)
            self.staged.pop(key, None)
        return len(keys)

    def holds(self, upload: PendingUpload) -> bool:
        return upload.staging_key in self.parts or upload.staging_key in self.staged
