"""`/g/<code>`: the table card's short address, public, redirecting to the event's full guest link."""

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from events import selectors
from events.short_codes import normalised
from events.short_link_limit import DEVICE, short_link_limiter
from uploads import http
from uploads.ports import RateLimited


@require_GET
def follow(request: HttpRequest, code: str) -> HttpResponse:
    # A string that cannot be a code is refused before it is counted or looked up.
    stored = normalised(code)
    if stored is None:
        raise Http404
    try:
        short_link_limiter().admit(request.META.get("REMOTE_ADDR", ""), DEVICE)
    except RateLimited as error:
        status, body = http.error_body(error)
        message = _("Too many addresses were tried from your network. Wait a minute, or scan the QR code.")
        response = HttpResponse(message, status=status, content_type="text/plain; charset=utf-8")
        response["Retry-After"] = str(body["retryAfter"])
        return response
    event = selectors.event_by_short_code(stored)
    if event is None:
        raise Http404
    response = HttpResponseRedirect(event.guest_url())
    # The link it holds changes when the key is rotated: no cache may keep the old one.
    response["Cache-Control"] = "no-store"
    return response
