"""The guest API's responses as (status, body) pairs, shared by the Django views and the Lambda.

Domain errors map to HTTP statuses here and nowhere else.
"""

from uploads.core import EventView, UploadResult
from uploads.ports import (
    EventClosed,
    InvalidField,
    InvalidImage,
    LimitReached,
    QuotaUnavailable,
    StorageUnavailable,
    TooLarge,
    UnknownEvent,
    UploadError,
    UploadInProgress,
    WrongKey,
)

# Most specific first: the first matching class decides.
_STATUSES: list[tuple[type[UploadError], int, str]] = [
    (InvalidField, 400, "invalid_field"),
    (InvalidImage, 400, "invalid_image"),
    (TooLarge, 413, "too_large"),
    (WrongKey, 403, "wrong_key"),
    (EventClosed, 403, "event_closed"),
    (UnknownEvent, 404, "unknown_event"),
    (UploadInProgress, 409, "in_progress"),
    (LimitReached, 429, "limit_reached"),
    (StorageUnavailable, 503, "unavailable"),
    (QuotaUnavailable, 503, "unavailable"),
    (UploadError, 400, "bad_request"),
]

NOT_FOUND = (404, {"status": "not_found", "message": "There is nothing here."})
METHOD_NOT_ALLOWED = (405, {"status": "method_not_allowed", "message": "This method is not allowed here."})
SERVER_ERROR = (500, {"status": "error", "message": "Something went wrong on our side. Please try again."})
# Seconds a client should wait before retrying, by status.
RETRY_AFTER = {409: 5, 503: 10}


def error_body(error: UploadError) -> tuple[int, dict]:
    status, code = next((s, c) for cls, s, c in _STATUSES if isinstance(error, cls))
    body = {"status": code, "message": error.message}
    if isinstance(error, InvalidField):
        body["field"] = error.field
    if isinstance(error, LimitReached):
        body.update(count=error.count, limit=error.limit, remaining=0)
    return status, body


def too_large_body(max_bytes: int) -> tuple[int, dict]:
    return error_body(TooLarge(f"The photo is larger than {max_bytes // (1024 * 1024)} MB."))


def upload_body(result: UploadResult) -> tuple[int, dict]:
    return 200, {
        "status": "ok",
        "count": result.count,
        "limit": result.limit,
        "remaining": result.remaining,
        "key": result.key,
        "duplicate": result.duplicate,
    }


def event_body(view: EventView) -> tuple[int, dict]:
    body = {"slug": view.policy.slug, "name": view.policy.name, "limit": view.policy.limit, "open": view.policy.is_open}
    if view.count is not None:
        body["device"] = {"count": view.count, "limit": view.limit, "remaining": view.remaining}
    return 200, body
