"""`make bench`: every benchmark, each against a baseline measured in the same run, as one table.

    .venv/bin/python -m bench.run [--quick] [--only P2,P6]

--quick runs small versions (the CI smoke test: correctness of the harness, not the figures).
"""

import argparse
import importlib
import logging
import os
import sys
import tempfile

# id → "module" (its run function) or "module:function", each taking quick and returning a Row.
BENCHMARKS = {
    "P1": "bench.p1_upload_throughput",
    "P1b": "bench.binary_upload",
    "P2": "bench.p2_cold_start",
    "P3": "bench.p3_thumbnail",
    "P4": "bench.p4_gallery",
    "P5": "bench.p5_zip",
    "P6": "bench.p6_page_weight",
    "P7": "bench.p7_upload_bytes",
    "P7o": "bench.p7_upload_bytes:run_original",
    "P8": "bench.p8_reservations",
    "P9": "bench.p9_resume",
}


def setup_django(data: str) -> None:
    os.environ["PHOTOSHARE_DATA_DIR"] = data
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "photoshare_site.settings")
    os.environ.pop("DATABASE_URL", None)
    os.environ.setdefault("PHOTOSHARE_ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")  # P4's test client
    import django
    from django.core.management import call_command

    django.setup()
    logging.getLogger("pyvips").setLevel(logging.WARNING)
    call_command("migrate", verbosity=0)


def main(argv: list[str] | None = None) -> list:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--only", default=",".join(BENCHMARKS))
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="photoshare-bench-") as data:
        setup_django(data)
        return run_each(args.only.split(","), args.quick)


def run_each(keys: list[str], quick: bool) -> list:
    rows = []
    print(f"{'id':4} {'ours':>10} {'baseline':>10} {'ratio':>7}  {'goal':22} result  what")
    for key in keys:
        module, _, function = BENCHMARKS[key].partition(":")
        row = getattr(importlib.import_module(module), function or "run")(quick=quick)
        rows.append(row)
        verdict = "pass" if row.ok else "FAIL"
        print(
            f"{row.id:4} {row.ours:10.1f} {row.baseline:10.1f} {row.ratio:7.2f}  {row.goal:22} {verdict:6}  {row.what}"
        )
        sys.stdout.flush()
    return rows


if __name__ == "__main__":
    main()
