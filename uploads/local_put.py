"""The local server's end of a direct upload's signed URL:

    PUT /api/uploads/<uploadId>/data?deviceId=…&size=…[&part=…&partSize=…]&expires=…&sig=…

streams the body to the staging store (uploads/stores/staging_fs.py) a mebibyte at a time, never
holding it whole, so Django's DATA_UPLOAD_MAX_MEMORY_SIZE (which guards `request.body`) plays no part.
The signature is the only authority: no cookie, no CSRF token, no upload key.

Under gunicorn these PUTs are answered before Django (`serving_puts`, photoshare_site/wsgi.py): its
middleware has nothing to do for them and cost a seventh of their server CPU (README "Local staging").
The view gives the same answers wherever Django's own handler runs (runserver, the test servers).
"""

import json
import re
from collections.abc import Callable, Iterable, Mapping
from http import HTTPStatus
from typing import Any
from urllib.parse import parse_qsl

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from uploads import http
from uploads.ports import BadRequest
from uploads.stores.staging_fs import FileSystemStaging, Grant

# The URL conf and wsgi.py pass the project's factory (photoshare_site/wiring.py): this app never picks
# its adapters.
StagingFactory = Callable[[], FileSystemStaging]
Read = Callable[[int], bytes]
WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]

PATH = re.compile(r"/api/uploads/(?P<upload_id>[^/]+)/data")


def put_answer(
    store: FileSystemStaging, upload_id: str, query: Mapping[str, str], length: str | None, read: Read
) -> http.Answer:
    """Receive one signed PUT: `length` is its Content-Length header, `read(at_most)` reads its body."""
    # Verified first: nothing a client made up reaches a path on the disk.
    grant = Grant.verified(upload_id, query, store.sign)
    if not length:
        return http.LENGTH_REQUIRED
    # Refused before a byte is read: the URL is signed for exactly this many.
    if length != str(grant.length):
        raise BadRequest(f"This URL takes exactly {grant.length} bytes (Content-Length).")
    etag = store.receive(grant, _vanishing(read))
    return 200, {"status": "received", "part": grant.part or 1, "etag": etag}


def _vanishing(read: Read) -> Read:
    """`read`, where a client that went away mid-body gives a short body, not an error."""

    def read_or_end(size: int) -> bytes:
        try:
            return read(size)
        except OSError:
            return b""

    return read_or_end


def _headers(status: int, body: http.Body, origin: str | None, cors_origins: list[str]) -> dict[str, str]:
    headers = http.response_headers(body, origin, cors_origins)
    if status == 200:
        headers["ETag"] = f'"{body["etag"]}"'
    return headers


def _view(request: HttpRequest, upload_id: str, staging: StagingFactory) -> HttpResponse:
    if request.method != "PUT":
        status, body = http.METHOD_NOT_ALLOWED
    else:
        length = request.META.get("CONTENT_LENGTH")
        status, body = http.answer(lambda: put_answer(staging(), upload_id, request.GET, length, request.read))
    response = JsonResponse(body, status=status)
    for name, value in _headers(status, body, request.headers.get("Origin"), settings.GUEST_API_CORS_ORIGINS).items():
        response[name] = value
    return response


# No CSRF token: the URL's signature authorises the request, which carries no cookie.
receive: Callable[..., HttpResponse] = csrf_exempt(_view)


def serving_puts(app: WSGIApp, staging: StagingFactory, cors_origins: list[str]) -> WSGIApp:
    """`app` (Django), with the signed PUTs answered before it is reached."""

    def application(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        match = PATH.fullmatch(environ.get("PATH_INFO", ""))
        if match is None or environ.get("REQUEST_METHOD") != "PUT":
            return app(environ, start_response)
        query = dict(parse_qsl(environ.get("QUERY_STRING", "")))
        length, read = environ.get("CONTENT_LENGTH"), environ["wsgi.input"].read
        status, body = http.answer(lambda: put_answer(staging(), match["upload_id"], query, length, read))
        headers = _headers(status, body, environ.get("HTTP_ORIGIN"), cors_origins)
        headers["X-Content-Type-Options"] = "nosniff"
        start_response(f"{status} {HTTPStatus(status).phrase}", list(headers.items()))
        return [json.dumps(body).encode()]

    return application
