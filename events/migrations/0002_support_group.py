"""The "support" group: staff handling complaints reach other organizers' events in the dashboard and
the admin with these permissions (events/views/common.py STAFF_PERMISSIONS, README "Support staff")."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

SUPPORT_GROUP = "support"
SUPPORT_PERMISSIONS = [
    ("events", "view_event"),
    ("events", "change_event"),
    ("events", "delete_event"),
    ("events", "view_photo"),
    ("events", "change_photo"),
    ("events", "delete_photo"),
    ("uploads", "view_devicequota"),
    ("uploads", "change_devicequota"),
]


def create_support_group(apps, schema_editor):
    # Django creates permissions after the last migration (post_migrate); on a fresh database they do
    # not exist yet at this point, so create them now (it skips those that exist).
    for label in {app for app, _ in SUPPORT_PERMISSIONS}:
        app_config = apps.get_app_config(label)
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=SUPPORT_GROUP)
    for app_label, codename in SUPPORT_PERMISSIONS:
        group.permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))


def delete_support_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=SUPPORT_GROUP).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("events", "0001_initial"),
        ("uploads", "0002_claim_target"),
    ]

    operations = [migrations.RunPython(create_support_group, delete_support_group)]
