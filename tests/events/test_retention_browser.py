"""Retention in Debian's chromium: the organizer turns it on in the event form and reads the day."""

import pytest
from playwright.sync_api import expect

from events.models import Event

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("photos_dir")]


def test_the_organizer_sets_retention_and_the_event_page_says_when_everything_goes(
    laptop, live_server, alice, wedding, screenshot
):
    laptop.goto(live_server.url)
    laptop.fill("#id_username", "alice")
    laptop.fill("#id_password", "correct horse battery")
    laptop.click("input[type=submit]")
    laptop.goto(f"{live_server.url}/events/{wedding.slug}/edit/")
    # Without the event's date the form refuses it: there is no day to count from.
    laptop.fill("#id_retention_days", "30")
    laptop.click("input[type=submit]")
    expect(laptop.locator(".errorlist")).to_contain_text("Set the event's date")
    laptop.fill("#id_date", "2027-06-12")
    laptop.click("input[type=submit]")
    laptop.goto(f"{live_server.url}/events/{wedding.slug}/")
    expect(laptop.locator("#retention-notice")).to_contain_text(
        "All photos of this event will be deleted on 12 July 2027."
    )
    assert Event.objects.get().retention_days == 30
    screenshot(laptop, "retention")
