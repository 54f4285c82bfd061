"""Playwright fixtures: Debian's chromium, and a phone-sized page."""

import os

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


@pytest.fixture
def phone(chromium):
    """A fresh phone-sized browser context: empty localStorage, touch, a narrow screen."""
    context = chromium.new_context(viewport={"width": 390, "height": 844}, has_touch=True, is_mobile=True)
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


@pytest.fixture
def laptop(chromium):
    context = chromium.new_context(viewport={"width": 1100, "height": 800})
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


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
