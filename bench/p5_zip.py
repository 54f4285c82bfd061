"""P5: "download all" as a ZIP of 2 GB of photos: throughput against reading the same files raw,
and the streaming process's peak memory (goal: at most 100 MB).

BENCH_P5_GB=8 streams 8 GB instead; the 2 GB of photos on disk are then listed four times over.
"""

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from bench.common import Row

ROOT = Path(__file__).resolve().parents[1]
PHOTO = 3 * 1024 * 1024
ON_DISK = 2048 * 1024 * 1024

# Each side runs in a fresh process so its peak RSS is its own. Not ru_maxrss: Linux carries the peak
# of the address space an exec replaces into it, and subprocess execs from a vfork of this runner, so
# ru_maxrss showed the runner's own peak (309 MB after P1-P4 in a full run). VmHWM is the new one's.
STREAM = """
import json, sys, time
from pathlib import Path
from datetime import datetime, timezone
from events.zipstream import ZipEntry, zip_stream
files = sorted(Path(sys.argv[1]).iterdir()) * int(sys.argv[3])
taken = datetime(2026, 6, 13, 15, 30, tzinfo=timezone.utc)
began = time.perf_counter()
size = 0
if sys.argv[2] == "zip":
    entries = (ZipEntry(f"event/guest/{n:06d}.jpg", taken, lambda p=p: open(p, "rb")) for n, p in enumerate(files))
    for chunk in zip_stream(entries):
        size += len(chunk)
else:
    for p in files:
        with open(p, "rb") as source:
            while chunk := source.read(1024 * 1024):
                size += len(chunk)
[peak_kb] = (line.split()[1] for line in open("/proc/self/status") if line.startswith("VmHWM:"))
print(json.dumps({"seconds": time.perf_counter() - began, "bytes": size, "peak_mb": int(peak_kb) / 1024}))
"""


def measure(folder: Path, mode: str, repeat: int) -> dict:
    out = subprocess.run(
        [sys.executable, "-c", STREAM, str(folder), mode, str(repeat)],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def run(quick: bool = False) -> Row:
    total = 200 * 1024 * 1024 if quick else int(os.environ.get("BENCH_P5_GB", "2")) * 1024 * 1024 * 1024
    on_disk = min(total, ON_DISK)
    folder = Path(tempfile.mkdtemp(prefix="photoshare-bench-p5-"))
    try:
        for n in range(on_disk // PHOTO):
            (folder / f"{n:05d}.jpg").write_bytes(os.urandom(PHOTO))
        repeat = total // on_disk
        measure(folder, "raw", 1)  # warm the page cache for both sides alike
        # Alternating sides, best of three: the runs least disturbed by the rest of a shared machine.
        runs = [(measure(folder, "raw", repeat), measure(folder, "zip", repeat)) for _ in range(3)]
    finally:
        for p in folder.iterdir():
            p.unlink()
        folder.rmdir()
    raw, ours = (max(run[side]["bytes"] / run[side]["seconds"] / 1024 / 1024 for run in runs) for side in (0, 1))
    peak = max(run[1]["peak_mb"] for run in runs)
    return Row(
        "P5",
        f"ZIP of {total >> 20} MB (MB/s; peak RSS {peak:.0f} MB), vs reading raw",
        ours,
        raw,
        "MB/s",
        ">= 0.8, RSS <= 100 MB",
        ours / raw >= 0.8 and peak <= 100,
    )
