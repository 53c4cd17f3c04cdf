"""The ZIP table's schedule, for django-celery-beat: every 5 minutes it rebuilds the table if the
dataset changed since the last build, and after midnight UTC (the day turned) whatever happened,
so a dated change takes effect in the table without an edit."""

from django.db import migrations
from django.utils import timezone

NAME = "Refresh the ZIP table (every 5 minutes; rebuilds on a change and daily)"


def create_schedule(apps, schema_editor):
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTasks = apps.get_model("django_celery_beat", "PeriodicTasks")
    every, _ = IntervalSchedule.objects.get_or_create(every=5, period="minutes")
    PeriodicTask.objects.get_or_create(
        name=NAME,
        defaults={
            "task": "legality.refresh_zip_table",
            "interval": every,
            "description": "Rebuild the public ZIP table if the data changed or the day turned.",
        },
    )
    PeriodicTasks.objects.update_or_create(ident=1, defaults={"last_update": timezone.now()})


def remove_schedule(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("legality", "0021_zip_table"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]
    operations = [migrations.RunPython(create_schedule, remove_schedule)]
