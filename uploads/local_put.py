"""The local server's end of a direct upload's signed URL:

    PUT /api/uploads/<uploadId>/data?deviceId=…&size=…[&part=…&partSize=…]&expires=…&sig=…

streams the body to the staging store (uploads/stores/staging_fs.py) a mebibyte at a time, never
holding it whole, so Django's DATA_UPLOAD_MAX_MEMORY_SIZE (which guards `request.body`) plays no part.
The signature is the only authority: no cookie, no CSRF token, no upload key.
"""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from uploads import http
from uploads.ports import BadRequest
from uploads.stores.staging_fs import FileSystemStaging, Grant

# The URL conf passes the project's factory (photoshare_site/wiring.py): this app never picks its adapters.
StagingFactory = Callable[[], FileSystemStaging]


def _view(request: HttpRequest, upload_id: str, staging: StagingFactory) -> HttpResponse:
    if request.method != "PUT":
        status, body = http.METHOD_NOT_ALLOWED
    else:
        status, body = http.answer(lambda: _receive(request, upload_id, staging()))
    response = JsonResponse(body, status=status)
    headers = http.response_headers(body, request.headers.get("Origin"), settings.GUEST_API_CORS_ORIGINS)
    for name, value in headers.items():
        response[name] = value
    if status == 200:
        response["ETag"] = f'"{body["etag"]}"'
    return response


# No CSRF token: the URL's signature authorises the request, which carries no cookie.
receive: Callable[..., HttpResponse] = csrf_exempt(_view)


def _receive(request: HttpRequest, upload_id: str, store: FileSystemStaging) -> http.Answer:
    # Verified first: nothing a client made up reaches a path on the disk.
    grant = Grant.verified(upload_id, request.GET, store.sign)
    announced = request.META.get("CONTENT_LENGTH")
    if not announced:
        return http.LENGTH_REQUIRED
    # Refused before a byte is read: the URL is signed for exactly this many.
    if announced != str(grant.length):
        raise BadRequest(f"This URL takes exactly {grant.length} bytes (Content-Length).")

    def read(size: int) -> bytes:
        try:
            chunk: bytes = request.read(size)
        except OSError:
            return b""  # the client went away mid-body: it counts as a short body
        return chunk

    etag = store.receive(grant, read)
    return 200, {"status": "received", "part": grant.part or 1, "etag": etag}
