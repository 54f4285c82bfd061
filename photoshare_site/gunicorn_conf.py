"""gunicorn settings for `manage.py serve` (its command line sets everything else): an access log without
upload keys, and the upload sweep beside the workers, started when the server is ready and stopped when
it exits.

The sweep (`manage.py recover_uploads --every 30`) completes or releases the uploads whose worker was
killed mid-request, as gunicorn itself does to a worker that times out or the kernel to one that ran out
of memory, and removes the direct uploads' staged bytes left over for a day. It is a child process of
the master, not a thread in it: the master forks a new worker whenever one dies, and a fork taken while
another thread holds a lock (logging's, SQLite's) can leave the new worker deadlocked; nor should the
master hold database connections for its workers to inherit. A sweep that fails or hangs never touches
serving. It also stops by itself when the master is gone, since a master killed with SIGKILL runs no
hook (it is told the master's pid, `--parent`, and stops when that is no longer its parent).

The retention pass (`manage.py purge_expired --every 3600`, README "Retention") is a sibling child,
started and stopped the same way.
"""

import subprocess
import sys
from pathlib import Path

from gunicorn.glogging import Logger

from photoshare_site.log_redaction import redact

MANAGE = Path(__file__).resolve().parent.parent / "manage.py"
# The pause between two sweeps: one starts at least once a minute while a sweep takes under 30 s.
SWEEP_EVERY_SECONDS = 30
# The retention pass (`manage.py purge_expired --every 3600`), a sibling of the sweep: deletions are
# counted in days, so once an hour is plenty.
PURGE_EVERY_SECONDS = 3600


class RedactingLogger(Logger):
    """gunicorn's logger, with upload keys taken out of every access-log field (the request line, the
    query string, the referrer, any header or environ variable a custom format might name)."""

    def atoms(self, resp, req, environ, request_time) -> dict:
        atoms = super().atoms(resp, req, environ, request_time)
        return {name: redact(value) if isinstance(value, str) else value for name, value in atoms.items()}


logger_class = RedactingLogger


def sweep_command(master: int) -> list[str]:
    return _repeating("recover_uploads", SWEEP_EVERY_SECONDS, master)


def purge_command(master: int) -> list[str]:
    return _repeating("purge_expired", PURGE_EVERY_SECONDS, master)


def _repeating(command: str, seconds: int, master: int) -> list[str]:
    return [sys.executable, str(MANAGE), command, "--every", str(seconds), "--parent", str(master)]


def when_ready(server) -> None:
    # Their own session: Ctrl-C in the terminal reaches the master, which stops them in on_exit. The
    # master's pid, not the one a child finds at start-up: a master killed in between has left it to init.
    server.upload_sweep = subprocess.Popen(sweep_command(server.pid), start_new_session=True)  # noqa: S603
    server.retention_sweep = subprocess.Popen(purge_command(server.pid), start_new_session=True)  # noqa: S603


def on_exit(server) -> None:
    for name in ("upload_sweep", "retention_sweep"):
        sweep = getattr(server, name, None)
        if sweep is not None:
            sweep.terminate()
            sweep.wait(timeout=10)
