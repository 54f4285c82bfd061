"""The guest API's requests and responses as (status, body) pairs, shared by the Django views
and the Lambda handler, which only move bytes in and out.

Domain errors map to HTTP statuses here and nowhere else.
"""

import logging
from collections.abc import Callable, Mapping
from datetime import UTC

from uploads.core import EventView, Uploader, UploadResult
from uploads.direct import DirectUploads, Processing, Started, Waiting
from uploads.payload import parse_complete, parse_device, parse_start, parse_upload, parse_upload_key
from uploads.ports import (
    DeleteNotAllowed,
    EventClosed,
    EventFull,
    InvalidField,
    InvalidImage,
    LimitReached,
    QuotaUnavailable,
    RateLimited,
    StorageFull,
    StorageUnavailable,
    Targets,
    TooLarge,
    UnknownEvent,
    UnknownPhoto,
    UnknownUpload,
    UnsupportedMedia,
    UploadError,
    UploadIncomplete,
    UploadInProgress,
    VideosNotAllowed,
    WrongBytes,
    WrongKey,
)

log = logging.getLogger(__name__)

# A JSON body: what json.dumps takes.
Body = dict[str, object]
Answer = tuple[int, Body]

# Most specific first: the first matching class decides.
_STATUSES: list[tuple[type[UploadError], int, str]] = [
    (InvalidField, 400, "invalid_field"),
    (InvalidImage, 400, "invalid_image"),
    (WrongBytes, 400, "wrong_bytes"),
    (UnsupportedMedia, 400, "unsupported_media"),
    (TooLarge, 413, "too_large"),
    (WrongKey, 403, "wrong_key"),
    (EventClosed, 403, "event_closed"),
    (VideosNotAllowed, 403, "videos_not_allowed"),
    (DeleteNotAllowed, 403, "delete_not_allowed"),
    # 403, not 429: a full event stays full (like a closed one), while 429 says "later" to clients,
    # proxies and the page's retry queue, and belongs to the per-device limit and the rate limits.
    (EventFull, 403, "event_full"),
    (UnknownEvent, 404, "unknown_event"),
    (UnknownUpload, 404, "unknown_upload"),
    (UnknownPhoto, 404, "unknown_photo"),
    (UploadInProgress, 409, "in_progress"),
    # The parts not named in `missing` arrived: send those, then complete again.
    (UploadIncomplete, 409, "incomplete"),
    (LimitReached, 429, "limit_reached"),
    (StorageFull, 503, "storage_full"),
    (RateLimited, 429, "rate_limited"),
    (StorageUnavailable, 503, "unavailable"),
    (QuotaUnavailable, 503, "unavailable"),
    (UploadError, 400, "bad_request"),
]

NOT_FOUND: Answer = (404, {"status": "not_found", "message": "There is nothing here."})
METHOD_NOT_ALLOWED: Answer = (405, {"status": "method_not_allowed", "message": "This method is not allowed here."})
LENGTH_REQUIRED: Answer = (411, {"status": "length_required", "message": "Send the body with its Content-Length."})
SERVER_ERROR: Answer = (500, {"status": "error", "message": "Something went wrong on our side. Please try again."})
# Seconds a client should wait before retrying, by answer: only where a retry can succeed (a spent
# limit_reached never gets one, though it shares 429 with rate_limited, which says its own wait).
RETRY_AFTER = {"in_progress": 5, "unavailable": 10, "storage_full": 60}
# How often a page asks again about an upload the bucket's event is checking (Processing): a large
# video takes about a minute there (README, "Direct uploads on AWS").
PROCESSING_RETRY_SECONDS = 3


def response_headers(body: Body | None, origin: str | None, allowed_origins: list[str]) -> dict[str, str]:
    """Headers every guest API answer carries: no caching, Retry-After when worth retrying, CORS."""
    headers = {"Content-Type": "application/json", "Cache-Control": "no-store"}
    body = body or {}
    retry_after = body.get("retryAfter") or RETRY_AFTER.get(str(body.get("status")))
    if retry_after:
        headers["Retry-After"] = str(retry_after)
    if origin and origin in allowed_origins:
        headers |= {
            "Access-Control-Allow-Origin": origin,
            "Access-Control-Allow-Methods": "GET, POST, OPTIONS",
            "Access-Control-Allow-Headers": "Content-Type",
            # The guest page, on another origin on AWS, waits as long as a refusal says.
            "Access-Control-Expose-Headers": "Retry-After",
            "Access-Control-Max-Age": "3600",
            "Vary": "Origin",
        }
    return headers


def error_body(error: UploadError) -> Answer:
    status, code = next((s, c) for cls, s, c in _STATUSES if isinstance(error, cls))
    body: Body = {"status": code, "message": error.message}
    if isinstance(error, InvalidField):
        body["field"] = error.field
    if isinstance(error, LimitReached):
        body |= {"count": error.count, "limit": error.limit, "remaining": 0}
    if isinstance(error, RateLimited):
        body["retryAfter"] = error.retry_after
    if isinstance(error, UploadIncomplete):
        body["missing"] = error.missing
    return status, body


def too_large_body(max_bytes: int) -> Answer:
    return error_body(TooLarge(f"The photo is larger than {max_bytes // (1024 * 1024)} MB."))


def upload_body(result: UploadResult) -> Answer:
    return 200, {
        "status": "ok",
        "count": result.count,
        "limit": result.limit,
        "remaining": result.remaining,
        "key": result.key,
        "duplicate": result.duplicate,
    }


def event_body(view: EventView, *, max_photo_bytes: int, part_size: int) -> Answer:
    policy = view.policy
    body: Body = {"slug": policy.slug, "name": policy.name, "limit": policy.limit, "open": view.open}
    # What the page needs to choose how to send a file (uploads/direct.py), before it starts one.
    body |= {"allowVideos": policy.allow_videos, "maxVideoBytes": policy.max_video_bytes}
    body |= {"maxPhotoBytes": max_photo_bytes, "quality": policy.quality, "partSize": part_size}
    body["language"] = policy.language
    if view.count is not None:
        body["device"] = {"count": view.count, "limit": view.limit, "remaining": view.remaining}
    return 200, body


def answer(action: Callable[[], Answer]) -> Answer:
    """Run one request's action; whatever a client sends, the answer is JSON, never a traceback."""
    try:
        return action()
    except UploadError as error:
        return error_body(error)
    except Exception:
        log.exception("guest API failed")
        return SERVER_ERROR


def event_answer(direct: DirectUploads, slug: str, query: Mapping[str, str]) -> Answer:
    device = query.get("deviceId")
    view = direct.uploader.event_view(
        slug, parse_upload_key(query.get("key"), "key"), parse_device(device) if device else None
    )
    return event_body(view, max_photo_bytes=direct.max_photo_bytes, part_size=direct.staging.part_size)


def upload_answer(uploader: Uploader, body: bytes, max_bytes: int, client: str) -> Answer:
    """`client`: the address the request came from (the transport knows it), for the rate limit."""
    return upload_body(uploader.upload(parse_upload(body, max_bytes), client))


def targets_body(targets: Targets) -> Body:
    """Where a direct upload's bytes go: one request, or one per part (all with the same headers)."""
    if targets.single:
        return {
            "upload": {"method": targets.single.method, "url": targets.single.url, "headers": targets.single.headers}
        }
    parts = targets.parts or []
    return {
        "multipart": {
            "partSize": targets.part_size,
            "parts": [{"number": n, "url": part.url} for n, part in enumerate(parts, start=1)],
            "headers": parts[0].headers if parts else {},
        }
    }


def start_answer(direct: DirectUploads, body: bytes, client: str) -> Answer:
    """`client`: the address the request came from, for the rate limit."""
    started = direct.start(parse_start(body), client)
    if isinstance(started, UploadResult):
        return upload_body(started)
    return 201, {
        "status": "pending",
        "uploadId": started.upload.upload_id,
        "expiresAt": _iso(started),
        "count": started.count,
        "limit": started.limit,
        "remaining": started.remaining,
    } | targets_body(started.targets)


def status_answer(direct: DirectUploads, upload_id: str, query: Mapping[str, str]) -> Answer:
    key, device = parse_upload_key(query.get("key"), "key"), parse_device(query.get("deviceId"))
    waiting = direct.status(upload_id, key, device)
    if isinstance(waiting, UploadResult):
        return upload_body(waiting)
    if isinstance(waiting, Processing):
        return 200, processing_body(waiting)
    return 200, {
        "status": "pending",
        "uploadId": waiting.upload.upload_id,
        "expiresAt": _iso(waiting),
        "received": waiting.received,
    } | targets_body(waiting.targets)


def complete_answer(direct: DirectUploads, upload_id: str, body: bytes) -> Answer:
    request = parse_complete(body)
    result = direct.complete(upload_id, request.upload_key, request.device, request.etags, request.poster)
    if isinstance(result, Processing):
        return 202, processing_body(result)
    return upload_body(result)


def processing_body(processing: Processing) -> Body:
    """Every byte arrived; the server checks them on its own: ask `GET /api/uploads/<id>` again."""
    return {"status": "processing", "uploadId": processing.upload.upload_id, "retryAfter": PROCESSING_RETRY_SECONDS}


def _iso(pending: Started | Waiting) -> str:
    return pending.upload.expires_at.astimezone(UTC).isoformat().replace("+00:00", "Z")
