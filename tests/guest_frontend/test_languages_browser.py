"""The guest page in the phone's language, or the event's: every screen in Spanish and German shows no
English word of the catalog, plurals follow each language's rules, and an event's language wins."""

import json
import re

import pytest
from playwright.sync_api import expect

from events.services import event_create, event_update
from tests.browser import PHONE
from tests.conftest import SAMPLES, jpeg_bytes, upload_body
from tests.guest_frontend.test_catalogs import ENGLISH, catalog, forms
from tests.guest_frontend.test_guest_page import open_guest_page, take_photo

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("photos_dir")]

PDF = {"name": "menu.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4\n%%EOF\n"}
CLIP = {"name": "clip.mp4", "mimeType": "video/mp4", "buffer": b"\x00\x00\x00\x18ftypmp42"}


def jpeg(seed: int) -> dict:
    return {"name": f"IMG_{seed:04}.jpg", "mimeType": "image/jpeg", "buffer": jpeg_bytes(seed)}


@pytest.fixture
def phone_in(open_page):
    """A phone whose browser prefers the given language."""
    return lambda locale: open_page(**PHONE, locale=locale)


def english_fragments(code: str) -> set[str]:
    """The English catalog's words, cut at its placeholders, less those the other language shares
    (a fragment like "MB" or a name is no sign of English)."""
    theirs = " ".join(text for entry in catalog(code).values() for text in forms(entry)).lower()
    pieces = {
        piece.strip(" .,:!?·%…")
        for entry in ENGLISH.values()
        for text in forms(entry)
        for piece in re.split(r"\{\w+\}", text)
    }
    return {piece for piece in pieces if len(piece) >= 4 and piece.lower() not in theirs}


def assert_no_english(page, code: str) -> None:
    shown = page.evaluate(
        """() => [document.title, document.body.innerText,
            ...[...document.querySelectorAll("[placeholder], [aria-label]")].flatMap(
              (el) => [el.getAttribute("placeholder") || "", el.getAttribute("aria-label") || ""])].join("\\n")"""
    )
    english = sorted(piece for piece in english_fragments(code) if piece in shown)
    assert english == [], f"English on the {code} page: {english}\n---\n{shown}"
    assert page.evaluate("document.documentElement.lang") == code


def say(page, key: str, **values) -> str:
    return page.evaluate("([key, values]) => I18n.t(key, values)", [key, values])


@pytest.mark.parametrize(("locale", "code"), [("es-ES", "es"), ("de-DE", "de")])
def test_every_screen_speaks_the_phones_language(
    phone_in, live_server, alice, transactional_db, screenshot, locale, code
):
    event = event_create(owner=alice, name="Ana & Ben", slug="party", limit=2, allow_videos=False)
    phone = phone_in(locale)
    open_guest_page(phone, live_server, event)
    expect(phone.locator("#screen-name")).to_be_visible()
    assert_no_english(phone, code)
    # Ready, then a file this page cannot send and a video this event does not take (bad files).
    phone.fill("#guest-name", "Carla")
    phone.click("#name-form button[type=submit]")
    expect(phone.locator("#screen-ready")).to_be_visible()
    phone.set_input_files("#library-input", files=[PDF, CLIP])
    expect(phone.locator("#status")).to_contain_text("menu.pdf")
    assert_no_english(phone, code)
    # Review; the upload waits for want of a connection, then goes when the phone is back online.
    take_photo(phone, str(SAMPLES / "gps-orientation6.jpg"))
    assert_no_english(phone, code)
    phone.context.set_offline(True)
    phone.click("#upload-button")
    expect(phone.locator("#status")).to_have_text(catalog(code)["later.offline"], timeout=20_000)
    assert_no_english(phone, code)
    # Back online, its bytes held on the way: the row says it is uploading.
    held = []

    def hold(route):
        held.append(route)

    phone.route("**/data?*", hold)
    phone.context.set_offline(False)
    expect(phone.locator("#queue-list li span")).to_have_text(say(phone, "row.uploading"), timeout=20_000)
    assert_no_english(phone, code)
    held[0].continue_()
    phone.unroute("**/data?*", hold)
    expect(phone.locator("#status")).to_have_text(say(phone, "status.uploaded", count=1), timeout=20_000)
    assert_no_english(phone, code)
    screenshot(phone, f"guest-{code}")
    # More photos than slots: the note says how many go; then the limit screen.
    phone.set_input_files("#library-input", files=[jpeg(1), jpeg(2)])
    expect(phone.locator("#review-note")).to_be_visible()
    assert_no_english(phone, code)
    phone.click("#upload-button")
    expect(phone.locator("#screen-limit")).to_be_visible()
    assert_no_english(phone, code)
    # The organizer closes the event.
    event_update(event=event, is_open=False)
    phone.locator("#screen-limit .check-again").click()
    expect(phone.locator("#screen-closed")).to_be_visible()
    assert_no_english(phone, code)
    # A link whose key was renewed: the server's refusal, in the page's words.
    phone.goto(f"{live_server.url}/guest/?event=party&key=not-the-key")
    expect(phone.locator("#problem-message")).to_have_text(catalog(code)["error.wrong_key"])
    assert_no_english(phone, code)


REMAINING = {
    "en-GB": ("1 of 1 photo left", "2 of 2 photos left"),
    "es-MX": ("1 de 1 foto disponible", "2 de 2 fotos disponibles"),
    "de-AT": ("1 von 1 Foto übrig", "2 von 2 Fotos übrig"),
}


@pytest.mark.parametrize("locale", REMAINING)
def test_one_photo_and_two_photos_follow_the_languages_plural(phone_in, live_server, alice, transactional_db, locale):
    phone = phone_in(locale)
    for limit, expected in zip([1, 2], REMAINING[locale], strict=True):
        open_guest_page(phone, live_server, event_create(owner=alice, name="Party", limit=limit))
        expect(phone.locator("#remaining")).to_have_text(expected)


def test_the_events_language_wins_over_the_phones(phone_in, live_server, alice, transactional_db):
    event = event_create(owner=alice, name="Fiesta", slug="fiesta", limit=2, language="de")
    phone = phone_in("es-ES")
    open_guest_page(phone, live_server, event)
    expect(phone.locator("#screen-name label")).to_have_text("Wie heißt du?")
    expect(phone.locator("#remaining")).to_have_text("2 von 2 Fotos übrig")
    assert phone.evaluate("document.documentElement.lang") == "de"
    assert_no_english(phone, "de")


def test_a_language_the_page_does_not_speak_gets_english(phone_in, live_server, alice, transactional_db):
    phone = phone_in("ja-JP")
    open_guest_page(phone, live_server, event_create(owner=alice, name="Party", limit=2))
    expect(phone.locator("#screen-name label")).to_have_text("What's your name?")
    assert phone.evaluate("document.documentElement.lang") == "en"


def test_a_full_event_says_so_in_the_phones_language(phone_in, live_server, alice, transactional_db, client):
    # GIVEN an event whose one-photo cap another phone has filled
    full = event_create(owner=alice, name="Klein", slug="klein", limit=5, max_photos=1)
    body = upload_body(full, device="6f1c1e0a-1b8e-4d84-9d8a-2f1f3f3c0099", photo=jpeg_bytes(1))
    assert client.post("/api/upload", json.dumps(body), content_type="application/json").status_code == 200
    phone = phone_in("de-DE")
    open_guest_page(phone, live_server, full)
    phone.fill("#guest-name", "Carla")
    phone.click("#name-form button[type=submit]")
    # WHEN this phone uploads, THEN the server's 403 event_full reads in German
    take_photo(phone, str(SAMPLES / "plain.png"))
    phone.click("#upload-button")
    expect(phone.locator("#limit-title")).to_have_text("Diese Veranstaltung ist voll")
    expect(phone.locator("#full-message")).to_have_text(catalog("de")["error.event_full"])
    assert_no_english(phone, "de")
