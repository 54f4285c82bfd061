"""Load and race the real server: gunicorn with several workers on SQLite, as `make run` serves it.

    .venv/bin/python -m bench.load [--burst 200] [--uploads 2000] [--devices 200] [--concurrency 32]

1. Burst: `--burst` uploads of different photos from ONE phone, all at once, limit 10:
   exactly 10 must be stored and every other answer must be 429.
2. Load: `--uploads` uploads from `--devices` phones at `--concurrency`, limit high enough for all:
   zero errors, and accepted == photos stored == the sum of the device counters.
Starts its own server on a free port with a throwaway data folder; prints the figures.
"""

import argparse
import base64
import http.client
import io
import json
import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

from PIL import Image

from bench.common import numbered

ROOT = Path(__file__).resolve().parents[1]


def photo(seed: int) -> bytes:
    """A distinct ~60 KB JPEG per seed."""
    buffer = io.BytesIO()
    Image.effect_noise((320, 240), 30 + seed % 50).convert("RGB").save(buffer, "JPEG", quality=80 + seed % 15)
    return buffer.getvalue()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port: int) -> None:
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("the server did not start")


@contextmanager
def bare_wsgi(workers: int) -> Iterator[int]:
    """P1's baseline, bench/bare_wsgi.py, served by gunicorn as `make run` serves ours: its port."""
    port = free_port()
    command = [sys.executable, "-m", "gunicorn", "bench.bare_wsgi", "--bind", f"127.0.0.1:{port}"]
    command += ["--workers", str(workers), "--worker-class", "gthread", "--threads", "4"]
    written = tempfile.mkdtemp(prefix="photoshare-bare-")
    env = os.environ | {"BARE_WSGI_DIR": written}
    server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for_port(port)
        yield port
    finally:
        stop(server)
        shutil.rmtree(written, ignore_errors=True)


def stop(process: subprocess.Popen) -> None:
    """Stop a server now: gunicorn's graceful stop can wait 30 s for idle keep-alive connections."""
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


class Server:
    def __init__(self, workers: int = 4):
        self.data = Path(tempfile.mkdtemp(prefix="photoshare-load-"))
        self.port = free_port()
        self.workers = workers
        self.env = os.environ | {
            "PHOTOSHARE_DATA_DIR": str(self.data),
            "DJANGO_SETTINGS_MODULE": "photoshare_site.settings",
            # One address plays every phone, far faster than a venue sends (83 uploads/s): the rate
            # limit stays on, its numbers 100 times a 200-guest venue's (uploads/ratelimit.py).
            "PHOTOSHARE_RATE_LIMIT_SCALE": "100",
        }
        self.env.pop("DATABASE_URL", None)

    def manage(self, *args: str) -> str:
        return subprocess.run(
            [sys.executable, "manage.py", *args], cwd=ROOT, env=self.env, check=True, capture_output=True, text=True
        ).stdout

    def __enter__(self):
        self.manage("migrate", "-v0")
        self.manage("shell", "-c", "from django.contrib.auth.models import User; User.objects.create_user('load')")
        command = [sys.executable, "manage.py", "serve", "--port", str(self.port), "--workers", str(self.workers)]
        self.process = subprocess.Popen(
            command, cwd=ROOT, env=self.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        wait_for_port(self.port)
        return self

    def __exit__(self, *exc):
        stop(self.process)
        shutil.rmtree(self.data, ignore_errors=True)  # hundreds of MB of photos a run

    def event(self, slug: str, limit: int) -> dict:
        return json.loads(
            self.manage("create_event", "--owner", "load", "--name", slug, "--slug", slug, "--limit", str(limit))
        )

    def stored(self, slug: str) -> tuple[int, int, int]:
        """(photo rows, files on disk, sum of device counters) for one event."""
        with sqlite3.connect(self.data / "photoshare.sqlite3") as db:
            rows = db.execute(
                "SELECT COUNT(*) FROM events_photo p JOIN events_event e ON p.event_id = e.id WHERE e.slug = ?", (slug,)
            ).fetchone()[0]
            counted = db.execute(
                "SELECT COALESCE(SUM(count), 0) FROM uploads_devicequota WHERE event_slug = ?", (slug,)
            )
            counted = counted.fetchone()[0]
        files = sum(1 for p in (self.data / "photos" / slug).rglob("*.jpg"))
        return rows, files, counted

    def upload(self, event: dict, device: str, image: bytes) -> int:
        body = json.dumps(
            {
                "eventName": event["slug"],
                "uploadKey": event["upload_key"],
                "guestName": "Load",
                "deviceId": device,
                "image": base64.b64encode(image).decode(),
            }
        )
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
        try:
            connection.request("POST", "/api/upload", body, {"Content-Type": "application/json"})
            return connection.getresponse().status
        except OSError:
            return 0
        finally:
            connection.close()


def burst(server: Server, uploads: int) -> dict:
    event, device = server.event("burst", 10), str(uuid.uuid4())
    images = [photo(n) for n in range(uploads)]
    with ThreadPoolExecutor(max_workers=uploads) as pool:
        statuses = Counter(pool.map(lambda image: server.upload(event, device, image), images))
    rows, files, counted = server.stored("burst")
    return {"statuses": dict(statuses), "stored": rows, "files": files, "counted": counted}


def load(server: Server, uploads: int, devices: int, concurrency: int) -> dict:
    event = server.event("load", 1000)
    phones = [str(uuid.uuid4()) for _ in range(devices)]
    images = [photo(n) for n in range(min(uploads, 300))]
    # A numbered comment makes each upload distinct without encoding thousands of images.
    jobs = [(phones[n % devices], numbered(images[n % len(images)], n)) for n in range(uploads)]
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        statuses = Counter(pool.map(lambda job: server.upload(event, *job), jobs))
    seconds = time.perf_counter() - started
    rows, files, counted = server.stored("load")
    return {
        "statuses": dict(statuses),
        "stored": rows,
        "files": files,
        "counted": counted,
        "per_second": uploads / seconds,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--burst", type=int, default=200)
    parser.add_argument("--uploads", type=int, default=2000)
    parser.add_argument("--devices", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=32)
    args = parser.parse_args()
    with Server() as server:
        first = burst(server, args.burst)
        print(f"burst: {args.burst} parallel uploads, one phone, limit 10 -> {first}")
        second = load(server, args.uploads, args.devices, args.concurrency)
        print(
            f"load: {args.uploads} uploads, {args.devices} phones, {args.concurrency} at once -> "
            f"{second['statuses']}, stored {second['stored']}, files {second['files']}, "
            f"counted {second['counted']}, {second['per_second']:.0f} uploads/s"
        )


if __name__ == "__main__":
    main()
