"""What every dashboard view shares: the organizer's own event or a 404."""

import functools
from collections.abc import Callable

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse

from events.selectors import event_for


def organizer_event(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Log-in required; `slug` becomes the user's own event, and any other event answers 404."""

    @login_required
    @functools.wraps(view)
    def wrapper(request: HttpRequest, slug: str, **kwargs) -> HttpResponse:
        return view(request, event_for(request.user, slug), **kwargs)

    return wrapper
