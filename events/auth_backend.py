"""Django's ModelBackend behind the per-account log-in throttle (events/login_throttle.py). Every
log-in goes through it: the dashboard's and the admin's."""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.urls import reverse

from events.login_throttle import LoginRefused, login_attempt_begin, login_attempt_end


class ThrottledModelBackend(ModelBackend):
    def authenticate(self, request: HttpRequest | None, username=None, password=None, **kwargs):
        UserModel = get_user_model()
        username = username if username is not None else kwargs.get(UserModel.USERNAME_FIELD)
        account = UserModel._default_manager.filter(**{UserModel.USERNAME_FIELD: username}).first()
        if account is None or password is None:
            # No account: ModelBackend still runs the hasher, so the answer takes as long as for one.
            return super().authenticate(request, username, password, **kwargs)
        try:
            login_attempt_begin(user=account)
        except LoginRefused as refusal:
            if request is not None:
                request.login_refused = refusal.message  # type: ignore[attr-defined]  (read by events.forms)
            # Django stops at PermissionDenied: no later backend checks the password.
            raise PermissionDenied(refusal.message) from None
        user = super().authenticate(request, username, password, **kwargs)
        reset_url = request.build_absolute_uri(reverse("password_reset")) if request is not None else ""
        login_attempt_end(user=account, succeeded=user is not None, reset_url=reset_url)
        return user
