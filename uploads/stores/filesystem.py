"""Photo store on the local disk: atomic, never-overwriting writes under one root folder."""

import os
import shutil
import tempfile
from datetime import datetime
from pathlib import Path

from uploads.ports import KeyExists, StoredPhoto

# Bytes are written under this name first and linked to their key once whole.
PARTIAL_PREFIX = ".incoming-"


class FileSystemPhotoStore:
    def __init__(self, root: Path):
        self.root = Path(root).resolve()

    def path(self, key: str) -> Path:
        parts = key.split("/")
        if any(part in ("", ".", "..") or "\\" in part for part in parts):
            raise ValueError(f"unsafe storage key {key!r}")
        return self.root.joinpath(*parts)

    def put(self, photo: StoredPhoto, data: bytes) -> None:
        target = self.path(photo.key)
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, temp = tempfile.mkstemp(dir=target.parent, prefix=PARTIAL_PREFIX)
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(data)
                out.flush()
                os.fsync(out.fileno())
            # link() fails if the name exists, where rename() would silently replace it.
            os.link(temp, target)
        except FileExistsError:
            raise KeyExists() from None
        finally:
            os.unlink(temp)
        _fsync_dir(target.parent)

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


def _fsync_dir(path: Path) -> None:
    # The new name is only durable once its directory entry reaches the disk.
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
