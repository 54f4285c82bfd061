import json
from argparse import ArgumentParser

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from uploads.aws import clients
from uploads.guest_minify import minified, served
from uploads.guest_page import GUEST_FILES

PREFIX = "guest/"
# The local values config.js holds, replaced by the deployment's addresses.
LOCAL_API_BASE = 'apiBase: "/api"'
LOCAL_SITE_BASE = 'siteBase: ""'
# File names carry no content hash, so browsers must revalidate (cheap: S3 answers 304 on ETag).
CACHE_CONTROL = "no-cache"


def config_js(api_url: str, site_url: str) -> str:
    """guest_frontend/config.js with the guest API's and the dashboard's addresses; every other setting
    keeps its default."""
    source: str = (settings.BASE_DIR / "guest_frontend" / "config.js").read_text()
    for local, name, url in [(LOCAL_API_BASE, "apiBase", api_url), (LOCAL_SITE_BASE, "siteBase", site_url)]:
        if local not in source:
            raise CommandError(f"guest_frontend/config.js no longer contains {local}; update this command")
        source = source.replace(local, f"{name}: {json.dumps(url.rstrip('/'))}")
    return source


class Command(BaseCommand):
    help = "Upload the guest page to the public site bucket, pointed at the guest API's URL."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--site-bucket", required=True)
        parser.add_argument("--api-url", required=True, help="the guest function's API Gateway URL")
        parser.add_argument(
            "--site-url", required=True, help="the dashboard's URL (it answers the page's My uploads and the album)"
        )
        parser.add_argument("--region", default=None, help="the bucket's region (default: the session's)")

    def handle(
        self, *args: str, site_bucket: str, api_url: str, site_url: str, region: str | None, **options: object
    ) -> None:
        s3 = clients.s3()
        # The page's files only (the folder also holds make_icons.py, no part of the site), minified as
        # the local view serves them.
        for name, content_type in sorted(GUEST_FILES.items()):
            body = minified(name, config_js(api_url, site_url).encode()) if name == "config.js" else served(name)
            s3.put_object(
                Bucket=site_bucket,
                Key=PREFIX + name,
                Body=body,
                ContentType=content_type,
                CacheControl=CACHE_CONTROL,
            )
            self.stdout.write(f"uploaded {PREFIX}{name}")
        site = f"http://{site_bucket}.s3-website-{region or s3.meta.region_name}.amazonaws.com"
        self.stdout.write(f"Guest URL pattern for QR codes: {site}/{PREFIX}?event=<slug>&key=<upload key>")
        self.stdout.write(f"Set PHOTOSHARE_PUBLIC_URL={site} on the dashboard, and PHOTOSHARE_CORS_ORIGINS={site}")
        self.stdout.write("on the guest function, so both agree on where guests land; PHOTOSHARE_CORS_ORIGINS={site}")
        self.stdout.write("on the dashboard too, which answers the page's My uploads.")
