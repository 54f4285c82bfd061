"""Parse the guest API's JSON bodies into validated requests (sizes, then fields)."""

import base64
import binascii
import json
import logging
import re
from dataclasses import dataclass

from uploads.core import UploadRequest
from uploads.direct import CONTENT_TYPES, POSTER_MAX_BYTES, StartRequest
from uploads.naming import GUEST_NAME_MAX, SLUG_PATTERN, clean_guest_name
from uploads.ports import BadRequest, InvalidField, TooLarge

log = logging.getLogger(__name__)

# Matched with fullmatch: `$` alone also matches before a final newline, which would slip into ids and keys.
_SLUG = re.compile(SLUG_PATTERN)
_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
_DATA_URL = re.compile(r"^data:image/[a-z0-9.+-]+;base64,", re.IGNORECASE)
_KEY_MAX = 128
_SHA256 = re.compile(r"^[0-9a-f]{64}$")
# A multipart upload has at most this many parts (S3's own limit), each ETag a short quoted hash.
_PARTS_MAX = 10_000
_ETAG_MAX = 200


def parse_slug(value: object) -> str:
    if not isinstance(value, str) or not _SLUG.fullmatch(value):
        raise InvalidField("eventName", "eventName must be an event's short name (lowercase letters, digits, hyphens).")
    return value


def parse_device(value: object, field: str = "deviceId") -> str:
    text = value.lower() if isinstance(value, str) else ""
    if not _UUID.fullmatch(text):
        raise InvalidField(field, f"{field} must be a UUID.")
    return text


def parse_upload_key(value: object, field: str = "uploadKey") -> str:
    if not isinstance(value, str) or not 0 < len(value) <= _KEY_MAX:
        raise InvalidField(field, f"{field} is missing or malformed.")
    return value


def parse_guest_name(value: object) -> str:
    name = clean_guest_name(value) if isinstance(value, str) and len(value) <= 4 * GUEST_NAME_MAX else ""
    if not 0 < len(name) <= GUEST_NAME_MAX:
        raise InvalidField("guestName", f"guestName must be 1 to {GUEST_NAME_MAX} characters.")
    return name


def parse_image(value: object, max_bytes: int) -> bytes:
    if not isinstance(value, str) or not value:
        raise InvalidField("image", "image must be a base64-encoded photo.")
    encoded = _DATA_URL.sub("", value, count=1)
    # Checked before decoding so an oversized photo costs no memory.
    if len(encoded) * 3 // 4 > max_bytes + 2:
        raise TooLarge(f"The photo is larger than {max_bytes // (1024 * 1024)} MB.")
    try:
        data = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        raise InvalidField("image", "image is not valid base64.") from None
    if len(data) > max_bytes:
        raise TooLarge(f"The photo is larger than {max_bytes // (1024 * 1024)} MB.")
    if not data:
        raise InvalidField("image", "image is empty.")
    return data


def _object(body: bytes) -> dict[str, object]:
    try:
        fields = json.loads(body)
    except (ValueError, UnicodeDecodeError, RecursionError):  # RecursionError: "[[[[..." thousands deep
        raise BadRequest("The request body must be JSON.") from None
    if not isinstance(fields, dict):
        raise BadRequest("The request body must be a JSON object.")
    return fields


def parse_upload(body: bytes, max_bytes: int) -> UploadRequest:
    """Raise TooLarge, InvalidField or BadRequest with a message naming what is wrong."""
    fields = _object(body)
    return UploadRequest(
        event=parse_slug(fields.get("eventName")),
        upload_key=parse_upload_key(fields.get("uploadKey")),
        guest_name=parse_guest_name(fields.get("guestName")),
        device=parse_device(fields.get("deviceId")),
        image=parse_image(fields.get("image"), max_bytes),
    )


def parse_start(body: bytes) -> StartRequest:
    """A direct upload's start: who sends what, by its exact size, SHA-256 and type."""
    fields = _object(body)
    size, sha256, content_type = fields.get("size"), fields.get("sha256"), fields.get("contentType")
    # bool is an int to Python, not to a client.
    if not isinstance(size, int) or isinstance(size, bool) or size < 1:
        raise InvalidField("size", "size must be the file's size in bytes, a whole number from 1.")
    if not isinstance(sha256, str) or not _SHA256.fullmatch(sha256):
        raise InvalidField("sha256", "sha256 must be the file's SHA-256, 64 lowercase hexadecimal digits.")
    if not isinstance(content_type, str) or content_type not in CONTENT_TYPES:
        raise InvalidField("contentType", f"contentType must be one of {', '.join(CONTENT_TYPES)}.")
    return StartRequest(
        event=parse_slug(fields.get("eventName")),
        upload_key=parse_upload_key(fields.get("uploadKey")),
        guest_name=parse_guest_name(fields.get("guestName")),
        device=parse_device(fields.get("deviceId")),
        size=size,
        sha256=sha256,
        content_type=content_type,
    )


@dataclass(frozen=True)
class CompleteRequest:
    upload_key: str
    device: str
    # A multipart upload's parts: ETag by part number; None for a single request.
    etags: dict[int, str] | None
    # A video's poster, as the page drew it; None when absent or unreadable (never a reason to refuse).
    poster: bytes | None


def parse_complete(body: bytes) -> CompleteRequest:
    fields = _object(body)
    return CompleteRequest(
        upload_key=parse_upload_key(fields.get("key"), "key"),
        device=parse_device(fields.get("deviceId")),
        etags=_parse_parts(fields.get("parts")),
        poster=_parse_poster(fields.get("poster")),
    )


def parse_own_upload(body: bytes) -> tuple[str, str]:
    """`{key, deviceId}`: a guest's request about one of the phone's own uploads (My uploads)."""
    fields = _object(body)
    return parse_upload_key(fields.get("key"), "key"), parse_device(fields.get("deviceId"))


def _parse_parts(value: object) -> dict[int, str] | None:
    if value is None:
        return None
    problem = InvalidField("parts", f"parts must be a list of up to {_PARTS_MAX} {{number, etag}} objects.")
    if not isinstance(value, list) or len(value) > _PARTS_MAX:
        raise problem
    etags = {}
    for part in value:
        number, etag = (part.get("number"), part.get("etag")) if isinstance(part, dict) else (None, None)
        # A part named twice is ambiguous (which ETag?): refused rather than one picked in silence.
        if not isinstance(number, int) or isinstance(number, bool) or not 1 <= number <= _PARTS_MAX or number in etags:
            raise problem
        if not isinstance(etag, str) or not 0 < len(etag) <= _ETAG_MAX:
            raise problem
        etags[number] = etag
    return etags


def _parse_poster(value: object) -> bytes | None:
    if value is None:
        return None
    try:
        if not isinstance(value, str) or len(value) > 2 * POSTER_MAX_BYTES:
            raise ValueError("not a string of at most the poster's size")
        return base64.b64decode(_DATA_URL.sub("", value, count=1), validate=True) or None
    except (binascii.Error, ValueError) as problem:
        log.warning("poster ignored: %s", problem)
        return None
