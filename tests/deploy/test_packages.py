"""The deploy artifacts `make package` builds offline with Zappa (make test builds them first)."""

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DIST = ROOT / "dist"
MB = 1024 * 1024


def artifact(name: str) -> Path:
    path = DIST / f"{name}.zip"
    if not path.exists():
        pytest.fail(f"{path} is missing: run `make package` (make test does)")
    return path


def unpack(name: str, tmp_path_factory) -> Path:
    unpacked = tmp_path_factory.mktemp(f"{name}-package")
    with zipfile.ZipFile(artifact(name)) as package:
        package.extractall(unpacked)
    return unpacked


@pytest.fixture(scope="module")
def guest_package(tmp_path_factory) -> Path:
    return unpack("guest", tmp_path_factory)


def test_the_guest_package_is_small_and_carries_no_django(guest_package):
    assert artifact("guest").stat().st_size <= 5 * MB
    assert (guest_package / "uploads" / "lambda_handler.py").exists()
    top_level = {p.name for p in guest_package.iterdir()}
    assert not top_level & {"django", "events", "photoshare_site", "PIL", "tests"}


def test_the_unpacked_guest_package_serves_200_then_429_then_403(guest_package):
    script = ROOT / "tests" / "deploy" / "serve_guest_package.py"
    out = subprocess.run(
        [sys.executable, str(script), str(guest_package)], cwd=guest_package, capture_output=True, text=True
    )
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result["handler_file"].startswith(str(guest_package))
    assert result["statuses"] == [200, 429, 403]
    assert "django" not in result["modules"]


def test_the_dashboard_package_fits_lambda_without_slim_handler():
    path = artifact("dashboard")
    assert path.stat().st_size < 50 * MB
    with zipfile.ZipFile(path) as package:
        names = set(package.namelist())
        settings = package.read("zappa_settings.py").decode()
    assert {"handler.py", "manage.py", "events/s3_events.py", "django/__init__.py"} <= names
    assert any(name.startswith("staticfiles/admin/") for name in names)
    assert "photoshare_site.settings" in settings
    assert not any(name.startswith(("tests/", ".venv/", "pytest/")) for name in names)


def test_the_unpacked_dashboard_cold_starts_with_its_remote_secrets_and_serves_the_login_page(tmp_path_factory):
    unpacked = unpack("dashboard", tmp_path_factory)
    script = ROOT / "tests" / "deploy" / "boot_dashboard_package.py"
    event = ROOT / "tests" / "lambda_events" / "apigw_rest_v1_get_admin_login.json"
    # A Lambda starts with only what its configuration sets: none of this test run's settings.
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PHOTOSHARE_", "AWS_", "DATABASE_"))}
    out = subprocess.run(
        [sys.executable, str(script), str(unpacked), str(event)], capture_output=True, text=True, env=clean
    )
    assert out.returncode == 0, out.stderr[-3000:]
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result["secret_loaded"]
    assert result["django_file"].startswith(str(unpacked))
    assert (result["status"], "csrfmiddlewaretoken" in result["body"]) == (200, True)
    # Links and assets carry the API Gateway stage, and WhiteNoise serves the assets from the package.
    assert 'action="/dashboard/admin/login/"' in result["body"]
    assert result["stylesheet"].startswith("/dashboard/static/admin/css/")
    assert result["stylesheet_status"] == 200
