"""P5: "download all" as a ZIP of 2 GB of photos: throughput against reading the same files raw,
and the streaming process's peak memory (goal: at most 100 MB)."""

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from bench.common import Row

ROOT = Path(__file__).resolve().parents[1]
PHOTO = 3 * 1024 * 1024

# Each side runs in a fresh process so its peak RSS is its own.
STREAM = """
import json, resource, sys, time
from pathlib import Path
from events.zipstream import zip_stream
files = sorted(Path(sys.argv[1]).iterdir())
began = time.perf_counter()
size = 0
if sys.argv[2] == "zip":
    entries = ((f"event/guest/{p.name}", (lambda p=p: open(p, "rb"))) for p in files)
    for chunk in zip_stream(entries):
        size += len(chunk)
else:
    for p in files:
        with open(p, "rb") as source:
            while chunk := source.read(1024 * 1024):
                size += len(chunk)
print(json.dumps({"seconds": time.perf_counter() - began, "bytes": size,
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def measure(folder: Path, mode: str) -> dict:
    out = subprocess.run(
        [sys.executable, "-c", STREAM, str(folder), mode], cwd=ROOT, check=True, capture_output=True, text=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def run(quick: bool = False) -> Row:
    total = (200 if quick else 2048) * 1024 * 1024
    folder = Path(tempfile.mkdtemp(prefix="photoshare-bench-p5-"))
    try:
        for n in range(total // PHOTO):
            (folder / f"{n:05d}.jpg").write_bytes(os.urandom(PHOTO))
        measure(folder, "raw")  # warm the page cache for both sides alike
        raw, ours = measure(folder, "raw"), measure(folder, "zip")
    finally:
        for p in folder.iterdir():
            p.unlink()
        folder.rmdir()
    ratio = (ours["bytes"] / ours["seconds"]) / (raw["bytes"] / raw["seconds"])
    what = f"ZIP of {total >> 20} MB (MB/s; peak RSS {ours['peak_mb']:.0f} MB), vs reading raw"
    mb = 1024 * 1024
    return Row(
        "P5",
        what,
        ours["bytes"] / ours["seconds"] / mb,
        raw["bytes"] / raw["seconds"] / mb,
        "MB/s",
        ">= 0.8, RSS <= 100 MB",
        ratio >= 0.8 and ours["peak_mb"] <= 100,
    )
