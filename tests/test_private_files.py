"""The data folder is this account's alone: the folder 0700, and the database (with its session keys), the
secret key, originals and thumbnails 0600, whatever the shell's umask; the secret never readable by
others, not even for a moment."""

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse

from events.models import Photo
from photoshare_site import private_files

ROOT = Path(__file__).resolve().parents[1]

UPLOAD_AND_VIEW_A_THUMBNAIL = """
import json
from django.contrib.auth import get_user_model
from django.test import Client
from events.services import event_create
from tests.conftest import upload_body
alice = get_user_model().objects.create_user("alice", "alice@example.org", "correct horse battery")
event = event_create(owner=alice, name="Ana & Ben", slug="ana-ben", limit=3)
client = Client(HTTP_HOST="localhost")
body = upload_body(event, device="6f1c1e0a-1b8e-4d84-9d8a-2f1f3f3c0001")
assert client.post("/api/upload", json.dumps(body), content_type="application/json").status_code == 200
client.force_login(alice)
assert client.get(f"/events/ana-ben/photos/{event.photos.get().pk}/thumbnail").status_code == 200
"""


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def manage(*args: str, data: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "DJANGO_SECRET_KEY"}} | {
        "DJANGO_SETTINGS_MODULE": "photoshare_site.settings",
        "PHOTOSHARE_DATA_DIR": str(data),
    }
    # The shell's usual umask, which would leave everything readable by every user of the machine.
    done = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        preexec_fn=lambda: os.umask(0o022),
    )
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.one_database
def test_a_fresh_data_folder_and_everything_written_into_it_is_private(tmp_path):
    data = tmp_path / "not-yet" / "data"
    manage("migrate", "--noinput", "-v0", data=data)
    manage("shell", "-c", UPLOAD_AND_VIEW_A_THUMBNAIL, data=data)

    files = [p for p in data.rglob("*") if p.is_file()]
    folders = [data, *(p for p in data.rglob("*") if p.is_dir())]
    names = {p.name for p in files}
    assert {"secret_key", "photoshare.sqlite3"} <= names
    assert any(p.suffix == ".jpg" for p in files) and any(p.suffix == ".webp" for p in files)
    assert {str(p.relative_to(data)): oct(mode(p)) for p in files if mode(p) != 0o600} == {}
    assert {str(p.relative_to(data)): oct(mode(p)) for p in folders if mode(p) != 0o700} == {}


def test_an_open_data_folder_left_by_an_older_version_is_closed(tmp_path):
    data = tmp_path / "data"
    data.mkdir(mode=0o755)
    data.chmod(0o755)
    private_files.private_folder(data)
    assert mode(data) == 0o700


def test_the_secret_is_never_readable_by_others_nor_seen_half_written(tmp_path, monkeypatch):
    # GIVEN the most permissive umask, which a write-then-chmod would expose the key under
    previous = os.umask(0)
    seen = []
    link = os.link

    def watched_link(source, target):
        # The moment the key becomes visible under its name: whole, and already 0600.
        seen.append((mode(Path(source)), Path(source).read_text(), Path(target).exists()))
        link(source, target)

    monkeypatch.setattr(os, "link", watched_link)
    try:
        private_files.create_private_file(tmp_path / "secret_key", "s3cret")
    finally:
        os.umask(previous)
    assert seen == [(0o600, "s3cret", False)]
    assert mode(tmp_path / "secret_key") == 0o600
    assert [p.name for p in tmp_path.iterdir()] == ["secret_key"]


def test_a_second_process_starting_at_once_keeps_the_first_key(tmp_path):
    private_files.create_private_file(tmp_path / "secret_key", "first")
    private_files.create_private_file(tmp_path / "secret_key", "second")
    assert (tmp_path / "secret_key").read_text() == "first"
    assert [p.name for p in tmp_path.iterdir()] == ["secret_key"]


def test_originals_and_thumbnails_are_private_even_under_an_open_umask(client, alice, wedding, uploaded, settings):
    # Their modes are set explicitly (the photo store's mkstemp, FILE_UPLOAD_PERMISSIONS), not left to the
    # umask of whoever runs the code; the folders above them are the data folder's 0700 and the umask's.
    previous = os.umask(0o022)
    try:
        uploaded(1)
        photo = Photo.objects.get()
        client.force_login(alice)
        assert client.get(reverse("photo-thumbnail", args=[wedding.slug, photo.pk])).status_code == 200
    finally:
        os.umask(previous)
    photo.refresh_from_db()
    assert mode(settings.PHOTOS_DIR / photo.key) == 0o600
    assert mode(settings.PHOTOS_DIR / photo.thumbnail_key) == 0o600
    assert mode((settings.PHOTOS_DIR / photo.thumbnail_key).parent) == 0o700
