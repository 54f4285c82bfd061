"""A command run again and again beside the process that started it (serve's sweeps), and stopped when
that process is gone: a master killed with SIGKILL runs no clean-up, so its children watch for it."""

import os
import time
from collections.abc import Callable


def add_repeat_arguments(parser, doing: str) -> None:
    parser.add_argument(
        "--every",
        type=int,
        metavar="SECONDS",
        help=f"{doing} again every SECONDS, while the process that started this one lives",
    )
    parser.add_argument(
        "--parent",
        type=int,
        metavar="PID",
        help="that process's id, as it gave it (default: this one's parent at start-up, which is already "
        "the init process when that one died first)",
    )


def repeat(once: Callable[[], None], every: int | None, parent: int | None) -> None:
    """Run `once`; with `every`, again every `every` seconds until the parent is gone."""
    parent = parent or os.getppid()
    while True:
        once()
        if not every or not parent_lives(parent, every):
            return


def parent_lives(parent: int, seconds: int) -> bool:
    """Wait `seconds`; False as soon as `parent` is no longer this process's parent, as gunicorn's own
    workers check (a pid alone may be reused)."""
    for _ in range(seconds):
        time.sleep(1)
        if os.getppid() != parent:
            return False
    return True
