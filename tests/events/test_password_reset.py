"""Password-reset mail: limited per address and per account, the same page whatever happened, and
sent outside the request (after the response locally, by the function invoking itself on Lambda)."""

import json
import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.signals import request_finished
from django.test import RequestFactory
from django.urls import reverse

from events.password_reset import PER_ADDRESS, PER_EMAIL
from events.views.accounts import PasswordResetView
from uploads.aws import background


def ask_reset(client, email: str, address: str = "198.51.100.7"):
    return client.post(reverse("password_reset"), {"email": email}, REMOTE_ADDR=address)


@pytest.fixture
def organizers(db) -> list[str]:
    emails = [f"organizer{n}@example.org" for n in range(PER_ADDRESS + 1)]
    for n, email in enumerate(emails):
        get_user_model().objects.create_user(f"organizer{n}", email, "a long enough passphrase")
    return emails


def test_one_address_gets_5_mails_an_hour(client, organizers):
    for email in organizers:
        ask_reset(client, email)
    assert [m.to for m in mail.outbox] == [[email] for email in organizers[:PER_ADDRESS]]


def test_one_account_gets_3_mails_an_hour_from_any_addresses(client, alice):
    for n in range(PER_EMAIL + 2):
        ask_reset(client, "Alice@Example.org", address=f"203.0.113.{n}")
    assert len(mail.outbox) == PER_EMAIL


def test_the_page_answers_the_same_for_a_mail_sent_refused_or_without_account(client, alice):
    def answer(email: str, address: str) -> tuple:
        response = ask_reset(client, email, address)
        page = client.get(response["Location"]).content
        # The language menu's CSRF token is masked anew on every page: it says nothing of the email.
        return (
            response.status_code,
            response["Location"],
            re.sub(rb'name="csrfmiddlewaretoken" value="[^"]+"', b"", page),
        )

    sent = answer("alice@example.org", "203.0.113.1")
    for n in range(PER_EMAIL - 1):
        answer("alice@example.org", f"203.0.113.{2 + n}")
    refused = answer("alice@example.org", "203.0.113.9")
    nobody = answer("nobody@example.org", "203.0.113.10")
    assert sent == refused == nobody
    assert len(mail.outbox) == PER_EMAIL


def test_the_mail_is_sent_after_the_response(alice):
    request = RequestFactory().post(reverse("password_reset"), {"email": "alice@example.org"})
    request._dont_enforce_csrf_checks = True
    response = PasswordResetView.as_view()(request)
    assert response.status_code == 302 and mail.outbox == []
    # WHEN the server closes the response (Django sends request_finished)
    request_finished.send(sender=None)
    [sent] = mail.outbox
    assert sent.to == ["alice@example.org"] and "/accounts/reset/" in sent.body


def test_on_lambda_the_function_invokes_itself_with_no_token_in_the_payload(client, alice, monkeypatch):
    invocations = []

    class FakeLambda:
        def invoke(self, **call):
            invocations.append(call)

    monkeypatch.setenv("AWS_LAMBDA_FUNCTION_NAME", "photoshare-dashboard")
    monkeypatch.setattr(background.clients, "lambda_client", FakeLambda)
    ask_reset(client, "alice@example.org")
    [call] = invocations
    assert (call["FunctionName"], call["InvocationType"], mail.outbox) == ("photoshare-dashboard", "Event", [])
    payload = json.loads(call["Payload"])
    assert "/reset/" not in call["Payload"]
    # THEN the invoked function (Zappa calls `command` with the payload) sends the mail
    background.run(payload)
    [sent] = mail.outbox
    assert sent.to == ["alice@example.org"] and "https://" not in sent.body and "/accounts/reset/" in sent.body


def test_a_new_password_from_the_mailed_link_needs_12_characters(client, alice):
    ask_reset(client, "alice@example.org")
    link = next(line for line in mail.outbox[0].body.splitlines() if "/accounts/reset/" in line)
    form = client.get(link.strip(), follow=True).redirect_chain[-1][0]
    short = "Zq8#vL2$pW9"
    page = client.post(form, {"new_password1": short, "new_password2": short}).content.decode()
    assert "at least 12 characters" in page
    alice.refresh_from_db()
    assert alice.check_password("correct horse battery")
