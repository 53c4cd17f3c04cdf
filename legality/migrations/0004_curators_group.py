"""The Curators group: keep statuses and sources right and work the review queue.

Curators change statuses, sources and flags, and may read geography; they may not delete
jurisdictions (legal facts hang off them) or touch users.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

CURATOR_PERMISSIONS = {
    "legalstatus": ["view", "add", "change"],
    "source": ["view", "add", "change"],
    "reviewflag": ["view", "add", "change"],
    "stalenessreport": ["view"],
    "jurisdiction": ["view", "change"],
    "jurisdictionname": ["view", "add", "change", "delete"],
    "ocdalias": ["view"],
    "zipcode": ["view"],
    "substance": ["view"],
}


def create_curators_group(apps, schema_editor):
    # Permissions are normally created after migrate; make sure they exist before granting them.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, verbosity=0, apps=apps)
        app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name="Curators")
    codenames = [
        f"{action}_{model}" for model, actions in CURATOR_PERMISSIONS.items() for action in actions
    ]
    group.permissions.set(
        Permission.objects.filter(content_type__app_label="legality", codename__in=codenames)
    )


def remove_curators_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name="Curators").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("legality", "0003_seed_substances"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]
    operations = [migrations.RunPython(create_curators_group, remove_curators_group)]
