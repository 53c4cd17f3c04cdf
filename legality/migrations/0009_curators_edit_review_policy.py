"""Curators edit the review policy and read the link checker's log."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

CURATOR_PERMISSIONS = ["view_reviewpolicy", "change_reviewpolicy", "view_sourcecheck"]


def grant(apps, schema_editor):
    # Permissions are normally created after migrate; make sure they exist before granting them.
    app_config = apps.get_app_config("legality")
    app_config.models_module = True
    create_permissions(app_config, verbosity=0, apps=apps)
    app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name="Curators")
    group.permissions.add(
        *Permission.objects.filter(
            content_type__app_label="legality", codename__in=CURATOR_PERMISSIONS
        )
    )


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for group in Group.objects.filter(name="Curators"):
        group.permissions.remove(
            *Permission.objects.filter(
                content_type__app_label="legality", codename__in=CURATOR_PERMISSIONS
            )
        )


class Migration(migrations.Migration):
    dependencies = [
        ("legality", "0008_job_schedules"),
        ("legality", "0004_curators_group"),
    ]
    operations = [migrations.RunPython(grant, revoke)]
