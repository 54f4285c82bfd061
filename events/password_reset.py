"""Password-reset mail, limited per client address and per email, and sent after the response: the
request does the same work, and so takes as long, whether the email has an account or not."""

import logging
from datetime import timedelta

from django.contrib.auth.forms import PasswordResetForm
from django.db import transaction
from django.utils import timezone

from events.after_response import run_after_response
from events.models import PasswordResetRequest

log = logging.getLogger(__name__)

PER_ADDRESS = 5
PER_EMAIL = 3
WINDOW = timedelta(hours=1)


def password_reset_request(*, email: str, address: str, domain: str, use_https: bool) -> None:
    """Mail a reset link to the accounts of `email` unless this address asked PER_ADDRESS times, or this
    email was asked for PER_EMAIL times, within the hour; the caller answers the same either way."""
    now, email = timezone.now(), email.strip().lower()
    with transaction.atomic():
        # The table only ever holds the last hour.
        PasswordResetRequest.objects.filter(requested_at__lt=now - WINDOW).delete()
        recent = PasswordResetRequest.objects.all()
        if recent.filter(address=address).count() >= PER_ADDRESS or recent.filter(email=email).count() >= PER_EMAIL:
            log.info("password reset refused by its hourly limit (address %s)", address)
            return
        PasswordResetRequest.objects.create(address=address, email=email, requested_at=now)
    mail = {"command": f"{__name__}.reset_mail_command", "email": email, "domain": domain, "use_https": use_https}
    run_after_response(mail)


def reset_mail_command(payload: dict, context: object = None) -> None:
    """Django's own reset mail to every active account of the email (run after the response, or by
    Zappa on AWS): the link's token is made here, so it never travels in the payload."""
    form = PasswordResetForm({"email": payload["email"]})
    if form.is_valid():
        form.save(domain_override=payload["domain"], use_https=payload["use_https"])
