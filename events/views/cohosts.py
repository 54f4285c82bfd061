"""Co-hosts: the owner invites and removes the organizers who manage the event with them (owner-only
routes: events/views/common.py OWNER_ONLY). The section itself is on the event page."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from events import services
from events.forms import CohostInviteForm, CohostRemoveForm
from events.models import Event, EventHost
from events.views.common import organizer_event


def _back(event: Event) -> HttpResponse:
    return redirect(reverse("event-detail", args=[event.slug]) + "#cohosts")


@require_POST
@organizer_event
def cohost_add(request: HttpRequest, event: Event) -> HttpResponse:
    form = CohostInviteForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Type a username or an e-mail address."))
        return _back(event)
    try:
        added = services.event_host_invite(
            event=event, who=form.cleaned_data["who"], signup_url=request.build_absolute_uri(reverse("signup"))
        )
    except services.CohostRefused as refused:
        messages.error(request, refused.message)
    else:
        if isinstance(added, EventHost):
            messages.success(request, _("%(name)s is now a co-host.") % {"name": added.user.get_username()})
        else:
            messages.success(request, _("Invitation e-mailed to %(email)s.") % {"email": added.email})
    return _back(event)


@require_POST
@organizer_event
def cohost_remove(request: HttpRequest, event: Event) -> HttpResponse:
    form = CohostRemoveForm(request.POST)
    removed = form.is_valid() and services.event_host_remove(
        event=event, user_id=form.cleaned_data["user"], invitation_id=form.cleaned_data["invitation"]
    )
    if removed:
        messages.success(request, _("Removed from the co-hosts."))
    else:
        messages.error(request, _("Nothing was changed."))
    return _back(event)
