"""AWS entry point for the guest API (no Django): API Gateway REST (v1) and HTTP API (v2) proxy events.

Routes, answered exactly as the Django views answer them (uploads/http.py):
  GET  .../events/<slug>?key=...&deviceId=...     POST .../upload     OPTIONS anything (CORS preflight)
"""

import base64
import binascii
import functools
import json
import logging
import re
import time
from typing import Any

from uploads import http
from uploads.aws import budget, clients
from uploads.aws.dynamodb import DynamoDBStore
from uploads.aws.s3 import IndexedByBucketEvents, S3PhotoStore
from uploads.config import GuestConfig, guest_config
from uploads.core import Uploader
from uploads.ports import BadRequest
from uploads.ratelimit import LIMITS, InMemoryCounters, RateLimiter

log = logging.getLogger("photoshare.guest")
log.setLevel(logging.INFO)

# A synchronous Lambda request is capped at 6 MB including its JSON envelope; base64 leaves
# about 4.4 MB of photo, whatever PHOTOSHARE_MAX_UPLOAD_BYTES allows. The guest page downscales
# well below that.
MAX_REQUEST_BYTES = 6 * 1024 * 1024
MAX_PHOTO_IN_PAYLOAD = 4_400_000
# An API Gateway proxy event or answer, as JSON.
Event = dict[str, Any]
_EVENT_ROUTE = re.compile(r"(?:^|/)events/([^/]+)/?$")
_UPLOAD_ROUTE = re.compile(r"(?:^|/)upload/?$")


def config() -> GuestConfig:
    return guest_config(require_bucket=True)


def max_upload_bytes() -> int:
    return min(config().max_upload_bytes, MAX_PHOTO_IN_PAYLOAD)


@functools.cache
def uploader() -> Uploader:
    """Built on first use and kept while the container is warm."""
    settings = config()
    store = DynamoDBStore(clients.guest_dynamodb(), settings.table)
    return Uploader(
        policies=store,
        quota=store,
        photos=S3PhotoStore(clients.guest_s3(), settings.photo_bucket),
        recorder=IndexedByBucketEvents(),
        undo_budget=budget.spending_the_reserve,
        # Kept in this warm container's memory: no extra AWS call per upload (README, "Rate limits").
        limiter=RateLimiter(InMemoryCounters(), LIMITS.scaled(settings.rate_limit_scale)),
    )


def handler(event: Event, context: Any) -> Event:
    started = time.perf_counter()
    method, path = _method_and_path(event)
    headers = {k.lower(): v for k, v in (event.get("headers") or {}).items()}
    # Every AWS call must end before Lambda stops the function (uploads/aws/budget.py); scripts that
    # call the handler without a context (the bench, the package smoke test) have no deadline.
    with budget.invocation(context.get_remaining_time_in_millis() if context else None):
        status, body = _route(method, path, event)
    response = {
        "statusCode": status,
        "headers": http.response_headers(body, headers.get("origin"), config().cors_origins),
        "body": "" if body is None else json.dumps(body),
    }
    log.info(
        json.dumps(
            {
                "request_id": getattr(context, "aws_request_id", None),
                "method": method,
                "path": path,
                "status": status,
                "code": (body or {}).get("status"),
                "ms": round((time.perf_counter() - started) * 1000, 1),
            }
        )
    )
    return response


def _method_and_path(event: Event) -> tuple[str, str]:
    if "requestContext" in event and "http" in event["requestContext"]:  # HTTP API, payload v2
        return event["requestContext"]["http"]["method"], event.get("rawPath", "/")
    return event.get("httpMethod", "GET"), event.get("path", "/")


def _route(method: str, path: str, event: Event) -> tuple[int, http.Body | None]:
    if method == "OPTIONS":
        return 204, None
    event_route, upload_route = _EVENT_ROUTE.search(path), _UPLOAD_ROUTE.search(path)
    if not (event_route or upload_route):
        return http.NOT_FOUND
    if (event_route and method != "GET") or (upload_route and method != "POST"):
        return http.METHOD_NOT_ALLOWED
    if event_route:
        query = event.get("queryStringParameters") or {}
        return http.answer(lambda: http.event_answer(uploader(), event_route.group(1), query))
    raw = event.get("body") or ""
    if len(raw) > MAX_REQUEST_BYTES:
        return http.too_large_body(max_upload_bytes())
    return http.answer(
        lambda: http.upload_answer(uploader(), _body_bytes(event, raw), max_upload_bytes(), _client_address(event))
    )


def _client_address(event: Event) -> str:
    """The address API Gateway saw the request come from (it sets this itself; a client cannot)."""
    context = event.get("requestContext") or {}
    source = context.get("http") or context.get("identity") or {}  # HTTP API (v2), else REST (v1)
    return str(source.get("sourceIp") or "")


def _body_bytes(event: Event, raw: str) -> bytes:
    if not event.get("isBase64Encoded"):
        return raw.encode()
    try:
        return base64.b64decode(raw, validate=True)
    except binascii.Error:
        raise BadRequest("The request body is not valid base64.") from None
