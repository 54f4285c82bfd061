"""GET /healthz, for an uptime monitor or a load balancer: 200 {"status": "ok"} when the database answers
and, on AWS, the table and the photo bucket are reachable; 503 {"status": "unavailable"} otherwise. The
answer never says what failed (the log does): a name or an error text would tell a stranger about the
deployment.

A middleware, right after the proxy one: a probe asks by address and over plain HTTP from inside the
network, so it is answered before the host check (ALLOWED_HOSTS), the HTTPS redirect and the session,
none of which it needs. It reads no header and builds no URL, so the Host it sends cannot matter.
"""

import logging
from collections.abc import Callable

from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed, JsonResponse
from django.utils.cache import patch_cache_control

from photoshare_site import wiring

logger = logging.getLogger(__name__)

HEALTH_PATH = "/healthz"


def database_answers() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        logger.warning("health check: the database did not answer", exc_info=True)
        return False
    return True


def health() -> HttpResponse:
    healthy = database_answers() and wiring.stores_reachable()
    response = JsonResponse({"status": "ok" if healthy else "unavailable"}, status=200 if healthy else 503)
    # Each probe must reach the server: a cached "ok" would hide an outage.
    patch_cache_control(response, no_store=True)
    response["X-Content-Type-Options"] = "nosniff"
    return response


class HealthCheckMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path_info != HEALTH_PATH:
            return self.get_response(request)
        if request.method not in ("GET", "HEAD"):
            return HttpResponseNotAllowed(["GET", "HEAD"])
        return health()
