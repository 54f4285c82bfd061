"""The table card in Debian's chromium: each print layout is one page of its paper size in Chromium's
own PDF (the browser prints the page: no PDF library), and the event page's Copy link and Share."""

import datetime
import re

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("photos_dir")]

MM = 72 / 25.4
# Paper sizes in PDF points (1/72 in): A6 105 x 148 mm, A5 148 x 210, A4 210 x 297, Letter 8.5 x 11 in.
PAPER = {"a6": (105 * MM, 148 * MM), "a5": (148 * MM, 210 * MM), "a4": (210 * MM, 297 * MM), "letter": (612, 792)}
MEDIA_BOX = re.compile(rb"/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)\s*\]")


def page_sizes(pdf: bytes) -> list[tuple[float, float]]:
    """Each page's MediaBox, width and height in points: Chromium writes page objects uncompressed."""
    return [(float(width), float(height)) for width, height in MEDIA_BOX.findall(pdf)]


@pytest.fixture
def card_page(laptop, live_server, wedding):
    wedding.welcome, wedding.date, wedding.accent = "Welcome to our wedding!", datetime.date(2027, 6, 12), "#7a1f3d"
    wedding.save()
    laptop.goto(live_server.url)
    laptop.fill("#id_username", "alice")
    laptop.fill("#id_password", "correct horse battery")
    laptop.click("input[type=submit]")
    return laptop


@pytest.mark.parametrize("layout", PAPER)
def test_each_print_layout_is_one_page_of_its_paper(card_page, live_server, wedding, layout, screenshot):
    card_page.goto(f"{live_server.url}/events/{wedding.slug}/card/")
    card_page.check(f"input[value={layout}]")
    card_page.click("text=Show")
    expect(card_page.locator(f".sheet-{layout}")).to_be_visible()
    expect(card_page.locator(".card .url").first).to_contain_text(f"/g/{wedding.short_code[:5]}-")
    screenshot(card_page, f"card-{layout}")
    # Chromium's print of the page, at the size the style sheet's @page asks for.
    sizes = page_sizes(card_page.pdf(prefer_css_page_size=True, print_background=True))
    width, height = PAPER[layout]
    assert len(sizes) == 1, sizes
    assert sizes[0] == (pytest.approx(width, abs=1), pytest.approx(height, abs=1))


def test_the_card_takes_the_accent_colour_from_its_style_sheet(card_page, live_server, wedding):
    card_page.goto(f"{live_server.url}/events/{wedding.slug}/card/")
    expect(card_page.locator(".card h1")).to_have_css("color", "rgb(122, 31, 61)")
    expect(card_page.locator(".card .welcome")).to_have_css("background-color", "rgb(122, 31, 61)")


def test_copy_link_puts_the_guest_link_on_the_clipboard_and_share_is_hidden_without_the_api(
    card_page, live_server, wedding
):
    card_page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    card_page.goto(f"{live_server.url}/events/{wedding.slug}/")
    # Chromium on Linux has no Web Share API: the button stays hidden.
    expect(card_page.locator("[data-share]")).to_be_hidden()
    card_page.click("text=Copy link")
    expect(card_page.locator("[data-copy=guest-url]")).to_have_text("Copied")
    assert card_page.evaluate("navigator.clipboard.readText()") == wedding.guest_url()


def test_share_hands_the_guest_link_to_the_share_sheet_where_the_browser_has_one(card_page, live_server, wedding):
    # A browser with the Web Share API (a phone): the page's script finds navigator.share and uses it.
    card_page.add_init_script("navigator.share = (data) => { window.shared = data; return Promise.resolve(); };")
    card_page.goto(f"{live_server.url}/events/{wedding.slug}/")
    card_page.click("[data-share]")
    shared = card_page.evaluate("window.shared")
    assert shared["title"] == "Ana & Ben" and shared["url"] == card_page.input_value("#guest-url")
