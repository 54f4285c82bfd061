"""Gather the dashboard's marked strings into each language's .po file, then compile the .mo files."""

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

# Folders without Django strings of ours: the guest page has its own catalogs (guest_frontend/).
IGNORED = [".venv", ".build", "staticfiles", "data", "docs", "bench", "tests", "guest_frontend", "node_modules"]
# Locations by file only: line numbers would churn every .po file at each edit of a template.
MAKEMESSAGES_OPTIONS = {"ignore_patterns": IGNORED, "add_location": "file", "no_obsolete": True}


def translated_languages() -> list[str]:
    return [code for code, _name in settings.LANGUAGES if code != settings.LANGUAGE_CODE]


class Command(BaseCommand):
    help = "Add new marked strings to locale/<code>/LC_MESSAGES/django.po (run from the project folder), compile .mo."

    def handle(self, *args, **options):
        verbosity = options["verbosity"]
        call_command("makemessages", locale=translated_languages(), verbosity=verbosity, **MAKEMESSAGES_OPTIONS)
        call_command("compilemessages", verbosity=verbosity)
