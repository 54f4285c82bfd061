import logging

from django.core.management.base import BaseCommand

from events.management.repeating import add_repeat_arguments, repeat
from events.services import uploads_recover

log = logging.getLogger(__name__)


class Command(BaseCommand):
    help = "Finish or release the uploads whose requests died (serve runs this every minute)."

    def add_arguments(self, parser):
        add_repeat_arguments(parser, "sweep")

    def handle(self, *args, every, parent, **options):
        repeat(lambda: self.sweep(repeating=bool(every)), every, parent)

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
