"""Photo store on the local disk: atomic, never-overwriting writes under one root folder."""

import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path

from uploads.ports import KeyExists, StorageFull, StoredPhoto

# Bytes are written under this name first and linked to their key once whole.
PARTIAL_PREFIX = ".incoming-"
# The dashboard warns its organizers once free space is below this many times the floor.
LOW_SPACE_FACTOR = 2


def disk_free_bytes(path: Path) -> int:
    """Bytes an unprivileged process may still write on the disk that holds `path` (once it exists)."""
    while not path.exists():
        path = path.parent
    return shutil.disk_usage(path).free


class FileSystemPhotoStore:
    """`min_free_bytes` is the floor: a put that would leave less free space on the disk is refused,
    so a flood of photos cannot fill the disk the database and the server also need."""

    def __init__(self, root: Path, *, min_free_bytes: int = 0, free_bytes: Callable[[Path], int] = disk_free_bytes):
        self.root = Path(root).resolve()
        self.min_free_bytes = min_free_bytes
        self.free_bytes = free_bytes

    def running_low(self) -> bool:
        """Free space is close to the floor: uploads will soon be refused."""
        return self.free_bytes(self.root) < LOW_SPACE_FACTOR * self.min_free_bytes

    def path(self, key: str) -> Path:
        parts = key.split("/")
        if any(part in ("", ".", "..") or "\\" in part for part in parts):
            raise ValueError(f"unsafe storage key {key!r}")
        return self.root.joinpath(*parts)

    def ensure_room(self, folder: Path, size: int) -> None:
        """Raise StorageFull unless `size` more bytes in `folder` leave the floor free."""
        # Checked before anything is created; concurrent writes may each pass it, overshooting the floor
        # by at most one photo each, which the floor's margin absorbs.
        if self.free_bytes(folder) - size < self.min_free_bytes:
            raise StorageFull()

    def put(self, photo: StoredPhoto, data: bytes) -> None:
        target = self.path(photo.key)
        self.ensure_room(target.parent, len(data))
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, temp = tempfile.mkstemp(dir=target.parent, prefix=PARTIAL_PREFIX)
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(data)
                out.flush()
                os.fsync(out.fileno())
            self.link(Path(temp), photo.key)
        finally:
            os.unlink(temp)

    def link(self, whole: Path, key: str) -> None:
        """Give the file `whole`, already on the disk, the new name `key` as well: raises KeyExists
        rather than overwrite."""
        target = self.path(key)
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            # link() fails if the name exists, where rename() would silently replace it.
            os.link(whole, target)
        except FileExistsError:
            raise KeyExists() from None
        fsync_dir(target.parent)

    def exists(self, key: str) -> bool:
        # Only whole photos have their final name: put() links it after the bytes reach the disk.
        return self.path(key).is_file()

    def read(self, key: str) -> bytes:
        return self.path(key).read_bytes()

    def delete(self, key: str) -> None:
        self.path(key).unlink(missing_ok=True)

    def delete_prefix(self, prefix: str) -> int:
        folder = self.path(prefix.rstrip("/"))
        if not folder.is_dir():
            return 0
        deleted = sum(1 for p in folder.rglob("*") if p.is_file())
        shutil.rmtree(folder)
        return deleted

    def keys(self, prefix: str) -> Iterator[str]:
        folder = self.path(prefix.rstrip("/"))
        for file in sorted(folder.rglob("*")) if folder.is_dir() else []:
            if file.is_file() and not file.name.startswith(PARTIAL_PREFIX):
                yield file.relative_to(self.root).as_posix()

    def remove_partial(self, prefix: str, older_than: datetime) -> int:
        # A write lasts milliseconds (the request's bytes are already in memory): an older temporary
        # file belongs to a request that was killed between writing it and linking it.
        folder = self.path(prefix.rstrip("/"))
        cutoff = older_than.timestamp()
        removed = 0
        for partial in folder.rglob(f"{PARTIAL_PREFIX}*") if folder.is_dir() else []:
            try:
                if partial.stat().st_mtime < cutoff:
                    partial.unlink()
                    removed += 1
            except FileNotFoundError:
                continue  # removed meanwhile: its request finished, or another sweep came first
        return removed


def fsync_dir(path: Path) -> None:
    # The new name is only durable once its directory entry reaches the disk.
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
