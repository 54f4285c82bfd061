"""Playwright fixtures: Debian's chromium, and a phone-sized page."""

import os
from contextlib import ExitStack

import pytest
from playwright.sync_api import sync_playwright

# Playwright's sync API keeps an asyncio loop in this thread, which Django's ORM guard mistakes
# for async code; the test's own ORM calls are plain synchronous ones.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"
# Without these, Chromium keeps trying to reach Google's services, which this machine cannot.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def chromium():
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


# The devices the tests play: a phone (touch, narrow), an organizer's laptop, the venue's TV (720p).
PHONE = {"viewport": {"width": 390, "height": 844}, "has_touch": True, "is_mobile": True}
LAPTOP = {"viewport": {"width": 1100, "height": 800}}
TV = {"viewport": {"width": 1280, "height": 720}}


@pytest.fixture
def open_page(chromium):
    """open_page(**context options, timeout=ms): a page in a fresh browser context (its own localStorage,
    cookies, locale), closed at the end of the test."""
    with ExitStack() as contexts:

        def open_one(timeout: int = 10_000, **options):
            context = chromium.new_context(**options)
            contexts.callback(context.close)
            page = context.new_page()
            page.set_default_timeout(timeout)
            return page

        yield open_one


@pytest.fixture
def phone(open_page):
    """A fresh phone-sized browser context: empty localStorage, touch, a narrow screen."""
    return open_page(**PHONE)


@pytest.fixture
def laptop(open_page):
    return open_page(**LAPTOP)


@pytest.fixture
def screen(open_page):
    """The venue's TV: a landscape 720p page."""
    return open_page(**TV)


@pytest.fixture
def screenshot():
    """Save a screenshot for the README when PHOTOSHARE_SCREENSHOTS names a folder; otherwise do nothing."""
    folder = os.environ.get("PHOTOSHARE_SCREENSHOTS")

    def take(page, name: str) -> None:
        if folder:
            page.screenshot(path=os.path.join(folder, f"{name}.png"), full_page=True)

    return take


def swipe(page, dx: int) -> None:
    """A one-finger horizontal swipe across the middle of the screen, as a phone's touch screen sends it
    (Chrome DevTools' touch events: a mouse drag would not be a finger's on a phone)."""
    touch = page.context.new_cdp_session(page)
    width, height = page.viewport_size["width"], page.viewport_size["height"]
    x, y = width // 2 - dx // 2, height // 2
    touch.send("Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": [{"x": x, "y": y}]})
    for step in range(1, 6):
        point = {"x": x + dx * step // 5, "y": y + step}
        touch.send("Input.dispatchTouchEvent", {"type": "touchMove", "touchPoints": [point]})
    touch.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})
