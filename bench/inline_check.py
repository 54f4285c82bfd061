"""The CPU part of completing a direct upload within a request, by size: what S3Staging.open does with
the object's bytes (spooled to a temporary file), what DirectUploads checks (SHA-256, the video's boxes,
the location blanked in place) and publishing reading it back. The network part is not here: it is
estimated in uploads/lambda_handler.py (FINISH_INLINE_UP_TO).

    python -m bench.inline_check [MB ...]      (default: 64 200)
"""

import hashlib
import io
import shutil
import sys
import tempfile
import time

from tests.samples_video import movie
from uploads.aws.staging import COPY_CHUNK, SPOOL_BYTES
from uploads.direct import _check_bytes
from uploads.videos import blank_video_location, inspect_video

MB = 1024 * 1024


def measure(size_mb: int) -> dict[str, float]:
    data = movie(mdat=size_mb * MB)
    sha256 = hashlib.sha256(data).hexdigest()
    took: dict[str, float] = {}
    mark = time.perf_counter()

    def step(name: str) -> None:
        nonlocal mark
        now = time.perf_counter()
        took[name] = now - mark
        mark = now

    with tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES, mode="w+b") as file:
        shutil.copyfileobj(io.BytesIO(data), file, COPY_CHUNK)
        step("spool")
        _check_bytes(file, len(data), sha256)
        step("sha256")
        file.seek(0)
        inspect_video(file, len(data))
        blank_video_location(file, len(data))
        step("inspect+blank")
        file.seek(0)
        while file.read(COPY_CHUNK):
            pass
        step("read back")
    return took


def main(sizes: list[int]) -> None:
    for size in sizes:
        took = measure(size)
        steps = ", ".join(f"{name} {seconds:.2f} s" for name, seconds in took.items())
        print(f"{size} MB: {steps}; total {sum(took.values()):.2f} s")


if __name__ == "__main__":
    main([int(arg) for arg in sys.argv[1:]] or [64, 200])
