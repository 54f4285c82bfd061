"""The guest page in Chromium against a bench server (P7, P9): open it, choose a file, wait for the upload,
and count what each request puts on the wire."""

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

from playwright.sync_api import Browser, Page, Request, expect, sync_playwright

from bench.load import Server

CHROMIUM = "/usr/bin/chromium"
# Without these, Chromium keeps trying to reach Google's services, which this machine cannot.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"]


@contextmanager
def chromium() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def open_guest_page(browser: Browser, server: Server, event: dict) -> Page:
    page = browser.new_page()
    page.goto(f"http://127.0.0.1:{server.port}/guest/?event={event['slug']}&key={event['upload_key']}")
    page.fill("#guest-name", "Bench")
    page.click("text=Continue")
    return page


def choose(page: Page, path: Path, quality: str) -> None:
    """Pick one file from the library, as "original" or "smaller" (the page's two quality choices)."""
    page.set_input_files("#library-input", str(path))
    expect(page.locator("#screen-review")).to_be_visible()
    page.check(f"input[name=quality][value={quality}]")


def wait_until_uploaded(page: Page) -> None:
    expect(page.locator("#status")).to_contain_text("Uploaded!", timeout=120_000)


def for_an_upload(request: Request) -> bool:
    """Starting, sending, asking after and completing an upload: every request under /api/uploads."""
    return urlsplit(request.url).path.startswith("/api/uploads")


def wire_bytes(request: Request) -> int:
    """Request line, headers as Chromium sent them (Host, Content-Length… included) and body."""
    url = urlsplit(request.url)
    line = f"{request.method} {url.path}{'?' + url.query if url.query else ''} HTTP/1.1\r\n"
    headers = request.headers_array()
    head = line + "".join(f"{header['name']}: {header['value']}\r\n" for header in headers) + "\r\n"
    body = next((int(h["value"]) for h in headers if h["name"].lower() == "content-length"), 0)
    return len(head.encode()) + body
