"""P8: quota reservations per second, SQL store on SQLite, 8 processes, against bare conditional
UPDATEs from 8 processes on the same database file."""

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.common import Row

ROOT = Path(__file__).resolve().parents[1]
PROCESSES = 8

OURS = """
import django, json, sys, time, uuid
django.setup()
from datetime import UTC, datetime
from uploads.ports import Claim
from uploads.stores.sql import SqlQuotaStore
store, n, start = SqlQuotaStore(), int(sys.argv[1]), float(sys.argv[2])
device = str(uuid.uuid4())
time.sleep(max(0, start - time.time()))
began = time.perf_counter()
for i in range(n):
    store.reserve(Claim("bench", device, uuid.uuid4().hex * 2, datetime.now(UTC), uuid.uuid4().hex), n + 1)
print(json.dumps(time.perf_counter() - began))
"""
BARE = """
import json, sqlite3, sys, time, uuid
path, n, start = sys.argv[3], int(sys.argv[1]), float(sys.argv[2])
db = sqlite3.connect(path, timeout=30, isolation_level=None)
db.execute("PRAGMA journal_mode=WAL"); db.execute("PRAGMA synchronous=NORMAL")
device = str(uuid.uuid4())
db.execute("INSERT INTO uploads_devicequota (event_slug, device_id, count) VALUES ('bare', ?, 0)", (device,))
time.sleep(max(0, start - time.time()))
began = time.perf_counter()
for i in range(n):
    db.execute("UPDATE uploads_devicequota SET count = count + 1 WHERE event_slug = 'bare' AND device_id = ? "
               "AND count < ?", (device, n + 1))
print(json.dumps(time.perf_counter() - began))
"""


def per_second(code: str, env: dict, database: Path, each: int) -> float:
    start = str(time.time() + 2)
    command = [sys.executable, "-c", code, str(each), start, str(database)]
    racers = [subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True) for _ in range(PROCESSES)]
    seconds = max(json.loads(r.communicate()[0]) for r in racers)
    return PROCESSES * each / seconds


def run(quick: bool = False) -> Row:
    data = Path(tempfile.mkdtemp(prefix="photoshare-bench-p8-"))
    env = os.environ | {"PHOTOSHARE_DATA_DIR": str(data), "DJANGO_SETTINGS_MODULE": "photoshare_site.settings"}
    env.pop("DATABASE_URL", None)
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    each = 50 if quick else 400
    ours = per_second(OURS, env, data / "photoshare.sqlite3", each)
    bare = per_second(BARE, env, data / "photoshare.sqlite3", each)
    return Row(
        "P8",
        "quota reservations/s, SQLite, 8 processes, vs bare UPDATEs",
        ours,
        bare,
        "/s",
        ">= 0.5",
        ours / bare >= 0.5,
    )
