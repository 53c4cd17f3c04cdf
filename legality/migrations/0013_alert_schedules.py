"""The alert jobs' schedules, stored for django-celery-beat (times UTC).

Every change also enqueues the alert job at once; the 10-minute run sends what a broker outage
left behind, and the daily run compares every followed place, so dated changes that take effect
without an edit reach their subscribers too.
"""

import json

from django.db import migrations
from django.utils import timezone

INTERVALS = {
    "Send alerts (every 10 minutes)": ("legality.send_alerts", 10, {}),
}
CRONTABS = {
    "Alerts for every followed place (daily)": (
        "legality.send_alerts",
        {"minute": "30", "hour": "3", "day_of_week": "*"},
        {"every_place": True},
    ),
    "Delete unconfirmed alert sign-ups (daily)": (
        "legality.delete_unconfirmed_subscriptions",
        {"minute": "45", "hour": "3", "day_of_week": "*"},
        {},
    ),
}


def create_schedules(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTasks = apps.get_model("django_celery_beat", "PeriodicTasks")
    for name, (task, minutes, kwargs) in INTERVALS.items():
        interval, _ = IntervalSchedule.objects.get_or_create(every=minutes, period="minutes")
        PeriodicTask.objects.get_or_create(
            name=name, defaults={"task": task, "interval": interval, "kwargs": json.dumps(kwargs)}
        )
    for name, (task, fields, kwargs) in CRONTABS.items():
        crontab, _ = CrontabSchedule.objects.get_or_create(
            day_of_month="*", month_of_year="*", timezone="UTC", **fields
        )
        PeriodicTask.objects.get_or_create(
            name=name, defaults={"task": task, "crontab": crontab, "kwargs": json.dumps(kwargs)}
        )
    PeriodicTasks.objects.update_or_create(ident=1, defaults={"last_update": timezone.now()})


def remove_schedules(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(
        name__in=[*INTERVALS, *CRONTABS]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("legality", "0012_alert_subscriptions_outbox_messages"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]
    operations = [migrations.RunPython(create_schedules, remove_schedules)]
