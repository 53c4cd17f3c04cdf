"""The review policy's one row, with the default intervals (curators edit it in the admin)."""

from django.db import migrations


def create_review_policy(apps, schema_editor):
    # The model's field defaults are the policy's defaults: 90 days for banned, restricted and
    # regulated entries, 180 for legal ones, 30 when a dated change comes within 90 days.
    apps.get_model("legality", "ReviewPolicy").objects.get_or_create(id=1)


def remove_review_policy(apps, schema_editor):
    apps.get_model("legality", "ReviewPolicy").objects.filter(id=1).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("legality", "0006_sourcecheck_reviewpolicy_joblock"),
    ]
    operations = [migrations.RunPython(create_review_policy, remove_review_policy)]
