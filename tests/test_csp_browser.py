"""The Content-Security-Policy in Debian's chromium: the dashboard and the admin's main pages work under it,
with not one violation reported (an inline script, an inline style or a style="" attribute would be)."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from playwright.sync_api import expect

from events.models import Photo

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("photos_dir", "transactional_db")]

# Playwright's script runs outside the page's policy, and reports each violation the page meets.
RECORD_VIOLATIONS = """
window.cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.cspViolations.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`);
});
"""


@pytest.fixture
def browser_page(laptop, live_server):
    """The laptop page with every CSP violation recorded, from the console as well as from the page."""
    laptop.add_init_script(RECORD_VIOLATIONS)
    console: list[str] = []
    laptop.on("console", lambda message: console.append(message.text))

    def visit(path: str) -> None:
        laptop.goto(live_server.url + path)
        expect(laptop.locator("#content, main").first).to_be_visible()
        violations = laptop.evaluate("window.cspViolations")
        refused = [text for text in console if "Content Security Policy" in text]
        assert (violations, refused) == ([], []), path

    laptop.visit = visit
    return laptop


def log_in(page, username: str, password: str) -> None:
    page.visit(reverse("login"))
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("input[type=submit]")


def test_the_dashboard_runs_under_the_policy(browser_page, alice, wedding, uploaded):
    uploaded(1)
    photo = Photo.objects.get()
    log_in(browser_page, "alice", "correct horse battery")
    for name, args in [
        ("event-list", []),
        ("event-create", []),
        ("event-detail", [wedding.slug]),
        ("event-edit", [wedding.slug]),
        ("event-card", [wedding.slug]),
        ("gallery", [wedding.slug]),
        ("photo-detail", [wedding.slug, photo.pk]),
        ("device-list", [wedding.slug]),
        ("event-rotate-key", [wedding.slug]),
        ("event-delete", [wedding.slug]),
        ("password_change", []),
    ]:
        browser_page.visit(reverse(name, args=args))
    # The thumbnail, from our own origin, is allowed and shown.
    browser_page.visit(reverse("gallery", args=[wedding.slug]))
    expect(browser_page.locator(".photo-grid img").first).to_have_js_property("complete", True)
    assert browser_page.locator(".photo-grid img").first.evaluate("img => img.naturalWidth") > 0


def test_the_admins_main_pages_run_under_the_policy(browser_page, wedding, uploaded):
    uploaded(1)
    get_user_model().objects.create_superuser("staff", "staff@example.org", "staff horse battery")
    log_in(browser_page, "staff", "staff horse battery")
    event, photo = wedding, Photo.objects.get()
    for name, args in [
        ("admin:index", []),
        ("admin:events_event_changelist", []),
        ("admin:events_event_add", []),
        ("admin:events_event_change", [event.pk]),
        ("admin:events_event_delete", [event.pk]),
        ("admin:events_photo_changelist", []),
        ("admin:events_photo_change", [photo.pk]),
        ("admin:auth_user_changelist", []),
        ("admin:auth_user_change", [event.owner.pk]),
    ]:
        browser_page.visit(reverse(name, args=args))
    # The change list's scripts run: ticking a row's box selects the row.
    browser_page.visit(reverse("admin:events_event_changelist"))
    browser_page.locator("input.action-select").first.check()
    expect(browser_page.locator("#result_list tbody tr").first).to_have_class("selected")
