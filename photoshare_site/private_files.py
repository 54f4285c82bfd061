"""The data folder is this account's alone: it holds the database (with live session keys), the secret
key, the photos and their thumbnails, none of which another user of the machine may read.

Plain Python, imported by manage.py and wsgi.py before Django starts.
"""

import os
import tempfile
from pathlib import Path

# New files 0600 and folders 0700 whatever the shell's umask, for every file a process of ours creates
# (SQLite's database and journals among them, which take no mode from us).
PRIVATE_UMASK = 0o077


def keep_new_files_private() -> None:
    """For the processes that write data: the server (gunicorn inherits it) and manage.py's commands."""
    os.umask(PRIVATE_UMASK)


def private_folder(path: Path) -> None:
    """Create `path` as 0700, or close it if an older version left it open to others (0755)."""
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    if path.stat().st_mode & 0o077:
        path.chmod(0o700)


def create_private_file(path: Path, text: str) -> None:
    """Write `text` to `path` unless it exists, readable by no one else at any moment, and never seen
    half-written: it is written under a fresh name of its own, then linked into place, so when two
    workers start at once one key wins and both read it."""
    # mkstemp opens with O_CREAT | O_EXCL and mode 0600: the file is never open to others, not even
    # for the moment a later chmod would take.
    descriptor, draft_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    draft = Path(draft_name)
    try:
        with os.fdopen(descriptor, "w") as file:
            file.write(text)
        os.link(draft, path)
    except FileExistsError:
        pass  # Another process linked its key first: that one is the key.
    finally:
        draft.unlink()
