import os
import subprocess
import sys
from io import StringIO
from pathlib import Path
from urllib.parse import urlparse

import pytest
from django.core.management import call_command
from django.urls import reverse

from events.public_url import public_base_url
from events.qr import qr_png, qr_svg
from photoshare_site import gunicorn_conf
from tests.events.test_create_event_command import create_event


@pytest.fixture
def unconfigured(monkeypatch, settings, tmp_path):
    """No PHOTOSHARE_PUBLIC_URL, and a data folder no server has written to yet."""
    monkeypatch.delenv("PHOTOSHARE_PUBLIC_URL", raising=False)
    settings.PUBLIC_BASE_URL = ""
    settings.DATA_DIR = tmp_path / "data"


@pytest.fixture
def exec_calls(monkeypatch, unconfigured):
    """`serve` up to the point where it would become gunicorn."""
    calls = []
    monkeypatch.setattr("os.execv", lambda path, argv: calls.append(argv))
    monkeypatch.setenv("PHOTOSHARE_ALLOWED_HOSTS", "")  # so that delenv restores whatever serve sets
    monkeypatch.delenv("PHOTOSHARE_ALLOWED_HOSTS")
    return calls


def serve(*args: str) -> str:
    out = StringIO()
    call_command("serve", *args, stdout=out)
    return out.getvalue()


def test_it_prints_the_urls_and_how_to_start_then_runs_gunicorn(exec_calls):
    banner = serve("--port", "8123")
    assert "http://127.0.0.1:8123/events/" in banner and "http://127.0.0.1:8123/admin/" in banner
    assert "http://127.0.0.1:8123/guest/?event=<slug>&key=<upload key>" in banner
    assert "make organizer" in banner and "create_event" in banner
    [argv] = exec_calls
    assert argv[1:4] == ["-m", "gunicorn", "photoshare_site.wsgi"]
    assert argv[argv.index("--bind") + 1] == "127.0.0.1:8123"


def test_gunicorn_runs_the_upload_sweep_beside_its_workers(exec_calls):
    serve()
    [argv] = exec_calls
    assert argv[argv.index("--config") + 1] == "python:photoshare_site.gunicorn_conf"
    # The master gives its own pid: a child that read its parent after a killed master would watch init.
    command = gunicorn_conf.sweep_command(4242)
    assert Path(command[1]).name == "manage.py" and Path(command[1]).exists()
    assert command[2:] == ["recover_uploads", "--every", "30", "--parent", "4242"]
    assert gunicorn_conf.purge_command(4242)[2:] == ["purge_expired", "--every", "3600", "--parent", "4242"]


def test_on_all_interfaces_it_lists_and_allows_the_lan_addresses(exec_calls, monkeypatch):
    monkeypatch.setattr("events.management.commands.serve.lan_addresses", lambda: ["192.168.1.20"])
    banner = serve("--host", "0.0.0.0")
    assert "http://192.168.1.20:8000/guest/" in banner
    assert "192.168.1.20" in os.environ["PHOTOSHARE_ALLOWED_HOSTS"].split(",")
    # QR codes made by the served dashboard point phones at this machine's LAN address.
    assert public_base_url() == "http://192.168.1.20:8000"
    assert "Guest links and QR codes: http://192.168.1.20:8000/guest/" in banner
    [argv] = exec_calls
    assert argv[argv.index("--bind") + 1] == "0.0.0.0:8000"


def test_create_event_after_serving_on_another_port_prints_a_guest_url_on_that_port(exec_calls, alice):
    banner = serve("--port", "8765")
    assert "Guest links and QR codes: http://127.0.0.1:8765/guest/" in banner
    # From another terminal: the server tells it its address through the data folder, not the environment.
    assert "PHOTOSHARE_PUBLIC_URL" not in os.environ
    printed = create_event("--owner", "alice", "--name", "Ana & Ben")
    assert urlparse(printed["guest_url"]).netloc == "127.0.0.1:8765"


def test_the_event_page_qr_codes_and_table_card_lead_to_the_served_port(exec_calls, client, alice, wedding):
    serve("--host", "localhost", "--port", "8765")
    guest_url = "http://localhost:8765" + wedding.guest_path()
    client.force_login(alice)
    page = client.get(reverse("event-detail", args=[wedding.slug]))
    assert page.context["guest_url"] == guest_url
    assert client.get(reverse("event-qr-png", args=[wedding.slug])).content == qr_png(guest_url)
    assert client.get(reverse("event-qr-svg", args=[wedding.slug])).content == qr_svg(guest_url)
    short_url = "http://localhost:8765" + wedding.short_path()
    assert client.get(reverse("event-card", args=[wedding.slug])).context["short_url"] == short_url


def test_photoshare_public_url_wins_over_the_served_address(exec_calls, settings, alice):
    serve("--port", "8765")
    settings.PUBLIC_BASE_URL = "https://photos.example.org"
    assert create_event("--owner", "alice", "--name", "X")["guest_url"].startswith("https://photos.example.org/guest/")
    assert "Guest links and QR codes: https://photos.example.org/guest/" in serve("--port", "8765")


def test_with_nothing_served_or_configured_links_use_the_default_local_address(unconfigured, wedding):
    assert wedding.guest_url().startswith("http://127.0.0.1:8000/guest/?event=ana-ben&key=")


def test_a_worker_freezes_what_loading_the_site_allocated(tmp_path):
    # Full collections then skip Django's own objects: no pause of milliseconds while SQLite's write
    # lock is held (bench P8). A fresh interpreter, since the test process has loaded the site already.
    env = os.environ | {"PHOTOSHARE_DATA_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "photoshare_site.settings"}
    probe = "import gc, photoshare_site.wsgi; print(gc.get_freeze_count())"
    frozen = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True, check=True)
    assert int(frozen.stdout) > 50_000
