"""Stream a ZIP of many photos without holding it in memory or on disk.

zipfile can write to a stream it cannot seek (it then uses data descriptors), so each file goes
through in chunks and leaves as soon as it is written.
"""

import struct
import zipfile
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from typing import BinaryIO, NamedTuple

CHUNK = 1024 * 1024
# A regular file its owner may write and everyone may read (the high 16 bits are the Unix mode).
READABLE_FILE = 0o100644 << 16
UNIX = 3


class ZipEntry(NamedTuple):
    name: str
    # When the photo arrived, in the time zone the archive should show (ZIP stores wall-clock time).
    modified: datetime
    open: Callable[[], BinaryIO]


class _Pipe:
    """A write-only sink the generator drains after every write."""

    def __init__(self):
        self.chunks: list[bytes] = []

    def write(self, data: bytes) -> int:
        self.chunks.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        pass

    def drain(self) -> Iterator[bytes]:
        chunks, self.chunks = self.chunks, []
        yield from chunks


def zip_stream(entries: Iterable[ZipEntry]) -> Iterator[bytes]:
    """Yield a ZIP of the entries. Photos are already compressed: stored as is."""
    pipe = _Pipe()
    with zipfile.ZipFile(pipe, mode="w", compression=zipfile.ZIP_STORED, allowZip64=True) as archive:
        for entry in entries:
            with entry.open() as source, archive.open(_info(entry), mode="w", force_zip64=True) as target:
                while chunk := source.read(CHUNK):
                    target.write(chunk)
                    yield from pipe.drain()
            yield from pipe.drain()
    yield from pipe.drain()


def _info(entry: ZipEntry) -> zipfile.ZipInfo:
    """The entry's header: its time (not zipfile's default, 1980-01-01) and its permissions, which
    extractors apply only to an entry made on Unix (without them a photo may come out unreadable)."""
    info = zipfile.ZipInfo(entry.name, date_time=entry.modified.timetuple()[:6])
    info.create_system, info.external_attr = UNIX, READABLE_FILE
    # The exact instant too (Info-ZIP's extended timestamp, modification time only): extractors that
    # read it show the time in their own zone, whatever zone the wall-clock time was written in.
    info.extra = struct.pack("<HHBI", 0x5455, 5, 1, int(entry.modified.timestamp()))
    return info
