"""Co-hosts in Debian's chromium: the owner invites one by username and one by e-mail from the event
page; the co-host then sees the section without its forms, and no way to delete the event."""

import pytest
from playwright.sync_api import expect

from events.models import EventHost, HostInvitation
from tests.events.test_cohosts import carol  # noqa: F401 (a fixture)

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("photos_dir")]


def log_in(page, url: str, username: str, password: str) -> None:
    page.context.clear_cookies()
    page.goto(url)
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("input[type=submit]")


def test_the_owner_invites_co_hosts_who_then_manage_without_the_owners_controls(
    laptop,
    live_server,
    alice,
    carol,  # noqa: F811
    wedding,
    screenshot,
):
    # GIVEN alice on her event's page, inviting carol by username and dora by e-mail
    log_in(laptop, live_server.url, "alice", "correct horse battery")
    laptop.goto(f"{live_server.url}/events/{wedding.slug}/")
    for who in ("carol", "dora@example.org"):
        laptop.fill("#cohost-who", who)
        laptop.click("#cohosts ~ form button[type=submit]")
    # THEN the section lists both, carol as co-host and dora as invited
    expect(laptop.locator("ul.cohosts")).to_contain_text("carol")
    expect(laptop.locator("ul.cohosts")).to_contain_text("dora@example.org (invited on")
    assert EventHost.objects.get().user == carol and HostInvitation.objects.get().email == "dora@example.org"
    screenshot(laptop, "cohosts")
    # WHEN carol opens the same page, she sees the section but neither its forms nor the delete link
    log_in(laptop, live_server.url, "carol", "carol horse battery")
    laptop.goto(f"{live_server.url}/events/{wedding.slug}/")
    expect(laptop.locator("ul.cohosts")).to_contain_text("carol")
    expect(laptop.locator("#cohost-who")).to_have_count(0)
    expect(laptop.locator("a.deletelink")).to_have_count(0)
    expect(laptop.locator("a", has_text="Devices")).to_be_visible()
