from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("uploads", "0004_event_usage"),
    ]

    operations = [
        migrations.AddField(
            model_name="uploadclaim",
            name="expires_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
    ]
