"""The address guests reach: the base of every guest link and QR code.

PHOTOSHARE_PUBLIC_URL wins. Without it, `serve` writes the address it serves on into the data folder
before starting gunicorn, so its workers and commands run from another terminal (create_event) build the
same links. The file outlives the server: with no server running, links keep the last served address.
"""

from pathlib import Path

from django.conf import settings

# Where `make run` serves when nothing was ever served from this data folder.
DEFAULT_URL = "http://127.0.0.1:8000"


def _served_file() -> Path:
    return settings.DATA_DIR / "public_url"


def public_base_url() -> str:
    if settings.PUBLIC_BASE_URL:
        return settings.PUBLIC_BASE_URL
    try:
        return _served_file().read_text().strip() or DEFAULT_URL
    except FileNotFoundError:
        return DEFAULT_URL


def public_base_url_record(url: str) -> None:
    path = _served_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    # Replaced in one step: a create_event starting alongside never reads a half-written address.
    partial = path.with_name(".public_url.partial")
    partial.write_text(url.rstrip("/") + "\n")
    partial.replace(path)
