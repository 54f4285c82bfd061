"""The guest page follows the phone's dark mode with readable contrast; it installs on a home screen
(manifest and icons); every page, the dashboard's too, has a favicon."""

import json
import re

import pytest
from playwright.sync_api import expect

from events.services import event_create
from tests.guest_frontend.test_guest_page import open_guest_page

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("photos_dir")]

# Text against what it sits on, in every screen the dark page shows at once here.
PAIRS = [("body", "html"), (".lead", "html"), ("#remaining", ".bar"), ("label.secondary", "label.secondary")]


@pytest.fixture
def party(alice, transactional_db):
    return event_create(owner=alice, name="Party", slug="party", limit=2)


def luminance(css_colour):
    """WCAG relative luminance of an opaque `rgb(r, g, b)`."""
    channels = [int(c) / 255 for c in re.findall(r"\d+", css_colour)[:3]]
    r, g, b = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(page, text, ground):
    colour = page.eval_on_selector(text, "el => getComputedStyle(el).color")
    background = page.eval_on_selector(ground, "el => getComputedStyle(el).backgroundColor")
    light, dark = sorted([luminance(colour), luminance(background)], reverse=True)
    return (light + 0.05) / (dark + 0.05), background


def test_the_page_follows_dark_mode_with_readable_text(phone, live_server, party, screenshot):
    phone.emulate_media(color_scheme="dark")
    open_guest_page(phone, live_server, party)
    phone.fill("#guest-name", "Carla")
    phone.click("text=Continue")
    expect(phone.locator("#screen-ready")).to_be_visible()
    ratio, background = contrast(phone, "body", "html")
    assert luminance(background) < 0.05, background
    for text, ground in PAIRS:
        ratio, _ = contrast(phone, text, ground)
        assert ratio >= 4.5, (text, ratio)
    screenshot(phone, "guest-dark")


def test_the_light_page_stays_light(phone, live_server, party):
    phone.emulate_media(color_scheme="light")
    open_guest_page(phone, live_server, party)
    expect(phone.locator("#screen-name")).to_be_visible()
    ratio, background = contrast(phone, "body", "html")
    assert luminance(background) > 0.9 and ratio >= 4.5


def test_the_manifest_and_its_icons_are_served(phone, live_server, party):
    open_guest_page(phone, live_server, party)
    href = phone.eval_on_selector("link[rel=manifest]", "el => el.href")
    response = phone.request.get(href)
    assert response.headers["content-type"] == "application/manifest+json"
    manifest = json.loads(response.text())
    assert (manifest["short_name"], manifest["display"]) == ("photoshare", "standalone")
    assert not manifest["start_url"].startswith(("/", "http"))
    sizes = set()
    for icon in manifest["icons"]:
        image = phone.request.get(href.rsplit("/", 1)[0] + "/" + icon["src"])
        assert (image.status, image.headers["content-type"]) == (200, "image/png")
        sizes.add(icon["sizes"])
    assert sizes == {"192x192", "512x512"}
    favicon = phone.request.get(phone.eval_on_selector("link[rel=icon]", "el => el.href"))
    assert favicon.status == 200


def test_every_dashboard_page_has_a_favicon(laptop, live_server, alice, transactional_db):
    laptop.goto(live_server.url)
    favicon = laptop.request.get(laptop.eval_on_selector("link[rel=icon]", "el => el.href"))
    assert (favicon.status, favicon.headers["content-type"]) == (200, "image/vnd.microsoft.icon")
