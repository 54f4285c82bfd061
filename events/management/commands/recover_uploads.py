import logging
import os
import time

from django.core.management.base import BaseCommand

from events.services import uploads_recover

log = logging.getLogger(__name__)


class Command(BaseCommand):
    help = "Finish or release the uploads whose requests died (serve runs this every minute)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--every",
            type=int,
            metavar="SECONDS",
            help="sweep again every SECONDS, while the process that started this one lives",
        )

    def handle(self, *args, every, **options):
        parent = os.getppid()
        while True:
            self.sweep(repeating=bool(every))
            if not every or not self.parent_lives(parent, every):
                return

    def sweep(self, *, repeating: bool) -> None:
        try:
            done = uploads_recover()
        except Exception:
            if not repeating:
                raise
            # A busy or unreachable database this minute: the next pass catches up.
            log.exception("upload recovery failed")
            return
        for slug, r in done.items():
            self.stdout.write(
                f"{slug}: {r.completed} completed, {r.released} released, "
                f"{r.partials} half-written files removed, {r.failed} not settled (retried next pass)"
            )
        if not done and not repeating:
            self.stdout.write("Nothing to recover.")

    @staticmethod
    def parent_lives(parent: int, seconds: int) -> bool:
        """Wait `seconds`; False as soon as the parent is gone (a killed parent runs no clean-up), as
        gunicorn's own workers do."""
        for _ in range(seconds):
            time.sleep(1)
            if os.getppid() != parent:
                return False
        return True
