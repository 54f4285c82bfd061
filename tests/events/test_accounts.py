from django.contrib.auth import get_user_model
from django.urls import reverse


def test_a_new_organizer_signs_up_and_lands_on_new_event(client, db):
    response = client.post(
        reverse("signup"),
        {
            "username": "carol",
            "email": "carol@example.org",
            "password1": "a fine long passphrase",
            "password2": "a fine long passphrase",
        },
    )
    assert response.status_code == 302 and response["Location"] == reverse("event-create")
    carol = get_user_model().objects.get(username="carol")
    assert not carol.is_staff
    assert client.get(reverse("event-list")).status_code == 200


def test_sign_up_can_be_turned_off(client, settings, db):
    settings.SIGNUP_ENABLED = False
    assert client.get(reverse("signup")).status_code == 404
    assert "Create an organizer account" not in client.get(reverse("login")).content.decode()


def test_logging_in_and_out(client, alice):
    response = client.post(reverse("login"), {"username": "alice", "password": "correct horse battery"})
    assert response["Location"] == reverse("event-list")
    assert client.post(reverse("logout")).status_code == 302
    assert client.get(reverse("event-list")).status_code == 302


def test_a_forgotten_password_is_reset_by_email(client, alice, mailoutbox):
    client.post(reverse("password_reset"), {"email": "alice@example.org"})
    [mail] = mailoutbox
    assert mail.to == ["alice@example.org"] and "/accounts/reset/" in mail.body


def test_changing_the_password(client, alice):
    client.force_login(alice)
    response = client.post(
        reverse("password_change"),
        {
            "old_password": "correct horse battery",
            "new_password1": "a newer long phrase",
            "new_password2": "a newer long phrase",
        },
    )
    assert response.status_code == 302
    alice.refresh_from_db()
    assert alice.check_password("a newer long phrase")
