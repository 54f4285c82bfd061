"""P1: uploads per second of a 1.5 MB JPEG from 16 concurrent clients to the `make run` server,
against a bare WSGI app on the same gunicorn settings that only writes the body to disk."""

import io
import os
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

from PIL import Image

from bench.common import Row, numbered
from bench.load import Server, bare_wsgi

CLIENTS = 16


def photo_of_about_1_5_mb() -> bytes:
    image = Image.radial_gradient("L").resize((2560, 1920)).convert("RGB")
    noise = Image.effect_noise((2560, 1920), 24).convert("RGB")
    buffer = io.BytesIO()
    Image.blend(image, noise, 0.35).save(buffer, "JPEG", quality=88)
    return buffer.getvalue()


def throughput(send, uploads: int) -> float:
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=CLIENTS) as pool:
        statuses = list(pool.map(send, range(uploads)))
    assert set(statuses) == {200}, statuses
    return uploads / (time.perf_counter() - started)


def ours(uploads: int, image: bytes) -> float:
    with Server() as server:
        event = server.event("p1", 1000)
        phones = [str(uuid.uuid4()) for _ in range(CLIENTS)]
        # Every upload a new photo, not a retry.
        return throughput(lambda n: server.upload(event, phones[n % CLIENTS], numbered(image, n)), uploads)


def bare(uploads: int, image: bytes) -> float:
    with bare_wsgi(min(2 * (os.cpu_count() or 1) + 1, 8)) as port:
        fake = Server.__new__(Server)
        fake.port = port
        event = {"slug": "p1", "upload_key": "k"}
        return throughput(lambda n: fake.upload(event, "x", numbered(image, n)), uploads)


def run(quick: bool = False) -> Row:
    image, uploads = photo_of_about_1_5_mb(), 32 if quick else 400
    baseline, measured = bare(uploads, image), ours(uploads, image)
    what = f"uploads/s, {len(image) / 1e6:.1f} MB JPEG, {CLIENTS} clients, vs bare WSGI writing to disk"
    return Row("P1", what, measured, baseline, "/s", ">= 0.7", measured / baseline >= 0.7)
