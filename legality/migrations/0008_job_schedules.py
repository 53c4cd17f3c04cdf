"""The scheduled jobs, stored for django-celery-beat so that an admin can change them.

Times are UTC. The link check is scheduled too; the task itself does nothing unless the
SOURCE_CHECK_ENABLED setting is on (off on a machine without network, e.g. the embedded default).
"""

from django.db import migrations
from django.utils import timezone

# name: (task, crontab fields, description)
SCHEDULES = {
    "Check sources (daily)": (
        "legality.check_sources",
        {"minute": "0", "hour": "2", "day_of_week": "*"},
        "Fetch every source URL; flag entries whose sources fail repeatedly or change. "
        "Does nothing unless SOURCE_CHECK_ENABLED is on.",
    ),
    "Flag stale entries (daily)": (
        "legality.flag_stale_entries",
        {"minute": "0", "hour": "3", "day_of_week": "*"},
        "Flag overdue entries and dated changes that took effect; close flags that no longer hold.",
    ),
    "Staleness report (weekly)": (
        "legality.staleness_report",
        {"minute": "0", "hour": "6", "day_of_week": "1"},
        "Store the week's staleness report and email it to the curators.",
    ),
}


def create_schedules(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTasks = apps.get_model("django_celery_beat", "PeriodicTasks")
    for name, (task, fields, description) in SCHEDULES.items():
        crontab, _ = CrontabSchedule.objects.get_or_create(
            day_of_month="*", month_of_year="*", timezone="UTC", **fields
        )
        PeriodicTask.objects.get_or_create(
            name=name, defaults={"task": task, "crontab": crontab, "description": description}
        )
    # Running beats reread the schedule when this changes (models from apps.get_model send
    # no signals, so it is set here).
    PeriodicTasks.objects.update_or_create(ident=1, defaults={"last_update": timezone.now()})


def remove_schedules(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(
        name__in=SCHEDULES
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("legality", "0007_review_policy_defaults"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]
    operations = [migrations.RunPython(create_schedules, remove_schedules)]
