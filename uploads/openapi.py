"""The guest API's OpenAPI 3 description, served at /api/openapi.json (and fuzzed by schemathesis)."""

from typing import Any

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
    },
}
