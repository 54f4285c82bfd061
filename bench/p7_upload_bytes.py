"""P7 and P7o: bytes a phone sends to upload a 12-megapixel photo from the guest page, measured in
Chromium — every request the page makes for it (start, PUT, complete), request line, headers and body —
against the photo's own size. P7 chooses "Smaller, faster" (the page re-encodes it before sending), P7o
"Original quality" (the file as it is)."""

import io
import tempfile
from pathlib import Path

from PIL import Image

from bench.common import Row
from bench.guest_page import choose, chromium, for_an_upload, open_guest_page, wait_until_uploaded, wire_bytes
from bench.load import Server


def twelve_megapixel_photo(path: Path) -> int:
    """A 4000x3000 JPEG at a phone camera's quality, with texture, so its size is realistic (~4-6 MB)."""
    scene = Image.radial_gradient("L").resize((4000, 3000)).convert("RGB")
    texture = Image.effect_noise((4000, 3000), 30).convert("RGB")
    buffer = io.BytesIO()
    Image.blend(scene, texture, 0.3).save(buffer, "JPEG", quality=92)
    path.write_bytes(buffer.getvalue())
    return len(buffer.getvalue())


def bytes_sent(quality: str) -> tuple[int, int]:
    """(bytes on the wire for the upload, the photo's size). The same in --quick: one upload is quick."""
    with tempfile.TemporaryDirectory(prefix="photoshare-bench-p7-") as folder:
        return sent_from(Path(folder) / "IMG_0001.jpg", quality)


def sent_from(photo: Path, quality: str) -> tuple[int, int]:
    original = twelve_megapixel_photo(photo)
    with Server(workers=2) as server, chromium() as browser:
        page = open_guest_page(browser, server, server.event("p7", 10))
        requests = []
        page.on("request", lambda request: requests.append(request) if for_an_upload(request) else None)
        choose(page, photo, quality)
        page.click("#upload-button")
        wait_until_uploaded(page)
        return sum(wire_bytes(request) for request in requests), original


def run(quick: bool = False) -> Row:
    sent, original = bytes_sent("smaller")
    what = 'bytes sent for a 12 MP photo, "Smaller, faster" (MB, every request whole), vs the photo'
    return Row("P7", what, sent / 1e6, original / 1e6, "MB", "<= 0.25", sent / original <= 0.25)


def run_original(quick: bool = False) -> Row:
    sent, original = bytes_sent("original")
    what = f'bytes sent for a 12 MP photo, "Original quality" (MB, every request whole; {sent - original:,} beyond it)'
    return Row("P7o", what, sent / 1e6, original / 1e6, "MB", "1.00-1.01", original <= sent <= 1.01 * original)
