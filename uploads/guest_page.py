"""Serves guest_frontend/ at /guest/ locally, minified; on AWS the same bytes sit in a static bucket."""

import hashlib

from django.http import Http404, HttpRequest, HttpResponse
from django.utils.cache import get_conditional_response

from uploads.guest_minify import served
from uploads.policy import GUEST_LANGUAGES

# What the page is made of, and the type each is served with (here, and by publish_guest_frontend on S3).
GUEST_FILES = {
    "index.html": "text/html; charset=utf-8",
    "style.css": "text/css; charset=utf-8",
    **{
        f"{name}.js": "text/javascript; charset=utf-8"
        for name in ["i18n", "app", "queue", "sha256", "media", "transfer", "mine", "config"]
    },
    # One catalog per language besides English (built into i18n.js); a phone fetches only its own.
    **{f"i18n-{code}.json": "application/json; charset=utf-8" for code in GUEST_LANGUAGES if code != "en"},
    "manifest.webmanifest": "application/manifest+json",
    "icon-192.png": "image/png",
    "icon-512.png": "image/png",
    "favicon.ico": "image/x-icon",
}
# No inline script or style anywhere, so the page needs no 'unsafe-inline'.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' blob: data:; "
    # The page plays a chosen video from a blob: URL to draw its poster frame.
    "media-src blob:; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)


def guest_file(request: HttpRequest, name: str = "index.html") -> HttpResponse:
    if name not in GUEST_FILES:
        raise Http404(name)
    body = served(name)
    # Plain file names, so browsers must revalidate to pick up a new release: the ETag makes that a 304.
    etag = f'"{hashlib.sha256(body).hexdigest()[:32]}"'
    response = get_conditional_response(request, etag=etag) or HttpResponse(body, content_type=GUEST_FILES[name])
    response["ETag"] = etag
    response["Cache-Control"] = "no-cache"
    response["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
    # The page's URL carries the upload key: never send it to anyone as a referrer.
    response["Referrer-Policy"] = "no-referrer"
    return response
