from django.core.management.base import BaseCommand, CommandError

from events.management.commands.reset_device import event_and_device
from events.models import MAX_LIMIT
from events.services import device_set_limit


class Command(BaseCommand):
    help = "Give one device its own upload limit for an event (or 'none' for the event's limit)."

    def add_arguments(self, parser):
        parser.add_argument("event", help="event slug")
        parser.add_argument("device", help="device id (UUID)")
        parser.add_argument("limit", help=f"0 to {MAX_LIMIT}, or 'none'")

    def handle(self, *args, event, device, limit, **options):
        event, device = event_and_device(event, device)
        value = None if limit.lower() == "none" else int(limit) if limit.isdigit() else -1
        if value is not None and not 0 <= value <= MAX_LIMIT:
            raise CommandError(f"The limit must be 0 to {MAX_LIMIT}, or 'none'.")
        usage = device_set_limit(event=event, device=device, limit=value)
        self.stdout.write(f"{device} on {event.slug}: {usage.count} used of {usage.limit(event.upload_limit)}.")
