"""AWS entry point for the guest API (no Django): API Gateway REST (v1) and HTTP API (v2) proxy events.

Routes, answered exactly as the Django views answer them (uploads/http.py):
  GET  .../events/<slug>?key=...&deviceId=...     POST .../upload     OPTIONS anything (CORS preflight)
  POST .../uploads    GET .../uploads/<uploadId>?key=...&deviceId=...    POST .../uploads/<uploadId>/complete
"""

import base64
import binascii
import functools
import json
import logging
import re
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from uploads import http
from uploads.aws import budget, clients
from uploads.aws.dynamodb import DynamoDBStore
from uploads.aws.s3 import IndexedByBucketEvents, S3PhotoStore
from uploads.aws.staging import S3Staging
from uploads.config import GuestConfig, guest_config
from uploads.core import Uploader
from uploads.direct import DirectUploads
from uploads.ports import BadRequest
from uploads.ratelimit import LIMITS, InMemoryCounters, RateLimiter

log = logging.getLogger("photoshare.guest")
log.setLevel(logging.INFO)

# A synchronous Lambda request is capped at 6 MB including its JSON envelope; base64 leaves
# about 4.4 MB of photo, whatever PHOTOSHARE_MAX_UPLOAD_BYTES allows. The guest page downscales
# well below that.
MAX_REQUEST_BYTES = 6 * 1024 * 1024
MAX_PHOTO_IN_PAYLOAD = 4_400_000
# The largest direct upload this function checks and stores within the completion request; a larger
# one is only joined, answered 202 "processing", and completed by the bucket's ObjectCreated in the
# dashboard function (900 s, its /tmp sized for the largest video: zappa_settings.json). Completing
# inline reads the object into /tmp (512 MB here), hashes it and writes it back, all within 28 s of
# which uploads/aws/budget.py keeps the last 10 for giving the slot back: 18 s. For 64 MB the CPU part (spool, SHA-256,
# blank, read back) took 0.1 s on the 2-core test machine (`python -m bench.inline_check`), perhaps
# 0.4 s on a 512 MB function's third of a vCPU; S3 from Lambda moves roughly 50-90 MB/s, so 64 MB
# down and up is 2-3 s: a 5x margin for a slow moment. 200 MB would be 6-10 s, too close to 18.
FINISH_INLINE_UP_TO = 64 * 1024 * 1024
# An API Gateway proxy event or answer, as JSON.
Event = dict[str, Any]
# One route's answer from what its path matched and the proxy event.
Action = Callable[[re.Match[str], Event], http.Answer]


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


@functools.cache
def direct_uploads() -> DirectUploads:
    """Originals and videos, sent straight to the photo bucket's `_incoming/` (uploads/direct.py)."""
    settings = config()
    staging = S3Staging(
        clients.guest_s3(),
        settings.photo_bucket,
        part_size=settings.upload_part_bytes,
        presigner=clients.s3_presigner(),
    )
    lifetime = timedelta(seconds=settings.upload_url_seconds)
    # Not capped by the Lambda payload: the photo travels straight to S3, not through this function.
    return DirectUploads(
        uploader(),
        staging,
        lifetime=lifetime,
        max_photo_bytes=settings.max_upload_bytes,
        finish_inline_up_to=FINISH_INLINE_UP_TO,
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
    for pattern, allowed, action in _ROUTES:
        found = pattern.search(path)
        if found:
            if method != allowed:
                return http.METHOD_NOT_ALLOWED
            return http.answer(functools.partial(action, found, event))
    return http.NOT_FOUND


def _event_info(found: re.Match[str], event: Event) -> http.Answer:
    return http.event_answer(direct_uploads(), found.group(1), _query(event))


def _upload(found: re.Match[str], event: Event) -> http.Answer:
    raw = event.get("body") or ""
    if len(raw) > MAX_REQUEST_BYTES:
        return http.too_large_body(max_upload_bytes())
    return http.upload_answer(uploader(), _body_bytes(event, raw), max_upload_bytes(), _client_address(event))


def _start(found: re.Match[str], event: Event) -> http.Answer:
    return http.start_answer(direct_uploads(), _small_body(event), _client_address(event))


def _status(found: re.Match[str], event: Event) -> http.Answer:
    return http.status_answer(direct_uploads(), found.group(1), _query(event))


def _complete(found: re.Match[str], event: Event) -> http.Answer:
    return http.complete_answer(direct_uploads(), found.group(1), _small_body(event))


_ROUTES: list[tuple[re.Pattern[str], str, Action]] = [
    (re.compile(r"(?:^|/)events/([^/]+)/?$"), "GET", _event_info),
    (re.compile(r"(?:^|/)upload/?$"), "POST", _upload),
    (re.compile(r"(?:^|/)uploads/?$"), "POST", _start),
    (re.compile(r"(?:^|/)uploads/([^/]+)/?$"), "GET", _status),
    (re.compile(r"(?:^|/)uploads/([^/]+)/complete/?$"), "POST", _complete),
]


def _query(event: Event) -> dict[str, str]:
    return event.get("queryStringParameters") or {}


def _small_body(event: Event) -> bytes:
    """A direct upload's JSON body: a few fields (and a poster), never the file."""
    raw = event.get("body") or ""
    if len(raw) > MAX_REQUEST_BYTES:
        raise BadRequest("The request body is too large.")
    return _body_bytes(event, raw)


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
