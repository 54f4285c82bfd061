"""Wrong passwords for one account from any addresses. django-axes locks one address's guesses at one
account; this stops guessing spread over many addresses: after THROTTLE_AFTER failures each further
attempt must wait twice as long as the one before, and failure LOCK_AFTER locks the account and mails
its owner. An attempt made before its wait is over is refused unchecked, the right password included.
A success (after the wait), a password reset or staff's *Unlock* clears the count; so does an hour
without failures once any wait is over.
"""

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from events.after_response import run_after_response
from events.models import LoginThrottle

log = logging.getLogger(__name__)

THROTTLE_AFTER = 20
FIRST_WAIT = timedelta(minutes=1)
LOCK_AFTER = 25
QUIET_HOUR = timedelta(hours=1)

# Lazy: said in the language of the request that is refused.
LOCKED = _(
    "This account is locked after too many wrong passwords, and its owner has been sent an email. "
    "To unlock it, reset the password (Forgotten your password? below) or ask the site's staff."
)
WAIT = _(
    "Too many wrong passwords for this account. Try again after %(at)s (in %(minutes)d min): until then "
    "every attempt is refused, even with the right password."
)


class LoginRefused(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def wait_after(failures: int) -> timedelta:
    """1 minute after failure 20, then 2, 4, 8 … (failure LOCK_AFTER locks instead)."""
    return FIRST_WAIT * 2 ** (failures - THROTTLE_AFTER)


def login_attempt_begin(*, user: AbstractBaseUser) -> None:
    """Raise LoginRefused for an attempt the account does not allow yet. An attempt let through while
    throttled pushes the next one back first, as if it failed: parallel attempts cannot share one slot."""
    now = timezone.now()
    with transaction.atomic():
        throttle = LoginThrottle.objects.select_for_update().filter(user=user).first()
        if throttle is None or _forgotten(throttle, now):
            return
        if throttle.locked_at:
            raise LoginRefused(LOCKED)
        if throttle.retry_after and now < throttle.retry_after:
            raise LoginRefused(_wait_message(throttle.retry_after, now))
        if throttle.failures >= THROTTLE_AFTER:
            throttle.retry_after = now + wait_after(throttle.failures + 1)
            throttle.save(update_fields=["retry_after"])


def login_attempt_end(*, user: AbstractBaseUser, succeeded: bool, reset_url: str = "") -> None:
    """Count a failure (locking at LOCK_AFTER and mailing the owner), or clear the count on success."""
    if succeeded:
        login_throttle_clear(user=user)
        return
    now = timezone.now()
    with transaction.atomic():
        throttle, _ = LoginThrottle.objects.select_for_update().get_or_create(user=user)
        if _forgotten(throttle, now):
            throttle.failures, throttle.retry_after = 0, None
        throttle.failures += 1
        throttle.last_failure_at = now
        locks = throttle.failures >= LOCK_AFTER and throttle.locked_at is None
        if locks:
            throttle.locked_at = now
        elif throttle.failures >= THROTTLE_AFTER:
            throttle.retry_after = now + wait_after(throttle.failures)
        throttle.save()
    if locks:
        log.warning("account %s locked after %s wrong passwords", user.pk, throttle.failures)
        # A mail server can take seconds: after the response, and outside the transaction.
        run_after_response({"command": f"{__name__}.lock_mail_command", "user_id": user.pk, "reset_url": reset_url})


def login_throttle_clear(*, user: AbstractBaseUser) -> None:
    LoginThrottle.objects.filter(user=user).delete()


def _forgotten(throttle: LoginThrottle, now: datetime) -> bool:
    """An hour without failures once any wait is over forgets them; a lock stays until cleared."""
    if throttle.locked_at or throttle.last_failure_at is None:
        return False
    quiet_since = max(throttle.last_failure_at, throttle.retry_after or throttle.last_failure_at)
    return now - quiet_since > QUIET_HOUR


def _wait_message(retry_after: datetime, now: datetime) -> str:
    minutes = -(-(retry_after - now) // timedelta(minutes=1))  # rounded up: never "in 0 min"
    return WAIT % {"at": timezone.localtime(retry_after).strftime("%H:%M %Z"), "minutes": minutes}


def lock_mail_command(payload: dict, context: object = None) -> None:
    """Tell the owner what happened and how to unlock (run after the response, or by Zappa on AWS)."""
    user = get_user_model().objects.filter(pk=payload["user_id"]).first()
    email = getattr(user, "email", "") if user else ""
    if not email:
        log.warning("account %s is locked and has no email to tell", payload["user_id"])
        return
    mail = {"user": user, "failures": LOCK_AFTER, "reset_url": payload["reset_url"]}
    # In the site's language: the request that locked the account was the guesser's, whose browser
    # says nothing of the owner's language (and none is left active once the response is sent).
    with translation.override(settings.LANGUAGE_CODE):
        subject = render_to_string("registration/account_locked_subject.txt", mail).strip()
        send_mail(subject, render_to_string("registration/account_locked_email.txt", mail), None, [email])
