"""P7: bytes a phone uploads for a 12-megapixel photo after the guest page's in-browser downscale
(measured in Chromium, the whole request body), against the photo's own size."""

import io
import tempfile
from pathlib import Path

from PIL import Image
from playwright.sync_api import sync_playwright

from bench.common import Row
from bench.load import Server

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"]


def twelve_megapixel_photo(path: Path) -> int:
    """A 4000x3000 JPEG at a phone camera's quality, with texture, so its size is realistic (~4-6 MB)."""
    scene = Image.radial_gradient("L").resize((4000, 3000)).convert("RGB")
    texture = Image.effect_noise((4000, 3000), 30).convert("RGB")
    buffer = io.BytesIO()
    Image.blend(scene, texture, 0.3).save(buffer, "JPEG", quality=92)
    path.write_bytes(buffer.getvalue())
    return len(buffer.getvalue())


def run(quick: bool = False) -> Row:
    photo = Path(tempfile.mkdtemp(prefix="photoshare-bench-p7-")) / "IMG_0001.jpg"
    original = twelve_megapixel_photo(photo)
    with Server(workers=2) as server, sync_playwright() as playwright:
        event = server.event("p7", 10)
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        page = browser.new_page()
        sizes = []
        page.on(
            "request", lambda r: sizes.append(len(r.post_data_buffer or b"")) if r.url.endswith("/api/upload") else None
        )
        page.goto(f"http://127.0.0.1:{server.port}/guest/?event=p7&key={event['upload_key']}")
        page.fill("#guest-name", "Bench")
        page.click("text=Continue")
        page.set_input_files("#camera-input", str(photo))
        page.click("#upload-button")
        page.wait_for_selector("#status:not([hidden])", timeout=60_000)
        browser.close()
    sent = sizes[0] / 1e6
    return Row(
        "P7",
        "bytes uploaded for a 12 MP photo (MB, whole request), vs the photo",
        sent,
        original / 1e6,
        "MB",
        "<= 0.25",
        sent * 1e6 / original <= 0.25,
    )
