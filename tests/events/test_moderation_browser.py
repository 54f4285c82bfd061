"""Moderation in Debian's chromium: ticking a range with shift-click and approving it, deleting after one
question, and the full-screen viewer's keys and swipe."""

import pytest
from django.conf import settings as django_settings
from playwright.sync_api import expect

from events.models import Moderation, Photo
from events.services import event_update
from tests.browser import swipe

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("photos_dir")]


@pytest.fixture
def signed_in(client, alice, live_server):
    """Put the organizer's session in a browser page, so the test starts on the page it is about."""

    def sign_in(page):
        client.force_login(alice)
        cookie = client.cookies[django_settings.SESSION_COOKIE_NAME].value
        page.context.add_cookies(
            [{"name": django_settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}]
        )
        return page

    return sign_in


@pytest.fixture
def five_waiting(transactional_db, wedding, uploaded):
    event_update(event=wedding, moderation=Moderation.APPROVE_FIRST, upload_limit=10)
    uploaded(5)
    return wedding


def test_an_organizer_ticks_a_range_with_shift_click_approves_it_then_deletes_the_rest(
    laptop, live_server, signed_in, five_waiting, screenshot
):
    page = signed_in(laptop)
    page.goto(f"{live_server.url}/events/{five_waiting.slug}/photos/?show=waiting")
    boxes = page.locator('.photo-grid input[name="ids"]')
    expect(boxes).to_have_count(5)
    expect(page.get_by_role("button", name="Approve")).to_be_disabled()
    # WHEN the first is ticked, then the fourth with shift held
    boxes.nth(0).click()
    boxes.nth(3).click(modifiers=["Shift"])
    # THEN the four between are ticked, and the bar says so
    assert [boxes.nth(i).is_checked() for i in range(5)] == [True, True, True, True, False]
    expect(page.locator("[data-selected-count]")).to_have_text("4")
    screenshot(page, "gallery-moderation")
    page.get_by_role("button", name="Approve").click()
    expect(page.locator(".messagelist")).to_contain_text("4 photos approved.")
    expect(boxes).to_have_count(1)
    assert Photo.objects.filter(approved=True).count() == 4

    # WHEN everything left on the page is selected and deleted: one question, with the count
    page.get_by_label("Select all on this page").check()
    page.get_by_role("button", name="Delete…").click()
    expect(page.locator("h1")).to_have_text("Delete 1 photo?")
    page.get_by_role("button", name="Delete 1 photo").click()
    expect(page.locator(".messagelist")).to_contain_text("1 photo deleted.")
    assert Photo.objects.count() == 4


def test_the_viewer_moves_with_the_arrow_keys_and_a_swipe_and_closes_with_escape(
    laptop, live_server, signed_in, transactional_db, wedding, uploaded
):
    uploaded(3)
    page = signed_in(laptop)
    console: list[str] = []
    page.on("console", lambda message: console.append(message.text))
    page.goto(f"{live_server.url}/events/{wedding.slug}/photos/")
    tiles = page.locator("a[data-viewer-item]")
    hrefs = [tiles.nth(i).evaluate("a => a.href") for i in range(3)]
    viewer = page.locator(".viewer")
    shown = page.locator(".viewer .viewer-media")

    tiles.nth(0).click()
    expect(viewer).to_be_visible()
    expect(viewer).to_have_attribute("role", "dialog")
    expect(shown).to_have_attribute("src", hrefs[0])
    expect(shown).to_have_js_property("complete", True)
    assert shown.evaluate("img => img.naturalWidth") > 0
    expect(page.locator(".viewer-download")).to_have_attribute("href", tiles.nth(0).evaluate("a => a.dataset.download"))
    expect(page.locator(".viewer-prev")).to_be_disabled()

    page.keyboard.press("ArrowRight")
    expect(shown).to_have_attribute("src", hrefs[1])
    page.keyboard.press("ArrowLeft")
    expect(shown).to_have_attribute("src", hrefs[0])
    page.locator(".viewer-next").click()
    expect(shown).to_have_attribute("src", hrefs[1])

    # A drag to the left shows the next one, to the right the previous one; a short one does nothing.
    for dx, expected in [(-200, hrefs[2]), (20, hrefs[2]), (200, hrefs[1])]:
        page.mouse.move(550, 400)
        page.mouse.down()
        page.mouse.move(550 + dx, 410, steps=5)
        page.mouse.up()
        expect(shown).to_have_attribute("src", expected)

    page.keyboard.press("Escape")
    expect(viewer).to_be_hidden()
    expect(tiles.nth(0)).to_be_focused()
    # The viewer needs nothing the page's CSP forbids (no inline script or style).
    assert not [text for text in console if "Content Security Policy" in text]


def test_on_a_phone_a_finger_swipe_moves_the_viewer(phone, live_server, signed_in, transactional_db, wedding, uploaded):
    uploaded(2)
    page = signed_in(phone)
    page.goto(f"{live_server.url}/events/{wedding.slug}/photos/")
    tiles = page.locator("a[data-viewer-item]")
    hrefs = [tiles.nth(i).evaluate("a => a.href") for i in range(2)]
    tiles.nth(0).tap()
    shown = page.locator(".viewer .viewer-media")
    expect(shown).to_have_attribute("src", hrefs[0])
    swipe(page, -200)
    expect(shown).to_have_attribute("src", hrefs[1])
    swipe(page, 200)
    expect(shown).to_have_attribute("src", hrefs[0])
