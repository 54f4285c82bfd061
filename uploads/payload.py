"""Parse the guest API's JSON upload body into a validated request (sizes, then fields)."""

import base64
import binascii
import json
import re

from uploads.core import UploadRequest
from uploads.naming import GUEST_NAME_MAX, SLUG_PATTERN, clean_guest_name
from uploads.ports import BadRequest, InvalidField, TooLarge

_SLUG = re.compile(SLUG_PATTERN)
_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
_DATA_URL = re.compile(r"^data:image/[a-z0-9.+-]+;base64,", re.IGNORECASE)
_KEY_MAX = 128


def parse_slug(value: object) -> str:
    if not isinstance(value, str) or not _SLUG.match(value):
        raise InvalidField("eventName", "eventName must be an event's short name (lowercase letters, digits, hyphens).")
    return value


def parse_device(value: object, field: str = "deviceId") -> str:
    text = value.lower() if isinstance(value, str) else ""
    if not _UUID.match(text):
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


def parse_upload(body: bytes, max_bytes: int) -> UploadRequest:
    """Raise TooLarge, InvalidField or BadRequest with a message naming what is wrong."""
    try:
        fields = json.loads(body)
    except (ValueError, UnicodeDecodeError, RecursionError):  # RecursionError: "[[[[..." thousands deep
        raise BadRequest("The request body must be JSON.") from None
    if not isinstance(fields, dict):
        raise BadRequest("The request body must be a JSON object.")
    return UploadRequest(
        event=parse_slug(fields.get("eventName")),
        upload_key=parse_upload_key(fields.get("uploadKey")),
        guest_name=parse_guest_name(fields.get("guestName")),
        device=parse_device(fields.get("deviceId")),
        image=parse_image(fields.get("image"), max_bytes),
    )
