import base64
import io
import json
import struct
import uuid
import zlib
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from PIL import Image

from events.services import event_create

pytest_plugins = ["tests.aws", "tests.browser", "tests.guest_lambda"]

SAMPLES = Path(__file__).parent / "samples"


def jpeg_bytes(seed: int = 0, size: tuple[int, int] = (64, 48)) -> bytes:
    """A small, valid JPEG; different seeds give different bytes (so different fingerprints)."""
    buffer = io.BytesIO()
    Image.new("RGB", size, ((seed * 37) % 256, (seed * 11) % 256, seed % 256)).save(buffer, "JPEG")
    return buffer.getvalue()


def png_claiming(width: int, height: int) -> bytes:
    """A whole PNG (valid chunks and CRCs) whose header claims any size, with no pixel data at all."""
    ihdr = b"IHDR" + struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    chunk = struct.pack(">I", 13) + ihdr + struct.pack(">I", zlib.crc32(ihdr))
    end = struct.pack(">I", 0) + b"IEND" + struct.pack(">I", zlib.crc32(b"IEND"))
    return b"\x89PNG\r\n\x1a\n" + chunk + end


def upload_body(event, *, device: str, photo: bytes | None = None, name: str = "Carla", **overrides) -> dict:
    body = {
        "eventName": event.slug,
        "uploadKey": event.upload_key,
        "guestName": name,
        "deviceId": device,
        "image": base64.b64encode(photo if photo is not None else jpeg_bytes()).decode(),
    }
    body.update(overrides)
    return body


@pytest.fixture
def alice(db):
    return get_user_model().objects.create_user("alice", "alice@example.org", "correct horse battery")


@pytest.fixture
def wedding(alice):
    return event_create(owner=alice, name="Ana & Ben", slug="ana-ben", limit=3)


@pytest.fixture
def device() -> str:
    return str(uuid.uuid4())


@pytest.fixture
def photos_dir(settings, tmp_path):
    settings.PHOTOS_DIR = tmp_path / "photos"
    return settings.PHOTOS_DIR


@pytest.fixture
def bob(db):
    return get_user_model().objects.create_user("bob", "bob@example.org", "another horse battery")


@pytest.fixture
def uploaded(client, wedding, device, photos_dir):
    """Upload photos to `wedding` through the guest API; returns the response bodies."""

    def upload(count: int = 1, *, name: str = "Carla", from_device: str | None = None, seed: int = 0) -> list[dict]:
        bodies = []
        for n in range(count):
            body = upload_body(wedding, device=from_device or device, photo=jpeg_bytes(seed + n), name=name)
            response = client.post("/api/upload", json.dumps(body), content_type="application/json")
            assert response.status_code == 200, response.json()
            bodies.append(response.json())
        return bodies

    return upload
