"""P1 on the binary path: uploads per second of whole PUTs of a ~3 MB photo from 16 concurrent clients
to the `make run` server's signed staging URL (uploads/local_put.py), against the bare WSGI app that only
writes the body to disk (bench/bare_wsgi.py), both on gunicorn with the same workers and threads, sent
alternate batches.

Only the sending is timed: the start (reservation) and the completion are the JSON API's work, which P1
measures; here each PUT is a distinct upload (its own claim token, its own staged file).
"""

import http.client
import io
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from hashlib import sha256

from PIL import Image

from bench.common import Row
from bench.load import ROOT, Server, bare_wsgi

CLIENTS = 16
WORKERS = min(2 * (os.cpu_count() or 1) + 1, 8)

# Run by the server's own manage.py (its SECRET_KEY signs the URLs): one single-PUT URL per upload.
SIGN_URLS = """
import json, sys, uuid
from datetime import timedelta
from photoshare_site import wiring
from uploads.core import utc_now
from uploads.ports import PendingUpload
n, digest, size = json.loads(sys.argv[-1])
store = wiring.staging_store()
expires = utc_now() + timedelta(minutes=15)
uploads = [PendingUpload("p1", "6f1c1e0a-1b8e-4d84-9d8a-2f1f3f3c0001", digest, uuid.uuid4().hex, size, "image/jpeg",
                         expires) for _ in range(n)]
print(json.dumps([store.targets(upload).single.url for upload in uploads]))
"""


def photo_of_about_3_mb() -> bytes:
    image = Image.radial_gradient("L").resize((4032, 3024)).convert("RGB")
    noise = Image.effect_noise((4032, 3024), 24).convert("RGB")
    buffer = io.BytesIO()
    Image.blend(image, noise, 0.3).save(buffer, "JPEG", quality=88)
    return buffer.getvalue()


def put(port: int, path: str, body: bytes) -> int:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    try:
        connection.request("PUT", path, body, {"Content-Type": "image/jpeg"})
        return connection.getresponse().status
    except OSError:
        return 0
    finally:
        connection.close()


def throughput(port: int, paths: list[str], body: bytes) -> float:
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=CLIENTS) as pool:
        statuses = list(pool.map(lambda path: put(port, path, body), paths))
    assert set(statuses) == {200}, statuses
    return len(paths) / (time.perf_counter() - started)


@contextmanager
def ours(uploads: int, photo: bytes) -> Iterator[tuple[int, list[str]]]:
    """The `make run` server, and `uploads` signed URLs for it."""
    with Server(workers=WORKERS) as server:  # which removes its data folder when done
        signing = [sys.executable, "-c", "import django; django.setup()\n" + SIGN_URLS]
        signing.append(json.dumps([uploads, sha256(photo).hexdigest(), len(photo)]))
        urls = subprocess.run(signing, cwd=ROOT, env=server.env, check=True, capture_output=True, text=True)
        yield server.port, json.loads(urls.stdout)


@contextmanager
def bare(uploads: int) -> Iterator[tuple[int, list[str]]]:
    with bare_wsgi(WORKERS) as port:  # likewise its own folder
        yield port, [f"/upload/{n}" for n in range(uploads)]


def run(quick: bool = False) -> Row:
    photo = photo_of_about_3_mb()
    batches, batch = (2, 8) if quick else (12, 32)
    uploads = batches * batch
    # Both servers up at once, sent alternate batches: whatever else the machine runs meanwhile weighs
    # on both alike. The median batch of each.
    with bare(uploads) as (bare_port, bare_paths), ours(uploads, photo) as (port, paths):
        rates = [
            (throughput(bare_port, bare_paths[n : n + batch], photo), throughput(port, paths[n : n + batch], photo))
            for n in range(0, uploads, batch)
        ]
    baseline, measured = (statistics.median(side) for side in zip(*rates, strict=True))
    what = f"binary PUTs/s, {len(photo) / 1e6:.1f} MB JPEG, {CLIENTS} clients, vs bare WSGI writing to disk"
    return Row("P1b", what, measured, baseline, "/s", ">= 0.8", measured / baseline >= 0.8)
