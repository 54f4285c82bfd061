"""The guest API's OpenAPI 3 description, served at /api/openapi.json (and fuzzed by schemathesis)."""

from typing import Any

from uploads.direct import CONTENT_TYPES
from uploads.naming import GUEST_NAME_MAX, SLUG_PATTERN

_ERROR = {
    "type": "object",
    "required": ["status", "message"],
    "properties": {
        "status": {
            "type": "string",
            "description": "A stable code, e.g. invalid_field, wrong_key, limit_reached, event_full, rate_limited.",
        },
        "message": {"type": "string", "description": "Safe to show the guest."},
        "field": {"type": "string"},
        "count": {"type": "integer"},
        "limit": {"type": "integer"},
        "remaining": {"type": "integer"},
        "retryAfter": {"type": "integer", "description": "rate_limited: seconds to wait (also Retry-After)."},
        "missing": {"type": "array", "items": {"type": "integer"}, "description": "incomplete: parts to send."},
    },
}
_UUID = {"type": "string", "format": "uuid"}


def _errors(*statuses: int) -> dict[str, Any]:
    return {str(s): {"description": "Refused", "content": {"application/json": {"schema": _ERROR}}} for s in statuses}


def _json(description: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


EVENT = {
    "type": "object",
    "required": ["slug", "name", "limit", "open"],
    "properties": {
        "slug": {"type": "string"},
        "name": {"type": "string"},
        "limit": {"type": "integer", "minimum": 1},
        "open": {"type": "boolean"},
        "allowVideos": {"type": "boolean"},
        "maxVideoBytes": {"type": "integer", "minimum": 0},
        "maxPhotoBytes": {"type": "integer", "minimum": 0},
        "quality": {"type": "string", "enum": ["original", "smaller"]},
        "partSize": {"type": "integer", "minimum": 1},
        "device": {
            "type": "object",
            "required": ["count", "limit", "remaining"],
            "properties": {n: {"type": "integer", "minimum": 0} for n in ("count", "limit", "remaining")},
        },
    },
}
UPLOAD_REQUEST = {
    "type": "object",
    "required": ["eventName", "uploadKey", "guestName", "deviceId", "image"],
    "properties": {
        "eventName": {"type": "string", "pattern": SLUG_PATTERN},
        "uploadKey": {"type": "string", "minLength": 1, "maxLength": 128},
        "guestName": {"type": "string", "minLength": 1, "maxLength": GUEST_NAME_MAX},
        "deviceId": _UUID,
        "image": {"type": "string", "description": "Base64 JPEG, PNG, WebP or HEIC; a data: URL prefix is allowed."},
    },
}
UPLOADED = {
    "type": "object",
    "required": ["status", "count", "limit", "remaining", "key", "duplicate"],
    "properties": {
        "status": {"type": "string", "enum": ["ok"]},
        "count": {"type": "integer", "minimum": 1},
        "limit": {"type": "integer", "minimum": 0},
        "remaining": {"type": "integer", "minimum": 0},
        "key": {"type": "string"},
        "duplicate": {"type": "boolean"},
    },
}
_TARGET = {
    "type": "object",
    "required": ["method", "url", "headers"],
    "properties": {"method": {"type": "string"}, "url": {"type": "string"}, "headers": {"type": "object"}},
}
_MULTIPART = {
    "type": "object",
    "required": ["partSize", "parts", "headers"],
    "properties": {
        "partSize": {"type": "integer", "minimum": 1},
        "parts": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["number", "url"],
                "properties": {"number": {"type": "integer", "minimum": 1}, "url": {"type": "string"}},
            },
        },
        "headers": {"type": "object"},
    },
}
_PENDING = {
    "uploadId": {"type": "string"},
    "expiresAt": {"type": "string", "format": "date-time"},
    "upload": _TARGET,
    "multipart": _MULTIPART,
}
STARTED = {
    "type": "object",
    "required": ["status", "uploadId", "expiresAt", "count", "limit", "remaining"],
    "properties": {"status": {"type": "string", "enum": ["pending"]}}
    | _PENDING
    | {n: {"type": "integer", "minimum": 0} for n in ("count", "limit", "remaining")},
}
WAITING = {
    "type": "object",
    "required": ["status", "uploadId", "expiresAt", "received"],
    "properties": {"status": {"type": "string", "enum": ["pending"]}}
    | _PENDING
    | {"received": {"type": "array", "items": {"type": "integer", "minimum": 1}}},
}
PROCESSING = {
    "type": "object",
    "required": ["status", "uploadId", "retryAfter"],
    "description": "Every byte arrived; the server checks and stores them on its own (large files on AWS).",
    "properties": {
        "status": {"type": "string", "enum": ["processing"]},
        "uploadId": {"type": "string"},
        "retryAfter": {"type": "integer", "minimum": 1, "description": "Seconds before asking the status again."},
    },
}
START_REQUEST = {
    "type": "object",
    "required": ["eventName", "uploadKey", "guestName", "deviceId", "size", "sha256", "contentType"],
    "properties": {
        "eventName": {"type": "string", "pattern": SLUG_PATTERN},
        "uploadKey": {"type": "string", "minLength": 1, "maxLength": 128},
        "guestName": {"type": "string", "minLength": 1, "maxLength": GUEST_NAME_MAX},
        "deviceId": _UUID,
        "size": {"type": "integer", "minimum": 1},
        "sha256": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
        "contentType": {"type": "string", "enum": list(CONTENT_TYPES)},
    },
}
COMPLETE_REQUEST = {
    "type": "object",
    "required": ["key", "deviceId"],
    "properties": {
        "key": {"type": "string", "minLength": 1, "maxLength": 128},
        "deviceId": _UUID,
        "parts": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["number", "etag"],
                "properties": {"number": {"type": "integer", "minimum": 1}, "etag": {"type": "string"}},
            },
        },
        "poster": {"type": "string", "description": "A video's poster: base64 JPEG up to 256 KB (ignored if bad)."},
    },
}
_UPLOAD_ID = {"name": "uploadId", "in": "path", "required": True, "schema": {"type": "string"}}

SCHEMA = {
    "openapi": "3.0.3",
    "info": {"title": "photoshare guest API", "version": "1"},
    "paths": {
        "/api/events/{slug}": {
            "get": {
                "operationId": "describeEvent",
                "summary": "What the guest page needs about an event, and about this phone when deviceId is given.",
                "parameters": [
                    {"name": "slug", "in": "path", "required": True, "schema": {"type": "string"}},
                    {"name": "key", "in": "query", "required": True, "schema": {"type": "string"}},
                    {"name": "deviceId", "in": "query", "required": False, "schema": _UUID},
                ],
                "responses": {"200": _json("The event", EVENT)} | _errors(400, 403, 404, 503),
            }
        },
        "/api/upload": {
            "post": {
                "operationId": "uploadPhoto",
                "summary": "Store one photo and spend one of the phone's slots.",
                "requestBody": {"required": True, "content": {"application/json": {"schema": UPLOAD_REQUEST}}},
                "responses": {"200": _json("Stored (or already stored)", UPLOADED)}
                | _errors(400, 403, 404, 409, 413, 429, 503),
            }
        },
        "/api/uploads": {
            "post": {
                "operationId": "startUpload",
                "summary": "Announce a file (size, SHA-256, type), hold a slot, and learn where to send its bytes.",
                "requestBody": {"required": True, "content": {"application/json": {"schema": START_REQUEST}}},
                "responses": {
                    "200": _json("Already stored", UPLOADED),
                    "201": _json("Slot held: send the bytes", STARTED),
                }
                | _errors(400, 403, 404, 409, 413, 429, 503),
            }
        },
        "/api/uploads/{uploadId}": {
            "get": {
                "operationId": "uploadStatus",
                "summary": "The parts a started upload has received, with fresh URLs for the rest.",
                "parameters": [
                    _UPLOAD_ID,
                    {"name": "key", "in": "query", "required": True, "schema": {"type": "string"}},
                    {"name": "deviceId", "in": "query", "required": True, "schema": _UUID},
                ],
                "responses": {
                    "200": _json("Waiting, being checked, or stored", {"anyOf": [WAITING, PROCESSING, UPLOADED]})
                }
                | _errors(400, 403, 404, 503),
            }
        },
        "/api/uploads/{uploadId}/complete": {
            "post": {
                "operationId": "completeUpload",
                "summary": "Check the bytes that arrived, store them and count them.",
                "parameters": [_UPLOAD_ID],
                "requestBody": {"required": True, "content": {"application/json": {"schema": COMPLETE_REQUEST}}},
                "responses": {
                    "200": _json("Stored (or already stored)", UPLOADED),
                    "202": _json("Too large to check within the request: ask the status", PROCESSING),
                }
                | _errors(400, 403, 404, 409, 503),
            }
        },
    },
}
