"""The ZIP of a whole event is streamed: memory stays that of one chunk, whatever the size of the event."""

import io
import os
import stat
import struct
import subprocess
import sys
import zipfile
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from events.zipstream import CHUNK, ZipEntry, zip_stream

# The same whatever DATABASE_URL says: the PostgreSQL pass leaves it out.
pytestmark = pytest.mark.one_database


ROOT = Path(__file__).resolve().parents[2]
# Even seconds: a ZIP's wall-clock time counts seconds in twos.
WEDDING = datetime(2026, 6, 13, 15, 42, 8, tzinfo=timezone(timedelta(hours=2)))


class CountingSource(io.BytesIO):
    """A photo that tells how much of it the stream has read."""

    read_so_far = 0

    def read(self, size: int = -1) -> bytes:
        data = super().read(size)
        CountingSource.read_so_far += len(data)
        return data


def test_it_never_reads_more_than_a_chunk_ahead_of_what_it_has_yielded():
    photos = {f"event/guest/{n}.jpg": os.urandom(3 * CHUNK + n) for n in range(3)}
    CountingSource.read_so_far = 0
    yielded, pieces = 0, []
    entries = (ZipEntry(name, WEDDING, lambda data=data: CountingSource(data)) for name, data in photos.items())
    for piece in zip_stream(entries):
        yielded += len(piece)
        pieces.append(piece)
        assert CountingSource.read_so_far - yielded <= CHUNK
    archive = zipfile.ZipFile(io.BytesIO(b"".join(pieces)))
    assert {name: archive.read(name) for name in archive.namelist()} == photos


# Three 64 MB files: buffering one of them, or the archive, would show as 64 MB or more.
PEAK = """
import sys
from pathlib import Path
from events.zipstream import zip_stream

def peak_mb():
    [kb] = (line.split()[1] for line in open("/proc/self/status") if line.startswith("VmHWM:"))
    return int(kb) / 1024

before = peak_mb()
from datetime import datetime, timezone
from events.zipstream import ZipEntry
taken = datetime(2026, 6, 13, tzinfo=timezone.utc)
for _ in zip_stream(ZipEntry(p.name, taken, lambda p=p: open(p, "rb")) for p in sorted(Path(sys.argv[1]).iterdir())):
    pass
print(peak_mb() - before)
"""


def test_it_zips_three_64_mb_photos_in_a_few_mb_of_memory(tmp_path):
    for n in range(3):
        with open(tmp_path / f"{n}.jpg", "wb") as photo:
            for _ in range(64):
                photo.write(os.urandom(CHUNK))
    # A process of its own: its peak (VmHWM, of its own address space) is the stream's alone.
    out = subprocess.run(
        [sys.executable, "-c", PEAK, str(tmp_path)], cwd=ROOT, check=True, capture_output=True, text=True
    )
    assert float(out.stdout) <= 16


def zipped(*entries: ZipEntry) -> zipfile.ZipFile:
    return zipfile.ZipFile(io.BytesIO(b"".join(zip_stream(entries))))


def test_each_entry_carries_its_photos_time_and_is_readable_by_all():
    archive = zipped(
        ZipEntry("wedding/carla/1.jpg", WEDDING, lambda: io.BytesIO(b"photo 1")),
        ZipEntry("wedding/dan/2.mp4", WEDDING + timedelta(days=1), lambda: io.BytesIO(b"video 2")),
    )
    first, second = archive.infolist()
    assert first.date_time == (2026, 6, 13, 15, 42, 8)
    assert second.date_time == (2026, 6, 14, 15, 42, 8)
    for entry in (first, second):
        assert entry.create_system == 3  # Unix, so extractors apply the mode
        assert stat.S_ISREG(entry.external_attr >> 16)
        assert stat.S_IMODE(entry.external_attr >> 16) == 0o644


def test_each_entry_carries_the_exact_instant_for_extractors_in_another_zone():
    [entry] = zipped(ZipEntry("wedding/carla/1.jpg", WEDDING, lambda: io.BytesIO(b"photo"))).infolist()
    # Info-ZIP's extended timestamp: tag 0x5455, flags (bit 0: modification time), Unix seconds.
    at = entry.extra.index(struct.pack("<H", 0x5455))
    _, _, flags, seconds = struct.unpack("<HHBI", entry.extra[at : at + 9])
    assert flags & 1 and datetime.fromtimestamp(seconds, UTC) == WEDDING


def test_unzip_extracts_a_photo_readable_by_all_at_the_exact_time_it_arrived(tmp_path):
    archive = tmp_path / "photos.zip"
    archive.write_bytes(b"".join(zip_stream([ZipEntry("carla/1.jpg", WEDDING, lambda: io.BytesIO(b"photo"))])))
    # A strict umask: what unzip then writes is what the archive says, not what the umask allows.
    subprocess.run(["sh", "-c", f"umask 077 && unzip -q {archive} -d {tmp_path / 'out'}"], check=True)
    extracted = (tmp_path / "out" / "carla" / "1.jpg").stat()
    assert stat.S_IMODE(extracted.st_mode) == 0o644
    assert extracted.st_mtime == WEDDING.timestamp()
