import json

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from events.models import DEFAULT_LIMIT
from events.services import event_create


class Command(BaseCommand):
    help = "Create an event and print it as JSON, with the guest URL for its QR code."

    def add_arguments(self, parser):
        parser.add_argument("--owner", required=True, help="username of the organizer")
        parser.add_argument("--name", required=True, help='display name, e.g. "Ana & Ben"')
        parser.add_argument("--slug", help="short name in the guest link (default: from the name)")
        parser.add_argument("--limit", type=int, default=DEFAULT_LIMIT, help="photos per device")

    def handle(self, *args, owner, name, slug, limit, **options):
        user = get_user_model().objects.filter(username=owner).first()
        if user is None:
            raise CommandError(f"No user {owner!r}. Create one with: python manage.py createsuperuser")
        try:
            event = event_create(owner=user, name=name, slug=slug, limit=limit)
        except ValidationError as error:
            raise CommandError("; ".join(f"{k}: {' '.join(v)}" for k, v in error.message_dict.items())) from None
        self.stdout.write(
            json.dumps(
                {
                    "slug": event.slug,
                    "name": event.name,
                    "limit": event.upload_limit,
                    "open": event.is_open,
                    "upload_key": event.upload_key,
                    "guest_url": event.guest_url(),
                },
                ensure_ascii=False,
            )
        )
