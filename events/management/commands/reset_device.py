from django.core.management.base import BaseCommand, CommandError

from events.models import Event
from events.services import device_reset
from uploads.payload import parse_device
from uploads.ports import UploadError


def event_and_device(slug: str, device: str) -> tuple[Event, str]:
    event = Event.objects.filter(slug=slug).first()
    if event is None:
        raise CommandError(f"No event {slug!r}.")
    try:
        return event, parse_device(device, "device")
    except UploadError as error:
        raise CommandError(error.message) from None


class Command(BaseCommand):
    help = "Set one device's upload count for an event back to zero."

    def add_arguments(self, parser):
        parser.add_argument("event", help="event slug")
        parser.add_argument("device", help="device id (UUID)")

    def handle(self, *args, event, device, **options):
        event, device = event_and_device(event, device)
        usage = device_reset(event=event, device=device)
        self.stdout.write(f"{device} can upload to {event.slug} again ({usage.count} used).")
