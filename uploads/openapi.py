"""The guest API's OpenAPI 3 description, served at /api/openapi.json (and fuzzed by schemathesis)."""

from typing import Any

from uploads.naming import GUEST_NAME_MAX, SLUG_PATTERN
from uploads.policy import GUEST_LANGUAGES

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
        "missing": {
            "type": "array",
            "items": {"type": "integer", "minimum": 1},
            "description": "incomplete: the parts still to send.",
        },
    },
}
_UUID = {"type": "string", "format": "uuid"}
# The event's upload key (uploads/payload.py: parse_upload_key).
_KEY = {"type": "string", "minLength": 1, "maxLength": 128}
_KEY_QUERY = {"name": "key", "in": "query", "required": True, "schema": _KEY}


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
        "maxPhotoBytes": {"type": "integer", "minimum": 1},
        "maxVideoBytes": {"type": "integer", "minimum": 1},
        "quality": {"type": "string", "enum": ["original", "smaller"]},
        "language": {
            "type": "string",
            "enum": ["", *GUEST_LANGUAGES],
            "description": "The page's language for every guest; empty: each phone's own.",
        },
        "partSize": {"type": "integer", "minimum": 1, "description": "Larger files are sent in parts of this size."},
        "device": {
            "type": "object",
            "required": ["count", "limit", "remaining"],
            "properties": {n: {"type": "integer", "minimum": 0} for n in ("count", "limit", "remaining")},
        },
    },
}
# Who sends, to which event: the same fields in both upload protocols.
_SENDER = {
    "eventName": {"type": "string", "pattern": SLUG_PATTERN},
    "uploadKey": _KEY,
    "guestName": {"type": "string", "minLength": 1, "maxLength": GUEST_NAME_MAX},
    "deviceId": _UUID,
}
UPLOAD_REQUEST = {
    "type": "object",
    "required": ["eventName", "uploadKey", "guestName", "deviceId", "image"],
    "properties": _SENDER
    | {
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

CONTENT_TYPES = [
    "image/jpeg",
    "image/png",
    "image/webp",
    "image/heic",
    "image/heif",
    "video/mp4",
    "video/quicktime",
    "video/webm",
]
START_REQUEST = {
    "type": "object",
    "required": ["eventName", "uploadKey", "guestName", "deviceId", "size", "sha256", "contentType"],
    "properties": _SENDER
    | {
        "size": {"type": "integer", "minimum": 1, "description": "Bytes that will be sent."},
        "sha256": {"type": "string", "pattern": "^[0-9a-f]{64}$", "description": "Of exactly those bytes."},
        "contentType": {"type": "string", "enum": CONTENT_TYPES},
    },
}
_TARGET = {
    "type": "object",
    "required": ["method", "url", "headers"],
    "properties": {
        "method": {"type": "string", "enum": ["PUT"]},
        "url": {"type": "string"},
        "headers": {"type": "object", "additionalProperties": {"type": "string"}},
    },
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
        "headers": {"type": "object", "additionalProperties": {"type": "string"}},
    },
}
PENDING = {
    "type": "object",
    "required": ["status", "uploadId", "expiresAt"],
    "properties": {
        "status": {"type": "string", "enum": ["pending"]},
        "uploadId": {"type": "string"},
        "expiresAt": {"type": "string", "format": "date-time"},
        "upload": _TARGET,
        "multipart": _MULTIPART,
        "count": {"type": "integer", "minimum": 1},
        "limit": {"type": "integer", "minimum": 0},
        "remaining": {"type": "integer", "minimum": 0},
        "received": {"type": "array", "items": {"type": "integer", "minimum": 1}},
    },
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
COMPLETE_REQUEST = {
    "type": "object",
    "required": ["key", "deviceId"],
    "properties": {
        "key": _KEY,
        "deviceId": _UUID,
        "parts": {
            "type": "array",
            "maxItems": 10_000,
            "items": {
                "type": "object",
                "required": ["number", "etag"],
                "properties": {
                    "number": {"type": "integer", "minimum": 1, "maximum": 10_000},
                    "etag": {"type": "string", "minLength": 1, "maxLength": 200},
                },
            },
            "description": "A multipart upload's: each part once, with the ETag its PUT answered.",
        },
        "poster": {"type": "string", "description": "Videos: a base64 JPEG of a frame, up to 256 KB."},
    },
}
_UPLOAD_ID = {"name": "uploadId", "in": "path", "required": True, "schema": {"type": "string"}}
RECEIVED = {
    "type": "object",
    "required": ["status", "part", "etag"],
    "properties": {
        "status": {"type": "string", "enum": ["received"]},
        "part": {"type": "integer", "minimum": 1},
        "etag": {"type": "string"},
    },
}
# The local server's signed URL (uploads/local_put.py): every field is signed, so only a URL a start or
# status answered is taken as it is. On AWS the URLs are S3's own, not part of this API.
_SIGNED_QUERY = [
    {"name": name, "in": "query", "required": required, "schema": schema}
    for name, required, schema in [
        ("deviceId", True, _UUID),
        ("size", True, {"type": "integer"}),
        ("part", False, {"type": "integer"}),
        ("partSize", False, {"type": "integer"}),
        ("expires", True, {"type": "integer"}),
        ("sig", True, {"type": "string"}),
    ]
]

# My uploads (served by the dashboard, locally and on AWS: the photos' records live in its database).
_ISO = {"type": "string", "format": "date-time"}
_KIND = {"type": "string", "enum": ["photo", "video"]}
MINE = {
    "type": "object",
    "required": ["uploads", "pending", "guestDelete", "album"],
    "properties": {
        "uploads": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["id", "kind", "state", "uploadedAt", "thumbnailUrl", "canDelete"],
                "properties": {
                    "id": {"type": "integer"},
                    "kind": _KIND,
                    "state": {"type": "string", "enum": ["uploaded", "waiting", "hidden"]},
                    "uploadedAt": _ISO,
                    "thumbnailUrl": {"type": "string"},
                    "canDelete": {"type": "boolean"},
                },
            },
        },
        "pending": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["id", "kind", "state", "startedAt"],
                "properties": {
                    "id": {"type": "string", "description": "The SHA-256 of the bytes being sent."},
                    "kind": _KIND,
                    "state": {"type": "string", "enum": ["uploading"]},
                    "startedAt": _ISO,
                },
            },
        },
        "guestDelete": {"type": "string", "enum": ["refund", "keep_slot", "off"]},
        "album": {
            "type": "object",
            "nullable": True,
            "required": ["url", "revealAt"],
            "properties": {"url": {"type": "string"}, "revealAt": {**_ISO, "nullable": True}},
        },
    },
}
_OWN_UPLOAD = [
    {"name": "slug", "in": "path", "required": True, "schema": {"type": "string"}},
    {"name": "pk", "in": "path", "required": True, "schema": {"type": "integer"}},
]
OWN_REQUEST = {"type": "object", "required": ["key", "deviceId"], "properties": {"key": _KEY, "deviceId": _UUID}}
DELETED = {
    "type": "object",
    "required": ["status", "id"],
    "properties": {"status": {"type": "string", "enum": ["deleted"]}, "id": {"type": "integer"}},
}
_IMAGE = {"type": "string", "format": "binary"}

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
                    _KEY_QUERY,
                    {"name": "deviceId", "in": "query", "required": False, "schema": _UUID},
                ],
                "responses": {"200": _json("The event", EVENT)} | _errors(400, 403, 404, 503),
            }
        },
        "/api/events/{slug}/mine": {
            "get": {
                "operationId": "myUploads",
                "summary": "This phone's uploads to the event with their state, those on their way, and the album.",
                "parameters": [
                    {"name": "slug", "in": "path", "required": True, "schema": {"type": "string"}},
                    _KEY_QUERY,
                    {"name": "deviceId", "in": "query", "required": True, "schema": _UUID},
                ],
                "responses": {"200": _json("This phone's uploads", MINE)} | _errors(400, 403, 404, 503),
            }
        },
        "/api/events/{slug}/mine/{pk}/thumbnail": {
            "get": {
                "operationId": "myUploadThumbnail",
                "summary": "One of this phone's uploads as a thumbnail (on AWS a 302 to a presigned link).",
                "parameters": [
                    *_OWN_UPLOAD,
                    _KEY_QUERY,
                    {"name": "deviceId", "in": "query", "required": True, "schema": _UUID},
                ],
                "responses": {
                    "200": {
                        "description": "The thumbnail, or a placeholder while there is none",
                        "content": {"image/webp": {"schema": _IMAGE}, "image/svg+xml": {"schema": _IMAGE}},
                    },
                    "302": {"description": "AWS: the presigned link"},
                }
                | _errors(404),
            }
        },
        "/api/events/{slug}/mine/{pk}/delete": {
            "post": {
                "operationId": "deleteMyUpload",
                "summary": "Delete one of this phone's uploads, as the event allows (with or without the slot back).",
                "parameters": _OWN_UPLOAD,
                "requestBody": {"required": True, "content": {"application/json": {"schema": OWN_REQUEST}}},
                "responses": {"200": _json("Deleted", DELETED)} | _errors(400, 403, 404, 503),
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
                "summary": "Reserve a slot for one photo or video and get where to send its bytes.",
                "requestBody": {"required": True, "content": {"application/json": {"schema": START_REQUEST}}},
                "responses": {
                    "201": _json("Reserved: send the bytes, then complete", PENDING),
                    "200": _json("This phone already uploaded these bytes", UPLOADED),
                }
                | _errors(400, 403, 404, 409, 413, 429, 503),
            }
        },
        "/api/uploads/{uploadId}": {
            "get": {
                "operationId": "uploadStatus",
                "summary": "Which parts of a pending upload have arrived, with fresh links for the rest.",
                "parameters": [
                    _UPLOAD_ID,
                    _KEY_QUERY,
                    {"name": "deviceId", "in": "query", "required": True, "schema": _UUID},
                ],
                "responses": {
                    "200": _json("Waiting, being checked, or stored", {"anyOf": [PENDING, PROCESSING, UPLOADED]}),
                }
                | _errors(400, 403, 404, 503),
            }
        },
        "/api/uploads/{uploadId}/complete": {
            "post": {
                "operationId": "completeUpload",
                "summary": "Check what arrived and store it: the slot is spent only now.",
                "parameters": [_UPLOAD_ID],
                "requestBody": {"required": True, "content": {"application/json": {"schema": COMPLETE_REQUEST}}},
                "responses": {
                    "200": _json("Stored (or already stored)", UPLOADED),
                    "202": _json("Too large to check within the request: ask the status", PROCESSING),
                }
                | _errors(400, 403, 404, 409, 503),
            }
        },
        "/api/uploads/{uploadId}/data": {
            "put": {
                "operationId": "sendBytes",
                "summary": "The local server only: the file's bytes, or one part's, to a URL a start handed out.",
                "parameters": [_UPLOAD_ID, *_SIGNED_QUERY],
                "requestBody": {
                    "required": True,
                    "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}},
                },
                "responses": {"200": _json("Received (the ETag header says it too)", RECEIVED)}
                | _errors(400, 403, 404, 411, 503),
            }
        },
    },
}
