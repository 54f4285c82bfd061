"""P6: the guest page's weight (html + css + js as served: minified, uncompressed), against a 60 KB
budget. A phone that speaks another language than English also fetches that language's catalog: the
heaviest one counts. The bytes are those the view and publish_guest_frontend serve (uploads/guest_minify.py)."""

from bench.common import Row
from uploads.guest_minify import served
from uploads.guest_page import GUEST_FILES

BUDGET = 60 * 1024


def run(quick: bool = False) -> Row:
    page = sum(len(served(name)) for name in GUEST_FILES if name.endswith((".html", ".css", ".js")))
    catalogs = [len(served(name)) for name in GUEST_FILES if name.startswith("i18n-") and name.endswith(".json")]
    weight = page + max(catalogs, default=0)
    return Row(
        "P6",
        "guest page weight as served (KB) with its heaviest language catalog, vs the 60 KB budget",
        weight / 1024,
        BUDGET / 1024,
        "KB",
        "<= 1.0",
        weight <= BUDGET,
    )
