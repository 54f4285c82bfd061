"""Every dashboard route of an event, listed from the URL conf (so new routes are covered too):
another organizer gets 404 (also one who co-hosts another of the owner's events), and so does staff
without the route's permissions, while the support group reaches them; a co-host reaches every route
but the owner's own (OWNER_ONLY: 404); an anonymous visitor is sent to log in, and forms need their
CSRF token."""

import importlib

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.test import Client
from django.urls import URLPattern, reverse

from events import urls
from events.models import Event, Photo
from events.services import event_create, event_host_add
from events.views.common import OWNER_ONLY, STAFF_PERMISSIONS

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
    assert {"event-detail", "gallery", "photo-original", "device-limit", "download-all", "photos-moderate"} <= names


@pytest.fixture
def staff(db):
    """Staff (the admin's door opens) with no model permission."""
    return get_user_model().objects.create_user("sam", "sam@example.org", "staff horse battery", is_staff=True)


@pytest.fixture
def support_group(db) -> Group:
    """The group as the data migration makes it. A live-server test empties every table when it ends,
    the migration's rows included: then the migration's own function, on its own model state, runs again."""
    if not Group.objects.filter(name="support").exists():
        migration = importlib.import_module("events.migrations.0002_support_group")
        state = MigrationLoader(connection).project_state(("events", "0002_support_group"))
        migration.create_support_group(state.apps, None)
    return Group.objects.get(name="support")


@pytest.fixture
def support(staff, support_group):
    staff.groups.add(support_group)
    return staff


@pytest.fixture
def carol(wedding):
    """Co-hosts alice's wedding."""
    user = get_user_model().objects.create_user("carol", "carol@example.org", "carol horse battery")
    event_host_add(event=wedding, user=user)
    return user


@pytest.fixture
def dave(alice):
    """Co-hosts another of alice's events, not the wedding."""
    user = get_user_model().objects.create_user("dave", "dave@example.org", "dave horse battery")
    event_host_add(event=event_create(owner=alice, name="Party", slug="party"), user=user)
    return user


def test_every_event_route_says_what_staff_need_to_open_it():
    assert {p.name for p in EVENT_ROUTES} == set(STAFF_PERMISSIONS)


@pytest.mark.parametrize("outsider", ["bob", "dave", "staff"])
@pytest.mark.parametrize("pattern", EVENT_ROUTES, ids=lambda p: p.name)
def test_another_organizer_or_staff_without_permissions_gets_404_on_every_event_route(
    request, client, wedding, device, alices_photo, pattern, outsider
):
    client.force_login(request.getfixturevalue(outsider))
    url = url_of(pattern, wedding, alices_photo, device)
    assert client.get(url).status_code in (404, 405)
    assert client.post(url, {"limit": "99", "refund": "on", "hidden": "1"}).status_code == 404
    assert Photo.objects.filter(pk=alices_photo.pk, hidden=False).exists()


@pytest.mark.parametrize("pattern", EVENT_ROUTES, ids=lambda p: p.name)
def test_staff_in_the_support_group_reach_every_event_route(client, support, wedding, device, alices_photo, pattern):
    client.force_login(support)
    url = url_of(pattern, wedding, alices_photo, device)
    assert client.get(url).status_code in (200, 302, 405)
    assert client.post(url, {"limit": "9", "hidden": "1"}).status_code in (200, 302)


@pytest.mark.parametrize("pattern", EVENT_ROUTES, ids=lambda p: p.name)
def test_a_cohost_reaches_every_event_route_but_the_owners_own(client, carol, wedding, device, alices_photo, pattern):
    client.force_login(carol)
    url = url_of(pattern, wedding, alices_photo, device)
    if pattern.name in OWNER_ONLY:
        assert client.get(url).status_code in (404, 405)
        assert client.post(url, {"name": wedding.name, "who": "bob", "user": carol.pk}).status_code == 404
        assert Event.objects.filter(pk=wedding.pk, hosts__user=carol).exists()
    else:
        assert client.get(url).status_code in (200, 302, 405)
        assert client.post(url, {"limit": "9", "hidden": "1"}).status_code in (200, 302)


def test_the_owner_only_routes_are_event_routes():
    assert {"event-delete", "event-cohost-add", "event-cohost-remove"} == OWNER_ONLY
    assert {p.name for p in EVENT_ROUTES} >= OWNER_ONLY


def test_staff_who_may_only_look_see_the_photos_but_cannot_hide_them(client, staff, wedding, alices_photo):
    staff.user_permissions.add(*Permission.objects.filter(codename__in=["view_event", "view_photo"]))
    client.force_login(staff)
    assert client.get(reverse("gallery", args=[wedding.slug])).status_code == 200
    assert client.post(reverse("photo-hide", args=[wedding.slug, alices_photo.pk]), {"hidden": "1"}).status_code == 404
    assert client.get(reverse("device-list", args=[wedding.slug])).status_code == 404


def test_the_support_group_holds_exactly_the_permissions_the_routes_need(support_group):
    permissions = support_group.permissions.values_list("content_type__app_label", "codename")
    needed = {p for route in STAFF_PERMISSIONS.values() for p in route}
    assert {"events.view_event", "events.delete_photo", "uploads.change_devicequota"} <= needed
    assert {f"{app}.{codename}" for app, codename in permissions} == needed


@pytest.mark.parametrize("pattern", EVENT_ROUTES, ids=lambda p: p.name)
def test_an_anonymous_visitor_is_sent_to_log_in(client, wedding, device, alices_photo, pattern):
    response = client.get(url_of(pattern, wedding, alices_photo, device))
    assert response.status_code in (302, 405)
    if response.status_code == 302:
        assert response["Location"].startswith(reverse("login"))


POSTS = [
    "event-toggle-open",
    "event-rotate-key",
    "event-album-link",
    "photo-hide",
    "photo-delete",
    "photos-moderate",
    "device-reset",
    "device-limit",
    "device-photos-delete",
    "event-wall-link",
    "event-cohost-add",
    "event-cohost-remove",
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
