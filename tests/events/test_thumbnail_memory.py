"""A thumbnail's memory is bounded, whatever the photo: hostile files of every format are rendered in a
fresh process, whose peak resident memory (VmHWM) is read after the render.

The files sit at each format's pixel cap (the worst a stored photo can be), or claim far more in a few
bytes (refused before any decoding). tests/samples/solid-48mp.heic is an 8064 x 6048 solid HEIC made
with pillow-heif (25 s to encode, so it is kept rather than made here).
"""

import io
import json
import struct
import subprocess
import sys
import zlib
from pathlib import Path

import pytest
from PIL import Image

from tests.conftest import SAMPLES, png_claiming

# Decoding in fresh processes: no database involved, so the PostgreSQL pass leaves it out.
pytestmark = pytest.mark.one_database

# What one render may add to a process's own memory (README, "Guarantees").
RENDER_BOUND = 450 * 2**20
ROOT = Path(__file__).resolve().parents[2]

# Renders the file `copies` times at once on threads, then reports the process's memory.
RENDER = """
import sys, threading
from events.thumbnails import render_thumbnail

def status(field):
    return next(int(l.split()[1]) * 1024 for l in open("/proc/self/status") if l.startswith(field))

data, copies = open(sys.argv[1], "rb").read(), int(sys.argv[2])
before, outcomes = status("VmRSS:"), []

def render():
    try:
        render_thumbnail(data)
        outcomes.append("rendered")
    except Exception as error:
        outcomes.append(type(error).__name__)

threads = [threading.Thread(target=render) for _ in range(copies)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
print(sorted(set(outcomes)), status("VmHWM:") - before)
"""


def solid_png(width: int, height: int) -> bytes:
    """An RGBA PNG of one colour: 4 bytes a pixel decoded, a few hundred KB stored."""
    row, packer = bytes(1 + 4 * width), zlib.compressobj(9, zlib.DEFLATED, 15, 9, zlib.Z_RLE)
    pixels = b"".join(packer.compress(row) for _ in range(height)) + packer.flush()
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + b"".join(
        struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        for kind, body in [(b"IHDR", ihdr), (b"IDAT", pixels), (b"IEND", b"")]
    )


def saved(image: Image.Image, fmt: str, **options) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, fmt, **options)
    return buffer.getvalue()


def claiming(data: bytes, old: bytes, new: bytes) -> bytes:
    """`data` with its size field `old` replaced by `new` (a header that lies about the pixels)."""
    assert data.count(old) == 1
    return data.replace(old, new)


HEIC = (SAMPLES / "solid-48mp.heic").read_bytes()
HEIC_SIZE = b"ispe" + bytes(4) + struct.pack(">II", 8064, 6048)

FILES = {
    # at the caps: decoded, and measured
    "png-50mp-rgba": lambda: solid_png(8000, 6250),
    "webp-25mp-rgba-lossless": lambda: saved(Image.new("RGBA", (5000, 5000), (9, 99, 199, 9)), "WEBP", lossless=True),
    "heic-48mp": lambda: HEIC,
    "jpeg-100mp-baseline": lambda: saved(Image.new("RGB", (10_000, 10_000), "teal"), "JPEG", quality=10),
    "jpeg-49mp-progressive-444": lambda: saved(
        Image.new("RGB", (7000, 7000), "teal"), "JPEG", quality=10, progressive=True, subsampling=0
    ),
    # bombs, refused before decoding: their headers are all that is read
    "png-144mp-bomb": lambda: png_claiming(12_000, 12_000),  # the issue's: 1.2 GB before the caps
    "webp-268mp-bomb": lambda: claiming(
        saved(Image.new("RGB", (64, 48)), "WEBP"),
        b"\x9d\x01\x2a" + struct.pack("<HH", 64, 48),
        b"\x9d\x01\x2a" + struct.pack("<HH", 16383, 16383),
    ),
    "heic-900mp-bomb": lambda: claiming(HEIC, HEIC_SIZE, HEIC_SIZE[:8] + struct.pack(">II", 30_000, 30_000)),
    "jpeg-100mp-progressive-444-bomb": lambda: claiming(
        saved(Image.new("RGB", (64, 64)), "JPEG", progressive=True, subsampling=0),
        b"\xff\xc2\x00\x11\x08\x00\x40\x00\x40",
        b"\xff\xc2\x00\x11\x08" + struct.pack(">HH", 10_000, 10_000),
    ),
}
REFUSED = {name for name in FILES if name.endswith("-bomb")}


def render_in_a_fresh_process(tmp_path: Path, data: bytes, copies: int = 1) -> tuple[list[str], int]:
    photo = tmp_path / "photo"
    photo.write_bytes(data)
    done = subprocess.run(
        [sys.executable, "-c", RENDER, str(photo), str(copies)], cwd=ROOT, capture_output=True, text=True, check=True
    )
    outcomes, grown = done.stdout.rsplit("]", 1)
    return json.loads(outcomes.replace("'", '"') + "]"), int(grown)


@pytest.mark.parametrize("name", FILES)
def test_a_render_stays_within_the_memory_bound(tmp_path, name):
    outcomes, grown = render_in_a_fresh_process(tmp_path, FILES[name]())
    assert outcomes == (["TooLarge"] if name in REFUSED else ["rendered"])
    assert grown < RENDER_BOUND, f"{grown / 2**20:.0f} MiB"
    if name in REFUSED:
        assert grown < 16 * 2**20  # refused from the header: nothing was decoded


def test_four_renders_at_once_in_one_process_take_one_renders_memory(tmp_path):
    # 20 MP RGBA: about 160 MiB each, so four side by side (without the lock) would break the bound.
    outcomes, grown = render_in_a_fresh_process(tmp_path, solid_png(5000, 4000), copies=4)
    assert outcomes == ["rendered"]
    assert grown < RENDER_BOUND, f"{grown / 2**20:.0f} MiB"
