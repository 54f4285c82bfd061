"""Settings read from the environment, shared by the Django settings module and the guest Lambda.

Plain Python (the guest function has no Django): tiny readers that fail loudly on bad values, and
the guest path's settings with their one set of defaults. Every variable is listed in .env.example.
"""

import os
from dataclasses import dataclass

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}

DEFAULT_TABLE = "PhotoUploadCounts"
# Largest photo accepted, in decoded bytes (the guest Lambda is further capped by its 6 MB payload).
DEFAULT_MAX_UPLOAD_BYTES = 15 * 1024 * 1024
# How long a direct upload's URLs are valid (seconds); its slot is held a minute longer. At most 15
# minutes: a URL presigned with the guest function's role credentials lives no longer than they do.
DEFAULT_UPLOAD_URL_SECONDS = 900
MAX_UPLOAD_URL_SECONDS = 900
MiB = 1024 * 1024
# Parts of 8 MiB: a dropped connection re-sends at most that much, while a 200 MB video is 25 parts
# (README, "Direct uploads").
DEFAULT_UPLOAD_PART_MB = 8


class ConfigError(ValueError):
    """A variable is missing or malformed: raised at start-up, never later."""


def env_str(name: str, default: str) -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ConfigError(f"{name} must be a boolean (1/0, true/false), got {raw!r}")


def env_int(name: str, default: int, *, minimum: int = 0, maximum: int | None = None) -> int:
    raw = os.environ.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name} must be an integer, got {raw!r}") from None
    if value < minimum or (maximum is not None and value > maximum):
        raise ConfigError(f"{name} must be from {minimum} to {maximum if maximum is not None else '∞'}, got {value}")
    return value


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def env_choice(name: str, default: str, choices: set[str]) -> str:
    value = os.environ.get(name, default)
    if value not in choices:
        raise ConfigError(f"{name} must be one of {sorted(choices)}, got {value!r}")
    return value


def env_required(name: str, reason: str) -> str:
    value = os.environ.get(name, "")
    if not value:
        raise ConfigError(f"{name} must be set {reason}")
    return value


@dataclass(frozen=True)
class GuestConfig:
    """What the guest upload path needs, locally and on AWS alike."""

    table: str
    photo_bucket: str
    max_upload_bytes: int
    cors_origins: list[str]
    # Multiplies the rate limit's numbers (uploads/ratelimit.py) for venues larger than 200 guests.
    rate_limit_scale: int
    # Direct uploads (uploads/direct.py): how long the URLs a start hands out are valid, and the size of
    # the parts larger files are sent in.
    upload_url_seconds: int
    upload_part_bytes: int


def guest_config(*, require_bucket: bool) -> GuestConfig:
    return GuestConfig(
        table=env_str("PHOTOSHARE_TABLE", DEFAULT_TABLE),
        photo_bucket=(
            env_required("PHOTOSHARE_PHOTO_BUCKET", "on AWS")
            if require_bucket
            else env_str("PHOTOSHARE_PHOTO_BUCKET", "")
        ),
        max_upload_bytes=env_int("PHOTOSHARE_MAX_UPLOAD_BYTES", DEFAULT_MAX_UPLOAD_BYTES, minimum=1024),
        cors_origins=env_list("PHOTOSHARE_CORS_ORIGINS", ""),
        rate_limit_scale=env_int("PHOTOSHARE_RATE_LIMIT_SCALE", 1, minimum=1, maximum=1000),
        upload_url_seconds=env_int(
            "PHOTOSHARE_UPLOAD_URL_SECONDS", DEFAULT_UPLOAD_URL_SECONDS, minimum=1, maximum=MAX_UPLOAD_URL_SECONDS
        ),
        # S3 takes no part under 5 MiB but the last; the local server takes any (tests use 1 MiB parts).
        upload_part_bytes=MiB
        * env_int("PHOTOSHARE_UPLOAD_PART_MB", DEFAULT_UPLOAD_PART_MB, minimum=5 if require_bucket else 1, maximum=64),
    )
