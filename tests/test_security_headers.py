"""Every dashboard page carries the Content-Security-Policy, and nothing an organizer sees once logged in
(pages, originals, thumbnails, ZIPs) may be cached. Routes are listed from the URL conf, so a new one is
covered too."""

from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import URLPattern, reverse
from django.utils import timezone

from events import urls
from events.models import Photo
from photoshare_site.headers import CONTENT_SECURITY_POLICY
from uploads.guest_page import CONTENT_SECURITY_POLICY as GUEST_POLICY

# Headers are the same whatever the database: the PostgreSQL pass leaves it out.
pytestmark = pytest.mark.one_database

# Sign-up and password reset are for visitors without a session; they are checked with the log-in page.
VISITOR_ROUTES = ("accounts/signup/", "accounts/password_reset/", "accounts/reset/")
DASHBOARD_ROUTES = [
    p for p in urls.urlpatterns if isinstance(p, URLPattern) and not str(p.pattern).startswith(VISITOR_ROUTES)
]
ADMIN_PAGES = ["admin:index", "admin:events_event_changelist", "admin:events_event_add"]


def url_of(pattern: URLPattern, photo: Photo, device: str) -> str:
    values = {"slug": photo.event.slug, "pk": photo.pk, "device": device}
    return reverse(pattern.name, kwargs={k: values[k] for k in pattern.pattern.converters})


def assert_private(response) -> None:
    directives = {d.strip() for d in response["Cache-Control"].split(",")}
    assert {"private", "no-store"} <= directives, response["Cache-Control"]


@pytest.fixture
def alices_photo(uploaded) -> Photo:
    uploaded(1)
    return Photo.objects.get()


def test_the_policy_is_the_one_the_review_asked_for():
    assert CONTENT_SECURITY_POLICY == (
        "default-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
    )


@pytest.mark.parametrize("pattern", DASHBOARD_ROUTES, ids=lambda p: p.name)
def test_every_organizer_page_has_the_policy_and_is_never_stored(client, alice, device, alices_photo, pattern):
    client.force_login(alice)
    response = client.get(url_of(pattern, alices_photo, device))
    assert response.status_code in (200, 405)
    assert response["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    assert_private(response)


@pytest.mark.parametrize("name", ADMIN_PAGES)
def test_the_admin_has_the_policy_and_is_never_stored(admin_client, wedding, name):
    response = admin_client.get(reverse(name))
    assert response.status_code == 200
    assert response["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    assert_private(response)


@pytest.mark.parametrize("name", ["login", "signup", "password_reset"])
def test_the_pages_before_log_in_have_the_policy_too(client, db, name):
    assert client.get(reverse(name))["Content-Security-Policy"] == CONTENT_SECURITY_POLICY


def test_the_guest_page_keeps_its_own_policy(client, db):
    response = client.get(reverse("guest-page"))
    assert response["Content-Security-Policy"] == GUEST_POLICY
    assert "no-store" not in response["Cache-Control"]


def test_a_download_left_in_a_shared_browser_is_not_stored(client, alice, alices_photo):
    # The original and the ZIP: the two responses that hold the photos themselves.
    client.force_login(alice)
    for url in (
        reverse("photo-original", args=[alices_photo.event.slug, alices_photo.pk]),
        reverse("download-all", args=[alices_photo.event.slug]),
    ):
        response = client.get(url)
        assert response.status_code == 200
        assert_private(response)


@pytest.mark.usefixtures("aws_backend")
class TestOnAws:
    def test_the_gallery_may_show_thumbnails_and_videos_from_the_photo_bucket_and_nothing_else(
        self, client, alice, wedding
    ):
        client.force_login(alice)
        policy = client.get(reverse("gallery", args=[wedding.slug]))["Content-Security-Policy"]
        bucket = "https://photoshare-test-photos.s3.amazonaws.com"
        assert policy.startswith(CONTENT_SECURITY_POLICY)
        assert policy.endswith(f"; img-src 'self' {bucket}; media-src 'self' {bucket}")

    def test_presigned_originals_and_zips_tell_the_browser_not_to_store_them(self, client, alice, wedding):
        photo = Photo.objects.create(
            event=wedding,
            key="ana-ben/a.jpg",
            guest_name="Carla",
            device_id="d",
            content_type="image/jpeg",
            size=1,
            width=1,
            height=1,
            sha256="0" * 64,
            uploaded_at=timezone.now(),
        )
        client.force_login(alice)
        link = client.get(reverse("photo-original", args=[wedding.slug, photo.pk]))["Location"]
        assert parse_qs(urlsplit(link).query)["response-cache-control"] == ["private, no-store"]
