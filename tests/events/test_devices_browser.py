"""The devices page on a phone in Debian's chromium: it fits the screen, and a reset and a new limit are
asked first and then said in plain words."""

import pytest
from playwright.sync_api import expect

from photoshare_site.wiring import quota_store
from tests.events.test_moderation_browser import signed_in  # noqa: F401 (a fixture)

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("photos_dir")]

LONG_NAMED_PHONE = "7a110000-0000-4000-8000-000000000002"
SILENT_PHONE = "5e1e0000-0000-4000-8000-000000000003"


def fits(page) -> bool:
    return page.evaluate("document.scrollingElement.scrollWidth <= innerWidth")


@pytest.fixture
def three_phones(transactional_db, wedding, uploaded, device):
    uploaded(2, name="Carla")
    uploaded(1, name="Carla R.", seed=5)
    uploaded(1, name="Maximiliana Alejandra de la Santísima Trinidad", from_device=LONG_NAMED_PHONE, seed=9)
    quota_store().set_device_limit(wedding.slug, LONG_NAMED_PHONE, 15)
    quota_store().set_device_limit(wedding.slug, SILENT_PHONE, None)
    return wedding


def test_on_a_phone_the_devices_page_fits_and_a_reset_and_a_limit_are_asked_then_said(
    phone,
    live_server,
    signed_in,  # noqa: F811 (the imported fixture)
    three_phones,
    screenshot,
):
    page = signed_in(phone)
    page.goto(f"{live_server.url}/events/{three_phones.slug}/devices/")
    rows = page.locator("table.devices tbody tr")
    expect(rows).to_have_count(3)
    expect(rows.filter(has_text="Carla's phone")).to_contain_text("3 of 3 photos")
    expect(rows.filter(has_text="Maximiliana")).to_contain_text("1 of 15 photos (own limit)")
    expect(rows.filter(has_text="Phone 5e1e0000")).to_contain_text("0 of 3 photos")
    assert fits(page)
    screenshot(page, "devices-page")

    carla = rows.filter(has_text="Carla's phone")
    carla.get_by_role("link", name="Reset count").click()
    expect(page.locator("h1")).to_have_text("Carla's phone")
    expect(page.locator("#content")).to_contain_text("Reset its count, so that it can send 3 more photos?")
    assert fits(page)
    page.get_by_role("button", name="Yes, reset the count").click()
    expect(page.locator(".messagelist")).to_have_text("Carla's phone can send 3 more photos.")

    carla.get_by_role("spinbutton").fill("15")
    carla.get_by_role("button", name="Set limit").click()
    expect(page.locator("#content")).to_contain_text("Let it send 15 photos in all?")
    page.get_by_role("button", name="Yes, change the limit").click()
    expect(page.locator(".messagelist")).to_have_text("Carla's phone may now send 15 photos in all.")
    expect(carla).to_contain_text("0 of 15 photos (own limit)")
    assert fits(page)
