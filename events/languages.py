"""Which language a guest-facing page (wall, album) speaks: the event's own, else the browser's best match."""

from django.conf import settings
from django.http import HttpRequest
from django.utils import translation

from events.models import Event


def activate_for_guests(request: HttpRequest, event: Event) -> str:
    """Activate, for this request, the event's fixed language or the best of the browser's
    Accept-Language among settings.LANGUAGES (English when none matches); returns the code."""
    code = event.language or translation.get_language_from_request(request)
    if code not in dict(settings.LANGUAGES):
        code = settings.LANGUAGE_CODE
    translation.activate(code)
    request.LANGUAGE_CODE = code
    return code
