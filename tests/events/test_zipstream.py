"""The ZIP of a whole event is streamed: memory stays that of one chunk, whatever the size of the event."""

import io
import os
import subprocess
import sys
import zipfile
from pathlib import Path

from events.zipstream import CHUNK, zip_stream

ROOT = Path(__file__).resolve().parents[2]


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
    for piece in zip_stream((name, lambda data=data: CountingSource(data)) for name, data in photos.items()):
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
for _ in zip_stream((p.name, lambda p=p: open(p, "rb")) for p in sorted(Path(sys.argv[1]).iterdir())):
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
