"""P9: a resumed upload sends again at most one part. The guest page in Chromium sends a 5-part original
(parts of 1 MiB); the first PUT of part 3 never gets an answer (held: the connection is gone) and the tab
reloads; the page asks the server which parts arrived and finishes. Every PUT's body is counted in full,
the held one too, against the file's size."""

import tempfile
from contextlib import suppress
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from PIL import Image
from playwright.sync_api import Error, Request, Route

from bench.common import Row
from bench.guest_page import choose, chromium, open_guest_page, wait_until_uploaded
from bench.load import Server

PART = 1024 * 1024


class SmallParts(Server):
    """The `make run` server with parts of PART bytes (the 8 MiB default is what S3 needs, not what
    resuming does)."""

    def __init__(self) -> None:
        super().__init__(workers=2)
        self.env["PHOTOSHARE_UPLOAD_PART_MB"] = str(PART // (1024 * 1024))


def five_part_photo(path: Path) -> int:
    Image.effect_noise((2600, 1950), 80).convert("RGB").save(path, "JPEG", quality=95)
    size = path.stat().st_size
    assert 4 * PART < size <= 5 * PART, size
    return size


def part_of(request: Request) -> int | None:
    """The part number a PUT sends (1 for a file sent whole), or None for any other request."""
    if request.method != "PUT":
        return None
    return int(parse_qs(urlsplit(request.url).query).get("part", ["1"])[0])


def resumed_upload(path: Path) -> list[int]:
    """The part numbers of every PUT the page made, in order."""
    with SmallParts() as server, chromium() as browser:
        page = open_guest_page(browser, server, server.event("p9", 10))
        choose(page, path, "original")
        held: list[Route] = []

        def cut_at_part_3(route: Route) -> None:
            if part_of(route.request) == 3 and not held:
                held.append(route)  # never answered: the tab reloads first
            else:
                route.continue_()

        sent: list[int | None] = []
        page.on("request", lambda request: sent.append(part_of(request)))
        page.route("**/data?*", cut_at_part_3)
        with page.expect_request(lambda request: part_of(request) == 3, timeout=60_000):
            page.click("#upload-button")
        page.reload()
        wait_until_uploaded(page)
        with suppress(Error):
            held[0].abort()  # its request went with the old page: only Playwright still waits on it
        return [part for part in sent if part]


def run(quick: bool = False) -> Row:
    with tempfile.TemporaryDirectory(prefix="photoshare-bench-p9-") as folder:
        path = Path(folder) / "IMG_0003.jpg"
        size = five_part_photo(path)
        parts = resumed_upload(path)
    put = sum(min(PART, size - (number - 1) * PART) for number in parts)
    resent = (put - size) / PART
    what = f"bytes PUT for a 5-part upload cut in part 3 and resumed (MB), vs the file: {resent:.2f} parts re-sent"
    return Row(
        "P9",
        what,
        put / 1e6,
        size / 1e6,
        "MB",
        "re-sent <= 1 part",
        sorted(set(parts)) == [1, 2, 3, 4, 5] and resent <= 1,
    )
