"""Co-hosts: the owner invites another organizer by username or e-mail (an unknown e-mail gets a mailed
sign-up link that makes the new account a co-host); co-hosts manage the event but cannot delete it nor
choose its co-hosts; the owner removes them. Route-by-route access is in test_dashboard_isolation.py."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse

from events.models import Event, EventHost, HostInvitation, Photo
from events.selectors import events_for
from events.services import event_create, event_host_add, event_retention_warn
from tests.events.test_retention import TODAY, retain

PASSWORD = "a fine long passphrase"


@pytest.fixture
def carol(db):
    return get_user_model().objects.create_user("carol", "Carol@Example.org", "carol horse battery")


def invite(client, event: Event, who: str) -> str:
    """The messages the owner is shown after inviting `who`."""
    response = client.post(reverse("event-cohost-add", args=[event.slug]), {"who": who}, follow=True)
    return " ".join(str(message) for message in response.context["messages"])


def sign_up(client, link: str, email: str, username: str = "dora"):
    data = {"username": username, "email": email, "password1": PASSWORD, "password2": PASSWORD}
    return client.post(link, data)


def mailed_link(message) -> str:
    [link] = re.findall(r"https?://\S+", message.body)
    return link.removeprefix("http://testserver")


def test_the_owner_invites_a_cohost_by_username_who_then_sees_the_event(client, alice, carol, wedding):
    client.force_login(alice)
    response = invite(client, wedding, "carol")
    assert response == "carol is now a co-host."
    assert list(wedding.hosts.values_list("user__username", flat=True)) == ["carol"]
    client.force_login(carol)
    assert [event.slug for event in events_for(carol)] == ["ana-ben"]
    assert client.get(reverse("event-detail", args=[wedding.slug])).status_code == 200


def test_inviting_the_email_of_an_existing_account_makes_it_a_cohost_at_once(client, alice, carol, wedding):
    client.force_login(alice)
    invite(client, wedding, "carol@example.ORG")
    assert wedding.hosts.get().user == carol
    assert mail.outbox == [] and not HostInvitation.objects.exists()


def test_an_unknown_username_is_refused_and_says_so(client, alice, wedding):
    client.force_login(alice)
    assert invite(client, wedding, "nobody").startswith("No organizer has the username “nobody”.")
    assert not EventHost.objects.exists()


def test_the_owner_cannot_add_themselves(client, alice, wedding):
    client.force_login(alice)
    for who in ("alice", "alice@example.org"):
        assert "You own this event already" in invite(client, wedding, who)
    assert not EventHost.objects.exists()


def test_an_unknown_email_is_mailed_a_link_whose_sign_up_makes_a_cohost(client, alice, wedding):
    # GIVEN the owner invites an e-mail no account uses
    client.force_login(alice)
    assert invite(client, wedding, "Dora@Example.org") == "Invitation e-mailed to dora@example.org."
    [message] = mail.outbox
    assert message.to == ["dora@example.org"] and "“Ana & Ben”" in message.subject
    assert "dora@example.org (invited on" in client.get(reverse("event-detail", args=[wedding.slug])).content.decode()
    # WHEN she opens the link (the form offers the invited e-mail) and signs up with that e-mail
    client.logout()
    link = mailed_link(message)
    assert 'value="dora@example.org"' in client.get(link).content.decode()
    response = sign_up(client, link, "dora@example.org")
    # THEN she co-hosts the event, lands on it, and the invitation is spent
    assert response["Location"] == reverse("event-detail", args=[wedding.slug])
    assert wedding.hosts.get().user.username == "dora"
    assert not HostInvitation.objects.exists()


def test_signing_up_from_the_link_with_another_email_makes_nobody_a_cohost(client, alice, wedding):
    client.force_login(alice)
    invite(client, wedding, "dora@example.org")
    client.logout()
    response = sign_up(client, mailed_link(mail.outbox[0]), "mallory@example.org", "mallory")
    assert response["Location"] == reverse("event-create")
    assert not EventHost.objects.exists() and HostInvitation.objects.exists()


def test_signing_up_with_the_invited_email_but_without_a_valid_link_makes_nobody_a_cohost(client, alice, wedding):
    client.force_login(alice)
    invite(client, wedding, "dora@example.org")
    client.logout()
    link = mailed_link(mail.outbox[0])
    sign_up(client, reverse("signup"), "dora@example.org")
    sign_up(client, link[:-3] + "xyz", "dora@example.org", "dora2")
    assert not EventHost.objects.exists()


def test_a_withdrawn_invitation_link_makes_nobody_a_cohost(client, alice, wedding):
    client.force_login(alice)
    invite(client, wedding, "dora@example.org")
    invitation = HostInvitation.objects.get()
    client.post(reverse("event-cohost-remove", args=[wedding.slug]), {"invitation": invitation.pk})
    assert not HostInvitation.objects.exists()
    client.logout()
    sign_up(client, mailed_link(mail.outbox[0]), "dora@example.org")
    assert not EventHost.objects.exists()


def test_with_sign_up_off_an_unknown_email_is_refused(client, settings, alice, wedding):
    settings.SIGNUP_ENABLED = False
    client.force_login(alice)
    assert "sign-up is off on this site" in invite(client, wedding, "dora@example.org")
    assert mail.outbox == [] and not HostInvitation.objects.exists()


def test_the_owner_removes_a_cohost_who_then_gets_404(client, alice, carol, wedding):
    event_host_add(event=wedding, user=carol)
    client.force_login(alice)
    client.post(reverse("event-cohost-remove", args=[wedding.slug]), {"user": carol.pk})
    assert not EventHost.objects.exists()
    client.force_login(carol)
    assert client.get(reverse("event-detail", args=[wedding.slug])).status_code == 404


def test_a_cohost_moderates_edits_and_sees_devices(client, carol, wedding, uploaded):
    uploaded(1)
    event_host_add(event=wedding, user=carol)
    client.force_login(carol)
    photo = Photo.objects.get()
    client.post(reverse("photo-hide", args=[wedding.slug, photo.pk]), {"hidden": "1"})
    form = {"name": "Ana & Ben, renamed", "upload_limit": 4, "is_open": "on"}
    assert client.post(reverse("event-edit", args=[wedding.slug]), form).status_code == 302
    assert client.get(reverse("device-list", args=[wedding.slug])).status_code == 200
    assert Photo.objects.get().hidden and Event.objects.get().name == "Ana & Ben, renamed"


def test_a_cohost_can_neither_delete_the_event_nor_manage_cohosts(client, carol, bob, wedding):
    event_host_add(event=wedding, user=carol)
    client.force_login(carol)
    page = client.get(reverse("event-detail", args=[wedding.slug])).content.decode()
    assert "carol" in page and reverse("event-delete", args=[wedding.slug]) not in page
    assert reverse("event-cohost-add", args=[wedding.slug]) not in page
    assert client.post(reverse("event-delete", args=[wedding.slug]), {"name": "Ana & Ben"}).status_code == 404
    assert client.post(reverse("event-cohost-add", args=[wedding.slug]), {"who": "bob"}).status_code == 404
    assert client.post(reverse("event-cohost-remove", args=[wedding.slug]), {"user": carol.pk}).status_code == 404
    assert Event.objects.exists() and list(EventHost.objects.values_list("user__username", flat=True)) == ["carol"]


def test_the_event_list_counts_photos_once_however_many_cohosts(client, alice, bob, carol, wedding, uploaded):
    uploaded(2)
    event_host_add(event=wedding, user=carol)
    event_host_add(event=wedding, user=bob)
    event_create(owner=bob, name="Bob's", slug="bobs")
    assert [(e.slug, e.photo_count) for e in events_for(alice)] == [("ana-ben", 2)]
    assert sorted((e.slug, e.photo_count) for e in events_for(bob)) == [("ana-ben", 2), ("bobs", 0)]


def test_the_retention_warning_goes_to_the_owner_only(carol, wedding):
    event_host_add(event=wedding, user=carol)
    event_retention_warn(event=retain(wedding, ended_days_ago=23, days=30), today=TODAY)
    assert [message.to for message in mail.outbox] == [["alice@example.org"]]


def test_an_invitation_whose_mail_fails_is_not_recorded(client, alice, wedding, monkeypatch):
    def refuse(*args, **kwargs):
        raise ConnectionRefusedError("no SMTP server")

    monkeypatch.setattr("events.services.send_mail", refuse)
    client.force_login(alice)
    assert invite(client, wedding, "dora@example.org").startswith("The invitation e-mail could not be sent")
    assert not HostInvitation.objects.exists()


def test_inviting_a_pending_email_again_sends_a_new_mail_and_keeps_one_invitation(client, alice, wedding):
    client.force_login(alice)
    invite(client, wedding, "dora@example.org")
    invite(client, wedding, "dora@example.org")
    assert len(mail.outbox) == 2 and HostInvitation.objects.count() == 1
