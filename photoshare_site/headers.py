"""Response headers every dashboard page carries: a Content-Security-Policy, and no caching of what an
organizer sees once logged in (pages, originals, ZIPs), so a shared computer's cache or a proxy keeps none."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control

from photoshare_site import wiring

# No inline script or style anywhere in the dashboard's templates (nor in the admin's main pages),
# so nothing here needs 'unsafe-inline'. The guest page sets a policy of its own (uploads/guest_page.py).
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)


def content_security_policy() -> str:
    origin = wiring.photo_origin()
    if not origin:
        return CONTENT_SECURITY_POLICY
    # On AWS the gallery's <img> and the photo page's <video> point at presigned links to the photo bucket.
    return f"{CONTENT_SECURITY_POLICY}; img-src 'self' {origin}; media-src 'self' {origin}"


class SecurityHeadersMiddleware:
    """After AuthenticationMiddleware: whether the request is an organizer's decides the caching."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", content_security_policy())
        if request.user.is_authenticated:
            patch_cache_control(response, private=True, no_store=True)
        return response
