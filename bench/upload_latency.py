"""Time single photo uploads against a running server, next to the server's floor.

    .venv/bin/python bench/upload_latency.py http://127.0.0.1:8000 SLUG UPLOAD_KEY [--photos 20] [--megapixels 5]

The floor is a GET of the event (same server, same database, no photo); the ratio says what
the photo itself costs. Each upload comes from a new device, so no limit is hit; the event
collects the photos, so use a throwaway event.
"""

import argparse
import base64
import io
import json
import statistics
import time
import urllib.request
import uuid

from PIL import Image


def photo(seed: int, megapixels: float) -> bytes:
    side = int((megapixels * 1_000_000 * 4 / 3) ** 0.5)
    image = Image.effect_noise((side, side * 3 // 4), 40 + seed % 20).convert("RGB")
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=85)
    return buffer.getvalue()


def timed(request: urllib.request.Request) -> float:
    start = time.perf_counter()
    with urllib.request.urlopen(request) as response:
        response.read()
    return (time.perf_counter() - start) * 1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("base")
    parser.add_argument("slug")
    parser.add_argument("key")
    parser.add_argument("--photos", type=int, default=20)
    parser.add_argument("--megapixels", type=float, default=5)
    args = parser.parse_args()

    floor = [timed(urllib.request.Request(f"{args.base}/api/events/{args.slug}?key={args.key}")) for _ in range(20)]
    uploads, size = [], 0
    for seed in range(args.photos):
        data = photo(seed, args.megapixels)
        size = len(data)
        body = {
            "eventName": args.slug,
            "uploadKey": args.key,
            "guestName": "Bench",
            "deviceId": str(uuid.uuid4()),
            "image": base64.b64encode(data).decode(),
        }
        request = urllib.request.Request(
            f"{args.base}/api/upload", json.dumps(body).encode(), {"Content-Type": "application/json"}
        )
        uploads.append(timed(request))
    floor_ms, upload_ms = statistics.median(floor), statistics.median(uploads)
    print(f"event GET (floor):        median {floor_ms:7.1f} ms")
    p95 = sorted(uploads)[-max(1, len(uploads) // 20)]
    print(f"upload of {size / 1e6:.1f} MB JPEG:  median {upload_ms:7.1f} ms  p95 {p95:7.1f} ms")
    print(f"ratio upload / floor:     {upload_ms / floor_ms:7.1f}x")


if __name__ == "__main__":
    main()
