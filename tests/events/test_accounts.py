import os
import subprocess
import sys
from pathlib import Path

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


def test_sign_up_refuses_a_password_shorter_than_12_characters(client, db):
    short = "Zq8#vL2$pW9"  # 11 characters, not a common password
    response = client.post(
        reverse("signup"), {"username": "carol", "email": "c@example.org", "password1": short, "password2": short}
    )
    assert response.status_code == 200 and "at least 12 characters" in response.content.decode()
    assert not get_user_model().objects.filter(username="carol").exists()


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


def test_log_in_is_locked_after_five_wrong_passwords(client, alice):
    for _ in range(5):
        client.post(reverse("login"), {"username": "alice", "password": "guess"})
    locked = client.post(reverse("login"), {"username": "alice", "password": "correct horse battery"})
    assert locked.status_code == 429 and "locked" in locked.content.decode()
    assert "_auth_user_id" not in client.session


def test_production_settings_pass_the_deploy_check(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"} | {
        "DJANGO_SETTINGS_MODULE": "photoshare_site.settings",
        "PHOTOSHARE_DATA_DIR": str(tmp_path),
        "PHOTOSHARE_HTTPS": "1",
        "DJANGO_SECRET_KEY": "x" * 30 + "-Hq8#vL2$pW9!zR4@kT7&mN3^bY6*cF1",
        "PHOTOSHARE_ALLOWED_HOSTS": "photos.example.org",
    }
    check = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=Path(__file__).resolve().parents[2],
        env=env,
        capture_output=True,
        text=True,
    )
    assert check.returncode == 0, check.stdout + check.stderr
