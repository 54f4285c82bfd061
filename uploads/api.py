"""The guest API as Django views: move bytes in and out; uploads/http.py does the rest."""

import functools
from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from uploads import http
from uploads.core import Uploader
from uploads.direct import DirectUploads
from uploads.openapi import SCHEMA

# The URL conf passes the project's adapter factories (photoshare_site/wiring.py) as `uploader` and
# `direct`: this app never picks its own adapters.
UploaderFactory = Callable[[], Uploader]
DirectFactory = Callable[[], DirectUploads]


View = Callable[..., HttpResponse]


def guest_api(method: str) -> Callable[[Callable[..., http.Answer]], View]:
    """One method, CORS and preflight, every answer JSON.

    CSRF is off because these endpoints use no cookies; the upload key authorises them.
    """

    def decorate(view: Callable[..., http.Answer]) -> View:
        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
            body: http.Body | None
            if request.method == "OPTIONS":
                status, body = 204, None
            elif request.method != method:
                status, body = http.METHOD_NOT_ALLOWED
            else:
                status, body = http.answer(lambda: view(request, *args, **kwargs))
            return _respond(request, status, body)

        exempt: View = csrf_exempt(wrapper)
        return exempt

    return decorate


def _respond(request: HttpRequest, status: int, body: http.Body | None) -> HttpResponse:
    response = HttpResponse(status=204) if body is None else JsonResponse(body, status=status)
    headers = http.response_headers(body, request.headers.get("Origin"), settings.GUEST_API_CORS_ORIGINS)
    for name, value in headers.items():
        response[name] = value
    return response


def _not_found(request: HttpRequest, rest: str) -> HttpResponse:
    """Any other path under /api/ (an upload id with a slash in it, say): JSON too, never an HTML page."""
    return _respond(request, *http.NOT_FOUND)


# Without a CSRF check, or a POST there would get its HTML 403 instead.
not_found: View = csrf_exempt(_not_found)


@guest_api("GET")
def event_info(request: HttpRequest, slug: str, direct: DirectFactory) -> http.Answer:
    return http.event_answer(direct(), slug, request.GET)


@guest_api("POST")
def upload(request: HttpRequest, uploader: UploaderFactory) -> http.Answer:
    try:
        # Raised from Content-Length alone, before any of the body is read.
        body = request.body
    except RequestDataTooBig:
        return http.too_large_body(settings.MAX_UPLOAD_BYTES)
    # The peer's address; behind a trusted proxy, the client's (its setting rewrites REMOTE_ADDR).
    return http.upload_answer(uploader(), body, settings.MAX_UPLOAD_BYTES, request.META.get("REMOTE_ADDR", ""))


@guest_api("POST")
def upload_start(request: HttpRequest, direct: DirectFactory) -> http.Answer:
    return http.start_answer(direct(), request.body, request.META.get("REMOTE_ADDR", ""))


@guest_api("GET")
def upload_status(request: HttpRequest, upload_id: str, direct: DirectFactory) -> http.Answer:
    return http.status_answer(direct(), upload_id, request.GET)


@guest_api("POST")
def upload_complete(request: HttpRequest, upload_id: str, direct: DirectFactory) -> http.Answer:
    return http.complete_answer(direct(), upload_id, request.body)


def openapi(request: HttpRequest) -> JsonResponse:
    return JsonResponse(SCHEMA)
