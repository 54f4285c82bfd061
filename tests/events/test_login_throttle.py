"""Password guessing spread over many addresses: django-axes locks one address's guesses at one account
(5 tries), so 4 from each of many addresses never lock it; the per-account throttle does."""

import re
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from events.login_throttle import (
    LOCK_AFTER,
    THROTTLE_AFTER,
    LoginRefused,
    login_attempt_begin,
    login_attempt_end,
)
from events.models import LoginThrottle

RIGHT = "correct horse battery"
WRONG_MESSAGE = "Please enter a correct username and password"
WAIT_MESSAGE = "even with the right password"
LOCKED_MESSAGE = "This account is locked"


class Clock:
    def __init__(self):
        self.now = timezone.now()

    def advance(self, delta: timedelta) -> None:
        self.now += delta


@pytest.fixture
def clock(monkeypatch) -> Clock:
    clock = Clock()
    monkeypatch.setattr(timezone, "now", lambda: clock.now)
    return clock


def log_in(client, password: str, *, address: str = "198.51.100.1", username: str = "alice") -> str:
    response = client.post(reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=address)
    return "logged in" if response.status_code == 302 else response.content.decode()


def guess(client, times: int, *, first_address: int = 1, per_address: int = 4) -> list[str]:
    """`times` wrong passwords, `per_address` from each address (under axes' 5): the pages answered."""
    return [log_in(client, f"guess {n}", address=f"203.0.113.{first_address + n // per_address}") for n in range(times)]


def throttle(user) -> LoginThrottle:
    return LoginThrottle.objects.get(user=user)


def test_guesses_from_10_addresses_are_throttled_after_20(client, alice, clock):
    # WHEN 4 wrong passwords come from each of 10 addresses
    pages = guess(client, 40)
    # THEN the first 20 are checked and wrong, the other 20 refused unchecked, and only 20 are counted
    assert all(WRONG_MESSAGE in page for page in pages[:THROTTLE_AFTER])
    assert all(WAIT_MESSAGE in page for page in pages[THROTTLE_AFTER:])
    assert throttle(alice).failures == THROTTLE_AFTER


def test_the_right_password_is_refused_during_the_wait_and_the_page_says_until_when(client, alice, clock):
    guess(client, THROTTLE_AFTER)
    page = log_in(client, RIGHT, address="192.0.2.77")
    at = timezone.localtime(clock.now + timedelta(minutes=1)).strftime("%H:%M")
    assert WAIT_MESSAGE in page and f"Try again after {at}" in page and "(in 1 min)" in page
    assert "_auth_user_id" not in client.session


def test_each_wait_is_twice_the_one_before_and_an_early_attempt_is_refused(client, alice, clock):
    guess(client, THROTTLE_AFTER)
    waits = []
    for _ in range(4):
        wait = throttle(alice).retry_after - clock.now
        waits.append(wait)
        clock.advance(wait - timedelta(seconds=1))
        assert WAIT_MESSAGE in log_in(client, "too early", address="192.0.2.1")
        clock.advance(timedelta(seconds=1))
        assert WRONG_MESSAGE in log_in(client, "on time but wrong", address="192.0.2.2")
    assert waits == [timedelta(minutes=m) for m in (1, 2, 4, 8)]


def waits_out_to_the_lock(client, alice, clock) -> str:
    guess(client, THROTTLE_AFTER)
    for n in range(LOCK_AFTER - THROTTLE_AFTER):
        clock.advance(throttle(alice).retry_after - clock.now)
        page = log_in(client, "still guessing", address=f"192.0.2.{n}")
    return page


def test_failure_25_locks_the_account_and_mails_its_owner_how_to_unlock(client, alice, clock):
    assert WRONG_MESSAGE in waits_out_to_the_lock(client, alice, clock)
    [locked] = mail.outbox
    assert locked.to == ["alice@example.org"] and "locked" in locked.subject
    assert "http://testserver/accounts/password_reset/" in locked.body and "admin" in locked.body
    # A day later the right password is still refused: a lock waits for its owner or staff.
    clock.advance(timedelta(days=1))
    assert LOCKED_MESSAGE in log_in(client, RIGHT)
    assert "_auth_user_id" not in client.session


def test_a_password_reset_unlocks_the_account(client, alice, clock):
    waits_out_to_the_lock(client, alice, clock)
    client.post(reverse("password_reset"), {"email": "alice@example.org"})
    link = re.search(r"http://testserver(/accounts/reset/\S+)", mail.outbox[-1].body).group(1)
    form = client.get(link, follow=True).redirect_chain[-1][0]
    new = "a brand new long passphrase"
    assert client.post(form, {"new_password1": new, "new_password2": new}).status_code == 302
    assert log_in(client, new) == "logged in"


def test_staff_unlock_the_account_in_the_admin(client, alice, clock):
    waits_out_to_the_lock(client, alice, clock)
    root = get_user_model().objects.create_superuser("root", "root@example.org", "a long root passphrase")
    client.force_login(root)
    changelist = reverse("admin:events_loginthrottle_changelist")
    assert "alice" in client.get(changelist).content.decode()
    client.post(changelist, {"action": "unlock", "_selected_action": [alice.pk]})
    client.logout()
    assert log_in(client, RIGHT) == "logged in"


def test_the_owners_success_after_the_wait_resets_the_count(client, alice, clock):
    guess(client, THROTTLE_AFTER)
    clock.advance(timedelta(minutes=1))
    assert log_in(client, RIGHT, address="192.0.2.50") == "logged in"
    client.logout()
    pages = guess(client, THROTTLE_AFTER + 1, first_address=100)
    assert all(WRONG_MESSAGE in page for page in pages[:THROTTLE_AFTER]) and WAIT_MESSAGE in pages[-1]


def test_an_hour_without_failures_forgets_them(client, alice, clock):
    guess(client, THROTTLE_AFTER - 1)
    clock.advance(timedelta(minutes=61))
    pages = guess(client, THROTTLE_AFTER + 1, first_address=100)
    assert all(WRONG_MESSAGE in page for page in pages[:THROTTLE_AFTER]) and WAIT_MESSAGE in pages[-1]


def test_one_accounts_throttle_does_not_touch_another_account(client, alice, bob, clock):
    guess(client, THROTTLE_AFTER + 4)
    assert WAIT_MESSAGE in log_in(client, RIGHT, address="192.0.2.1")
    assert log_in(client, "another horse battery", address="203.0.113.1", username="bob") == "logged in"


def test_the_admin_log_in_is_throttled_too(client, alice, clock):
    alice.is_staff = True
    alice.save()
    guess(client, THROTTLE_AFTER)
    response = client.post(reverse("admin:login"), {"username": "alice", "password": RIGHT}, REMOTE_ADDR="192.0.2.9")
    assert WAIT_MESSAGE in response.content.decode() and "_auth_user_id" not in client.session


def test_parallel_attempts_cannot_share_one_slot(alice, clock):
    for _ in range(THROTTLE_AFTER):
        login_attempt_end(user=alice, succeeded=False)
    clock.advance(timedelta(minutes=1))
    # The first attempt after the wait is let through and, still being checked, pushes the next one back.
    login_attempt_begin(user=alice)
    with pytest.raises(LoginRefused):
        login_attempt_begin(user=alice)
