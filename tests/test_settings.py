import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_migrate_on_a_fresh_checkout_creates_the_data_folder_even_with_a_secret_key_set(tmp_path):
    data = tmp_path / "not-yet" / "data"
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}} | {
        "DJANGO_SETTINGS_MODULE": "photoshare_site.settings",
        "DJANGO_SECRET_KEY": "set-so-no-key-file-is-generated",
        "PHOTOSHARE_DATA_DIR": str(data),
    }
    migrate = subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert migrate.returncode == 0, migrate.stdout + migrate.stderr
    assert (data / "photoshare.sqlite3").is_file()
    assert not (data / "secret_key").exists()
