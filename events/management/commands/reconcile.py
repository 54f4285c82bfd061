from django.core.management.base import BaseCommand, CommandError

from events.reconcile import Drift, reconcile


class Command(BaseCommand):
    help = "Compare policies, stored photos and counters with the events' records; --fix repairs each difference."

    def add_arguments(self, parser):
        parser.add_argument("--fix", action="store_true", help="repair each difference found")

    def handle(self, *args, fix, **options):
        def report(drift: Drift, outcome: str) -> None:
            self.stdout.write(f"{drift} ({outcome})" if fix else str(drift))

        done = reconcile(fix=fix, report=report)
        self.stdout.write(done.summary(fixed=fix))
        # A non-zero exit status, for a cron job or a deploy step to notice.
        if done.unrepaired:
            raise CommandError("Some drift could not be repaired; see above.")
        if done.found and not fix:
            raise CommandError("Drift found.")
