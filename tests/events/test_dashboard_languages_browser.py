"""The language menu in Debian's chromium: chosen on the log-in page, kept after logging in."""

import pytest
from playwright.sync_api import expect

from events import services

pytestmark = pytest.mark.browser


def test_an_organizer_picks_german_in_the_menu_and_the_dashboard_stays_german(
    laptop, live_server, alice, transactional_db, screenshot
):
    services.event_create(owner=alice, name="Ana & Ben", slug="ana-ben", limit=1)
    laptop.goto(live_server.url)
    expect(laptop.locator("h1")).to_have_text("Log in")

    laptop.select_option(".language-menu select", "de")
    laptop.get_by_role("button", name="Change language").click()
    expect(laptop.locator("h1")).to_have_text("Anmelden")
    expect(laptop.locator("html")).to_have_attribute("lang", "de")

    laptop.fill("#id_username", "alice")
    laptop.fill("#id_password", "correct horse battery")
    laptop.click("input[type=submit]")
    expect(laptop.locator("h1")).to_have_text("Ihre Veranstaltungen")
    screenshot(laptop, "dashboard-de")

    laptop.goto(f"{live_server.url}/events/ana-ben/devices/")
    expect(laptop.locator("#content p").first).to_contain_text("Jedes Handy darf 1 Foto hochladen.")
