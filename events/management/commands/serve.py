import os
import socket
import sys

from django.conf import settings
from django.core.management.base import BaseCommand

from events.public_url import public_base_url, public_base_url_record

WILDCARDS = {"0.0.0.0", "::"}  # noqa: S104


def lan_addresses() -> list[str]:
    """This machine's IPv4 addresses other than loopback: what phones on the venue Wi-Fi can reach."""
    try:
        infos = socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET)
    except OSError:
        return []
    return sorted({info[4][0] for info in infos if not info[4][0].startswith("127.")})


class Command(BaseCommand):
    help = "Serve the dashboard, guest page and upload API with gunicorn, printing the URLs to use."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--workers", type=int, default=min(2 * (os.cpu_count() or 1) + 1, 8))

    def handle(self, *args, host, port, workers, **options):
        hosts = lan_addresses() if host in WILDCARDS else []
        if hosts and "PHOTOSHARE_ALLOWED_HOSTS" not in os.environ:
            os.environ["PHOTOSHARE_ALLOWED_HOSTS"] = ",".join([*settings.ALLOWED_HOSTS, *hosts])
        shown = f"[{host}]" if ":" in host else host
        base = f"http://{'127.0.0.1' if host in WILDCARDS else shown}:{port}"
        lan = [f"http://{h}:{port}" for h in hosts]
        # Guest links and QR codes must lead to this server: its port, and on all interfaces the LAN
        # address, so printed cards open on the guests' phones rather than on this laptop.
        public_base_url_record(lan[0] if lan else base)
        self.stdout.write(self._banner(base, lan))
        bind = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
        gunicorn = [sys.executable, "-m", "gunicorn", "photoshare_site.wsgi"]
        options = ["--bind", bind, "--workers", str(workers), "--worker-class", "gthread", "--threads", "4"]
        # Phones on weak Wi-Fi send slowly; give a 15 MB upload time to arrive.
        options += ["--timeout", "120", "--access-logfile", "-"]
        # Its hooks run the sweep that recovers uploads whose worker was killed (one timed out, say),
        # and the hourly retention pass.
        options += ["--config", "python:photoshare_site.gunicorn_conf"]
        os.execv(sys.executable, gunicorn + options)  # noqa: S606

    def _banner(self, base: str, lan: list[str]) -> str:
        lines = [
            "",
            "photoshare is starting",
            f"  Dashboard (organizers):  {base}/events/",
            f"  Site admin (staff):      {base}/admin/",
            f"  Guest API:               {base}/api/",
            f"  Guest page:              {base}/guest/?event=<slug>&key=<upload key>",
        ]
        lines += [f"  On the venue network:    {url}/guest/..." for url in lan]
        lines += [
            f"  Guest links and QR codes: {public_base_url()}/guest/…",
            f"  Data folder:             {settings.DATA_DIR}",
            "",
            f"First time? Sign up at {base}/accounts/signup/ and create an event there, or in another terminal:",
            "  make organizer                                   # create your login (a superuser)",
            '  .venv/bin/python manage.py create_event --owner YOU --name "Ana & Ben"',
            "The event's page (and create_event) show its guest URL and QR code: open it on a phone.",
            "",
        ]
        return "\n".join(lines)
