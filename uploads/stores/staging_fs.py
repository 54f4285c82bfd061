"""Direct uploads staged on the local disk: the bytes a phone PUTs to the local server's signed URLs
(uploads/local_put.py) wait in the photos folder's `_incoming/`, on the photo store's own filesystem, so
publishing one is a hard link.

A staged upload is one file, `<photos>/_incoming/<event>/<device>/<sha256>.<token>`: every part is
written at its offset, so there is nothing to join. Beside it, `<name>.part-<n>` (holding the part's
ETag) says part n arrived whole and reached the disk, and `<name>.sealed` that its completion began.
"""

import fcntl
import hmac
import os
import secrets
import shutil
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import BinaryIO
from urllib.parse import quote, urlencode

from uploads.ports import (
    STAGING_PREFIX,
    BadRequest,
    PendingUpload,
    StoredPhoto,
    Target,
    Targets,
    UnknownUpload,
    UploadIncomplete,
    UploadInProgress,
    WrongKey,
)
from uploads.stores.filesystem import FileSystemPhotoStore

# Larger files go in parts of this size: see README "Direct uploads" for the choice.
PART_SIZE = 8 * 1024 * 1024
# The request body is read and written this much at a time: memory stays flat whatever the size.
CHUNK = 1024 * 1024
# The sweep deletes staged bytes untouched this long: far beyond any claim's life (see remove_leftovers).
STAGED_LEFTOVER_AGE = timedelta(days=1)
PART = ".part-"
SEALED = ".sealed"

# Signs a URL's message (a keyed HMAC, hex): the server's secret never reaches this module.
Sign = Callable[[str], str]


class ForgedUrl(WrongKey):
    message = "This upload URL is not valid: it expired or was changed. Ask for fresh URLs and send again."


@dataclass(frozen=True)
class Grant:
    """What one signed URL lets its holder send: the whole file (`part` None) or one part of it, of
    exactly `length` bytes at `offset` in the staged file, until `expires` (Unix seconds)."""

    upload_id: str
    device: str
    size: int
    part: int | None
    part_size: int
    expires: int

    @property
    def offset(self) -> int:
        return 0 if self.part is None else (self.part - 1) * self.part_size

    @property
    def length(self) -> int:
        return self.size if self.part is None else min(self.part_size, self.size - self.offset)

    @property
    def upload(self) -> PendingUpload:
        """The upload as far as its staging goes (a PUT knows no content type, and needs none)."""
        event, fingerprint, token = self.upload_id.rsplit(".", 2)
        expires_at = datetime.fromtimestamp(self.expires, UTC)
        return PendingUpload(event, self.device, fingerprint, token, self.size, "", expires_at)

    def message(self) -> str:
        # "whole", not a number: no part number a client writes in can pass for a whole-file URL.
        part = "whole" if self.part is None else self.part
        fields = (self.upload_id, self.device, self.size, part, self.part_size, self.expires)
        return "\n".join(str(field) for field in fields)

    def url(self, sign: Sign) -> str:
        # Relative: it is the server the phone already reached, under whichever address it used.
        query: dict[str, object] = {"deviceId": self.device, "size": self.size}
        if self.part is not None:
            query |= {"part": self.part, "partSize": self.part_size}
        query |= {"expires": self.expires, "sig": sign(self.message())}
        return f"/api/uploads/{quote(self.upload_id)}/data?{urlencode(query)}"

    @classmethod
    def verified(cls, upload_id: str, query: Mapping[str, str], sign: Sign) -> "Grant":
        """The grant a URL's path and query carry, if the server signed it and it has not expired;
        else ForgedUrl (whatever was changed, nothing says what)."""
        try:
            part = int(query["part"]) if "part" in query else None
            grant = cls(
                upload_id,
                query["deviceId"],
                int(query["size"]),
                part,
                int(query["partSize"]) if part is not None else 0,
                int(query["expires"]),
            )
            signed = hmac.compare_digest(sign(grant.message()), query["sig"])
        except (KeyError, ValueError, TypeError):
            raise ForgedUrl() from None
        if not signed or grant.expires < time.time():
            raise ForgedUrl()
        return grant


class FileSystemStaging:
    """`photos` is the photo store the uploads are published to; `sign` keys the URLs (the Django side
    gives an HMAC on its secret key)."""

    def __init__(self, photos: FileSystemPhotoStore, sign: Sign, *, part_size: int = PART_SIZE):
        self.photos = photos
        self.sign = sign
        self.part_size = part_size

    def targets(self, upload: PendingUpload) -> Targets:
        # The staged file exists from the start on, and only PUTs to an existing one are taken: a URL
        # replayed after its upload was completed, refused or given back stages nothing.
        path = self._path(upload)
        path.parent.mkdir(parents=True, exist_ok=True)
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))
        headers = {"Content-Type": upload.content_type}
        if upload.size <= self.part_size:
            return Targets(single=Target(self._grant(upload, None).url(self.sign), headers))
        parts = [self._grant(upload, n).url(self.sign) for n in range(1, self._part_count(upload) + 1)]
        return Targets(part_size=self.part_size, parts=[Target(url, headers) for url in parts])

    def receive(self, grant: Grant, read: Callable[[int], bytes]) -> str:
        """Write the bytes `grant` allows, read from the request body by `read(at_most)`, at their
        offset; mark them received once whole on the disk. Returns their ETag, a receipt for this PUT.

        The bytes are not hashed here: completion checks the whole file's SHA-256 anyway (a file sent
        whole with other bytes is refused there, 400 wrong_bytes, its slot given back), and hashing each
        PUT as well cost an eighth of its CPU (README, P1b). A body that ends early is marked nothing
        (BadRequest), so it is sent again."""
        path = self._path(grant.upload)
        self.photos.ensure_room(path.parent, grant.length)
        try:
            fd = os.open(path, os.O_RDWR)
        except FileNotFoundError:
            raise UnknownUpload() from None
        try:
            # Shared with the other parts' writers, exclusive to the completion (see `open`).
            fcntl.flock(fd, fcntl.LOCK_SH)
            if _with_suffix(path, SEALED).exists() or not _still_named(fd, path):
                raise UnknownUpload()
            _write(fd, grant, read)
            os.fsync(fd)
            etag = secrets.token_hex(8)
            # After the bytes reach the disk: a marker never vouches for a part a crash cut short. Not
            # itself synced: a marker lost in a crash only has its part sent again.
            _with_suffix(path, f"{PART}{grant.part or 1}").write_text(etag)
        finally:
            os.close(fd)
        return etag

    def received(self, upload: PendingUpload) -> list[int]:
        path = self._path(upload)
        return sorted(int(marker.suffix[len(PART) :]) for marker in path.parent.glob(f"{path.name}{PART}*"))

    def assemble(self, upload: PendingUpload, etags: dict[int, str] | None) -> None:
        # The ETags are not compared: completion checks the whole file's SHA-256, which says more.
        missing = sorted(set(range(1, self._part_count(upload) + 1)) - set(self.received(upload)))
        if missing:
            raise UploadIncomplete(missing)

    @contextmanager
    def open(self, upload: PendingUpload) -> Iterator[BinaryIO]:
        path = self._path(upload)
        try:
            file = path.open("r+b")
        except FileNotFoundError:
            raise UnknownUpload() from None
        with file:
            try:
                fcntl.flock(file.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise UploadInProgress() from None
            # No PUT writes into it from now on (they check the seal under their shared lock): the
            # bytes checked and blanked are the bytes published, which share this file's inode.
            _with_suffix(path, SEALED).touch()
            yield file

    def publish(self, upload: PendingUpload, file: BinaryIO, photo: StoredPhoto) -> None:
        file.flush()
        os.fsync(file.fileno())
        # A hard link adds no bytes, but a disk already below the floor takes no photo (as `put`).
        self.photos.ensure_room(self.photos.path(photo.key).parent, 0)
        self.photos.link(self._path(upload), photo.key)

    def discard(self, upload: PendingUpload) -> None:
        self._remove(self._path(upload))

    def discard_event(self, event: str) -> int:
        folder = self.photos.path(f"{STAGING_PREFIX}{event}")
        if not folder.is_dir():
            return 0
        staged = sum(1 for p in folder.rglob("*") if p.is_file() and not _is_marker(p))
        shutil.rmtree(folder, ignore_errors=True)
        return staged

    def remove_leftovers(self, older_than: datetime) -> int:
        """The sweep's: delete staged files and markers untouched since `older_than` (a day ago), left
        by uploads never completed nor discarded (the server stopped between). Returns how many uploads.

        None of them has a live claim: a claim expires its URL lifetime (at most 15 minutes) plus a
        minute after it starts, and every part written touches its file."""
        folder = self.photos.path(STAGING_PREFIX.rstrip("/"))
        cutoff = older_than.timestamp()
        removed = 0
        for staged in folder.rglob("*") if folder.is_dir() else []:
            try:
                if staged.is_file() and staged.stat().st_mtime < cutoff:
                    staged.unlink()
                    removed += not _is_marker(staged)
            except FileNotFoundError:
                continue  # discarded meanwhile
        return removed

    def _grant(self, upload: PendingUpload, part: int | None) -> Grant:
        part_size = 0 if part is None else self.part_size
        expires = int(upload.expires_at.timestamp())
        return Grant(upload.upload_id, upload.device, upload.size, part, part_size, expires)

    def _path(self, upload: PendingUpload) -> Path:
        return self.photos.path(upload.staging_key)

    def _part_count(self, upload: PendingUpload) -> int:
        return max(1, -(-upload.size // self.part_size))

    def _remove(self, path: Path) -> None:
        for leftover in [path, *path.parent.glob(f"{path.name}.*")]:
            leftover.unlink(missing_ok=True)


def _write(fd: int, grant: Grant, read: Callable[[int], bytes]) -> None:
    offset, left = grant.offset, grant.length
    while left:
        chunk = read(min(CHUNK, left))
        if not chunk:
            raise BadRequest(f"The body ended {left} bytes short of its Content-Length: nothing was kept.")
        os.pwrite(fd, chunk, offset)
        offset += len(chunk)
        left -= len(chunk)


def _with_suffix(path: Path, suffix: str) -> Path:
    return path.with_name(path.name + suffix)


def _still_named(fd: int, path: Path) -> bool:
    """Whether the file open as `fd` is still the one at `path` (not discarded, nor replaced since)."""
    try:
        return os.path.samestat(os.fstat(fd), path.stat())
    except FileNotFoundError:
        return False


def _is_marker(path: Path) -> bool:
    return path.suffix == SEALED or path.suffix.startswith(PART)
