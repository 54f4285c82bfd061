"""Organizer accounts: sign-up, and Django's log-in and password views with our forms, templates, the
per-account throttle and limited reset mails (events/login_throttle.py, events/password_reset.py)."""

from axes.helpers import get_client_ip_address
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from events import selectors, services
from events.forms import LoginForm, SignupForm
from events.login_throttle import login_throttle_clear
from events.password_reset import password_reset_request


def signup(request: HttpRequest) -> HttpResponse:
    if not settings.SIGNUP_ENABLED:
        raise Http404("sign-up is off on this server")
    # A co-host invitation's link (events/services.py event_host_invite) carries its token here.
    token = request.GET.get("invitation")
    invitation = selectors.host_invitation_signed(token) if token else None
    form = SignupForm(request.POST or None, initial={"email": invitation.email} if invitation else None)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        login(request, user, backend="events.auth_backend.ThrottledModelBackend")
        cohosted = services.host_invitations_accept(user=user, invitation=invitation) if invitation else []
        if cohosted:
            messages.success(request, _("Welcome! You are now a co-host of “%(name)s”.") % {"name": cohosted[0].name})
            return redirect("event-detail", slug=cohosted[0].slug)
        if invitation:
            messages.warning(
                request, _("The invitation was for another e-mail address: ask the organizer to invite your username.")
            )
        messages.success(request, _("Welcome! Create your first event."))
        return redirect("event-create")
    return render(request, "registration/signup.html", {"form": form, "invitation": invitation})


class LoginView(auth_views.LoginView):
    authentication_form = LoginForm


class PasswordResetView(auth_views.PasswordResetView):
    """The same answer whether the email has an account, was refused by a limit or gets its mail."""

    template_name = "registration/reset_request.html"

    def form_valid(self, form) -> HttpResponse:
        password_reset_request(
            email=form.cleaned_data["email"],
            address=get_client_ip_address(self.request) or "",
            domain=self.request.get_host(),
            use_https=self.request.is_secure(),
        )
        return HttpResponseRedirect(self.get_success_url())


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """A new password set from the mailed link also unlocks the account."""

    template_name = "registration/reset_new_password.html"

    def form_valid(self, form) -> HttpResponse:
        response = super().form_valid(form)
        login_throttle_clear(user=form.user)
        return response
