import logging

from django.core.management.base import BaseCommand

from events.management.repeating import add_repeat_arguments, repeat
from events.services import events_retention_sweep

log = logging.getLogger(__name__)


class Command(BaseCommand):
    help = (
        "Delete the events whose retention ran out (through the same deletion as the dashboard's) and "
        "e-mail the owners of those deleted in a week (serve runs this every hour)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="only list what would be e-mailed and deleted")
        add_repeat_arguments(parser, "run")

    def handle(self, *args, dry_run, every, parent, **options):
        repeat(lambda: self.purge(dry_run=dry_run, repeating=bool(every)), every, parent)

    def purge(self, *, dry_run: bool, repeating: bool) -> None:
        try:
            done = events_retention_sweep(dry_run=dry_run)
        except Exception:
            if not repeating:
                raise
            # A busy or unreachable database this hour: the next pass catches up.
            log.exception("retention pass failed")
            return
        verbs = ("would be deleted", "would be warned") if dry_run else ("deleted", "owner warned")
        for slug in done.deleted:
            self.stdout.write(f"{slug}: {verbs[0]}")
        for slug in done.warned:
            self.stdout.write(f"{slug}: {verbs[1]}")
        for slug in done.failed:
            self.stdout.write(f"{slug}: failed (tried again next pass)")
        if not (done.deleted or done.warned or done.failed) and not repeating:
            self.stdout.write("Nothing to delete or warn about.")
