"""The table card's welcome line, accent colour and short code. Existing events each get their own code:
a unique column cannot be added with one default for every row, so it is added, filled, then made unique."""

from django.db import migrations, models

import events.accent
import events.short_codes


def give_codes(apps, schema_editor):
    Event = apps.get_model("events", "Event")
    for event in Event.objects.filter(short_code=""):
        event.short_code = events.short_codes.new_short_code()
        event.save(update_fields=["short_code"])


class Migration(migrations.Migration):
    dependencies = [
        ("events", "0008_cohosts"),
    ]

    operations = [
        migrations.AddField(
            model_name="event",
            name="welcome",
            field=models.CharField(
                blank=True,
                help_text="Printed on the table card, e.g. “Welcome to our wedding!”",
                max_length=120,
                verbose_name="welcome line",
            ),
        ),
        migrations.AddField(
            model_name="event",
            name="accent",
            field=models.CharField(
                default="#1f4e79",
                help_text="The table card's colour: dark enough to read on white paper.",
                max_length=7,
                validators=[events.accent.readable_accent],
                verbose_name="card colour",
            ),
        ),
        migrations.AddField(
            model_name="event",
            name="short_code",
            field=models.CharField(default="", editable=False, max_length=10),
            preserve_default=False,
        ),
        migrations.RunPython(give_codes, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="event",
            name="short_code",
            field=models.CharField(
                default=events.short_codes.new_short_code, editable=False, max_length=10, unique=True
            ),
        ),
    ]
