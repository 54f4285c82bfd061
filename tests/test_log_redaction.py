"""Upload keys stay out of logs: the access log of `manage.py serve`'s gunicorn, runserver's
`django.server` log, and the guest Lambda's log line, while the path stays there to read."""

import contextlib
import io
import logging
import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from photoshare_site.log_redaction import REDACTED, redact
from tests.guest_lambda import KEY, PHONE, call, recorded

# Log lines are the same whatever the database: the PostgreSQL pass leaves it out.
pytestmark = pytest.mark.one_database

ROOT = Path(__file__).resolve().parents[1]
SECRET = "UPLOADKEY-Zx81q"


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (f"GET /guest/?event=ana-ben&key={SECRET} HTTP/1.1", f"GET /guest/?event=ana-ben&key={REDACTED} HTTP/1.1"),
        (f"/api/events/ana-ben?key={SECRET}&deviceId=d1", f"/api/events/ana-ben?key={REDACTED}&deviceId=d1"),
        (f"key={SECRET}&event=ana-ben", f"key={REDACTED}&event=ana-ben"),
        (f"/x?uploadKey={SECRET}#top", f"/x?uploadKey={REDACTED}#top"),
        (f"/x?KEY={SECRET}", f"/x?KEY={REDACTED}"),
        ("/events/?monkey=1&page=2", "/events/?monkey=1&page=2"),
        (
            f"PUT /api/uploads/a.b.c/data?deviceId=d1&size=9&expires=1&sig={SECRET} HTTP/1.1",
            f"PUT /api/uploads/a.b.c/data?deviceId=d1&size=9&expires=1&sig={REDACTED} HTTP/1.1",
        ),
        ("/x?design=1", "/x?design=1"),
    ],
)
def test_it_replaces_the_key_and_keeps_the_rest(line, expected):
    assert redact(line) == expected


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def serve_argv(monkeypatch, port: int) -> list[str]:
    """The gunicorn command line `manage.py serve` execs, captured instead of run."""
    from django.core.management import call_command

    calls = []
    monkeypatch.setattr("os.execv", lambda path, argv: calls.append(argv))
    monkeypatch.setattr("events.management.commands.serve.public_base_url_record", lambda url: None)
    call_command("serve", "--port", str(port), "--workers", "1", stdout=io.StringIO())
    return calls[0]


def get(url: str) -> None:
    # A 404 is logged too: only the log line matters here.
    with contextlib.suppress(urllib.error.HTTPError):
        urllib.request.urlopen(url, timeout=10).close()  # noqa: S310  (our own server on loopback)


def wait_until_serving(url: str, server: subprocess.Popen) -> None:
    while server.poll() is None:
        try:
            get(url)
            return
        except OSError:
            time.sleep(0.1)  # Still starting: poll again, without spinning a core.
    pytest.fail("gunicorn exited before serving")


def test_the_serve_commands_access_log_shows_the_path_but_not_the_key(monkeypatch, tmp_path):
    port = free_port()
    argv = serve_argv(monkeypatch, port)
    env = os.environ | {"PHOTOSHARE_DATA_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "photoshare_site.settings"}
    server = subprocess.Popen(argv, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        base = f"http://127.0.0.1:{port}"
        wait_until_serving(f"{base}/guest/style.css", server)
        get(f"{base}/guest/?event=ana-ben&key={SECRET}")
        get(f"{base}/api/events/ana-ben?key={SECRET}&deviceId={PHONE}")
    finally:
        server.send_signal(signal.SIGTERM)
        output, _ = server.communicate(timeout=60)
    assert f'"GET /guest/?event=ana-ben&key={REDACTED} HTTP/1.1" 200' in output
    assert f"/api/events/ana-ben?key={REDACTED}&deviceId={PHONE}" in output
    assert SECRET not in output


class Lines(logging.Handler):
    def __init__(self):
        super().__init__()
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())


def test_runservers_request_log_shows_the_path_but_not_the_key(settings):
    # GIVEN django.server as LOGGING configures it, logging a request line the way runserver does
    logger, lines = logging.getLogger("django.server"), Lines()
    logger.addHandler(lines)
    try:
        logger.info('"%s" %s %s', f"GET /guest/?event=ana-ben&key={SECRET} HTTP/1.1", "200", "1024")
    finally:
        logger.removeHandler(lines)
    assert lines.lines == [f'"GET /guest/?event=ana-ben&key={REDACTED} HTTP/1.1" 200 1024']


def test_the_guest_lambda_logs_the_path_but_not_the_key(guest_lambda, caplog):
    event = recorded("apigw_http_v2_get_event")
    event["queryStringParameters"] = {"key": KEY, "deviceId": PHONE}
    event["rawQueryString"] = f"key={KEY}&deviceId={PHONE}"
    with caplog.at_level(logging.INFO, logger="photoshare.guest"):
        assert call(event)[0] == 200
    assert "/prod/events/ana-ben" in caplog.text
    assert KEY not in caplog.text
