"""P6: the guest page's weight (html + css + js, uncompressed), against a 60 KB budget. A phone that
speaks another language than English also fetches that language's catalog: the heaviest one counts."""

from pathlib import Path

from bench.common import Row

GUEST = Path(__file__).resolve().parents[1] / "guest_frontend"
BUDGET = 60 * 1024


def run(quick: bool = False) -> Row:
    page = sum(p.stat().st_size for p in GUEST.iterdir() if p.suffix in {".html", ".css", ".js"})
    weight = page + max((p.stat().st_size for p in GUEST.glob("i18n-*.json")), default=0)
    return Row(
        "P6",
        "guest page weight (KB) with its heaviest language catalog, vs the 60 KB budget",
        weight / 1024,
        BUDGET / 1024,
        "KB",
        "<= 1.0",
        weight <= BUDGET,
    )
