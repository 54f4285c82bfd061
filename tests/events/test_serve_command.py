import os
from io import StringIO

import pytest
from django.core.management import call_command


@pytest.fixture
def exec_calls(monkeypatch):
    calls = []
    monkeypatch.setattr("os.execv", lambda path, argv: calls.append(argv))
    monkeypatch.delenv("PHOTOSHARE_ALLOWED_HOSTS", raising=False)
    monkeypatch.delenv("PHOTOSHARE_PUBLIC_URL", raising=False)
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


def test_on_all_interfaces_it_lists_and_allows_the_lan_addresses(exec_calls, monkeypatch):
    monkeypatch.setattr("events.management.commands.serve.lan_addresses", lambda: ["192.168.1.20"])
    banner = serve("--host", "0.0.0.0")
    assert "http://192.168.1.20:8000/guest/" in banner
    assert "192.168.1.20" in os.environ["PHOTOSHARE_ALLOWED_HOSTS"].split(",")
    # QR codes made by the served dashboard point phones at this machine's LAN address.
    assert os.environ["PHOTOSHARE_PUBLIC_URL"] == "http://192.168.1.20:8000"
    assert "Guest links and QR codes: http://192.168.1.20:8000/guest/" in banner
    [argv] = exec_calls
    assert argv[argv.index("--bind") + 1] == "0.0.0.0:8000"
