"""The dashboard in Debian's chromium: log in, create an event, print its card, browse its photos."""

import base64
import json

import pytest
from playwright.sync_api import expect

from events.models import Event
from tests.conftest import SAMPLES, upload_body

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("photos_dir")]


def test_an_organizer_creates_an_event_prints_its_card_and_sees_the_photos(
    laptop, live_server, alice, transactional_db, client, screenshot, settings
):
    settings.PUBLIC_BASE_URL = live_server.url
    laptop.goto(live_server.url)
    laptop.fill("#id_username", "alice")
    laptop.fill("#id_password", "correct horse battery")
    laptop.click("input[type=submit]")
    expect(laptop.locator("h1")).to_have_text("Your events")

    laptop.get_by_role("link", name="New event").click()
    laptop.fill("#id_name", "Ana & Ben")
    laptop.fill("#id_upload_limit", "12")
    laptop.click("input[type=submit]")
    expect(laptop.locator(".messagelist")).to_contain_text("is ready")
    event = Event.objects.get()
    assert (event.slug, event.upload_limit) == ("ana-ben", 12)

    # GIVEN guests uploaded through the guest API
    for n, (name, sample) in enumerate([("Carla", "gps-orientation6.jpg"), ("José", "iphone-like.heic")]):
        body = upload_body(event, device=f"6f1c1e0a-1b8e-4d84-9d8a-2f1f3f3c000{n}", name=name)
        body["image"] = base64.b64encode((SAMPLES / sample).read_bytes()).decode()
        assert client.post("/api/upload", json.dumps(body), content_type="application/json").status_code == 200
    laptop.reload()
    expect(laptop.locator(".stat").first).to_contain_text("2")
    screenshot(laptop, "dashboard-event")

    laptop.get_by_role("link", name="Table card").click()
    expect(laptop.locator(".card h1")).to_have_text("Ana & Ben")
    # The card prints the short address; the QR code holds the key (tests/events/test_table_card.py).
    expect(laptop.locator(".card .url")).to_contain_text(f"/g/{event.short_code[:5]}-{event.short_code[5:]}")
    assert laptop.locator("img.qr").evaluate("img => img.naturalWidth") > 0
    screenshot(laptop, "table-card")

    laptop.go_back()
    laptop.get_by_role("link", name="Photos", exact=True).click()
    thumbnails = laptop.locator(".photo-grid img")
    expect(thumbnails).to_have_count(2)
    # Every thumbnail, the HEIC one included, actually renders in the browser.
    for i in range(2):
        expect(thumbnails.nth(i)).to_have_js_property("complete", True)
        assert thumbnails.nth(i).evaluate("img => img.naturalWidth") > 0
    laptop.get_by_role("link", name="José (1)").click()
    expect(laptop.locator(".photo-grid li")).to_have_count(1)
    screenshot(laptop, "gallery")


HOSTILE_NAME = '<img src=x onerror="window.pwned=1">'


def test_a_hostile_guest_name_is_shown_as_text_not_run(laptop, live_server, alice, wedding, client):
    body = upload_body(wedding, device="6f1c1e0a-1b8e-4d84-9d8a-2f1f3f3c0009", name=HOSTILE_NAME)
    assert client.post("/api/upload", json.dumps(body), content_type="application/json").status_code == 200
    laptop.goto(live_server.url)
    laptop.fill("#id_username", "alice")
    laptop.fill("#id_password", "correct horse battery")
    laptop.click("input[type=submit]")
    for page in ("", "photos/", "devices/"):
        laptop.goto(f"{live_server.url}/events/{wedding.slug}/{page}")
        expect(laptop.get_by_text(HOSTILE_NAME).first).to_be_visible()
        assert laptop.evaluate("window.pwned") is None
        assert laptop.locator('img[src="x"]').count() == 0
