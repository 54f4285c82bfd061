"""Every dashboard route of an event, listed from the URL conf (so new routes are covered too):
another organizer gets 404, an anonymous visitor is sent to log in, and forms need their CSRF token."""

import pytest
from django.test import Client
from django.urls import URLPattern, reverse

from events import urls
from events.models import Photo

EVENT_ROUTES = [p for p in urls.urlpatterns if isinstance(p, URLPattern) and "slug" in p.pattern.converters]


def url_of(pattern: URLPattern, event, photo: Photo, device: str) -> str:
    values = {"slug": event.slug, "pk": photo.pk, "device": device}
    return reverse(pattern.name, kwargs={k: values[k] for k in pattern.pattern.converters})


@pytest.fixture
def alices_photo(uploaded) -> Photo:
    uploaded(1)
    return Photo.objects.get()


def test_the_url_conf_has_the_event_routes_we_expect():
    names = {p.name for p in EVENT_ROUTES}
    assert {"event-detail", "gallery", "photo-original", "device-limit", "download-all"} <= names


@pytest.mark.parametrize("pattern", EVENT_ROUTES, ids=lambda p: p.name)
def test_a_second_organizer_gets_404_on_every_event_route(client, bob, wedding, device, alices_photo, pattern):
    client.force_login(bob)
    url = url_of(pattern, wedding, alices_photo, device)
    assert client.get(url).status_code in (404, 405)
    assert client.post(url, {"limit": "99", "refund": "on", "hidden": "1"}).status_code == 404
    assert Photo.objects.filter(pk=alices_photo.pk, hidden=False).exists()


@pytest.mark.parametrize("pattern", EVENT_ROUTES, ids=lambda p: p.name)
def test_an_anonymous_visitor_is_sent_to_log_in(client, wedding, device, alices_photo, pattern):
    response = client.get(url_of(pattern, wedding, alices_photo, device))
    assert response.status_code in (302, 405)
    if response.status_code == 302:
        assert response["Location"].startswith(reverse("login"))


POSTS = [
    "event-toggle-open",
    "event-rotate-key",
    "photo-hide",
    "photo-delete",
    "device-reset",
    "device-limit",
    "device-photos-delete",
]


@pytest.mark.parametrize("name", POSTS)
def test_every_form_refuses_a_post_without_its_csrf_token(alice, wedding, device, alices_photo, name):
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)
    pattern = next(p for p in EVENT_ROUTES if p.name == name)
    assert client.post(url_of(pattern, wedding, alices_photo, device), {"limit": "5"}).status_code == 403


def test_creating_an_event_needs_the_csrf_token_too(alice):
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)
    assert client.post(reverse("event-create"), {"name": "X", "upload_limit": 5}).status_code == 403
