"""Celery entry points. Each task is thin: it calls one domain function and returns a summary.

The scheduled jobs (their schedules are rows for django-celery-beat, see migration 0008) run one
at a time each: a run that finds the job's lock taken returns {"skipped": ...} at once. The lock
expires after the task's hard time limit, so a killed run never blocks the job for good. Every
task acknowledges late (settings: CELERY_TASK_ACKS_LATE), so a lost worker's job runs again;
the jobs are idempotent, so that is safe.
"""

import smtplib
from datetime import date, timedelta

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from legality.alerts import announce_changes, delete_unconfirmed, send_alert_messages
from legality.locks import run_once
from legality.models import Jurisdiction
from legality.reports import run_staleness_report
from legality.sources import check_sources
from legality.staleness import flag_stale_entries
from legality.zip_table import refresh_zip_table

SKIPPED = {"skipped": "another run holds the lock"}

CHECK_SOURCES_TIME_LIMIT = 60 * 60  # 2,000 URLs take minutes; a slow night gets an hour
# Worth retrying: the mail server was unreachable or hung up, not a refused message.
TRANSIENT_MAIL_ERRORS = (
    smtplib.SMTPConnectError,
    smtplib.SMTPServerDisconnected,
    ConnectionError,
    TimeoutError,
)


@shared_task(name="legality.count_jurisdictions")
def count_jurisdictions_task() -> dict[str, int]:
    # A health probe for operators and the integration test: proves the worker reaches the
    # broker, the result backend and the database.
    return {"jurisdictions": Jurisdiction.objects.count()}


@shared_task(name="legality.flag_stale_entries")
def flag_stale_entries_task(today: str | None = None) -> dict:
    # The rules live in staleness.flag_stale_entries; this is only the schedule's entry point.
    day = date.fromisoformat(today) if today else timezone.localdate()
    run = run_once("flag_stale_entries", lambda: flag_stale_entries(today=day))
    return run.counts if run else SKIPPED


@shared_task(
    name="legality.check_sources",
    time_limit=CHECK_SOURCES_TIME_LIMIT,
    soft_time_limit=CHECK_SOURCES_TIME_LIMIT - 300,
)
def check_sources_task(source_ids: list[int] | None = None) -> dict:
    # Network failures of single URLs are retried inside the checker and recorded; the task
    # itself has nothing transient to retry.
    if not settings.SOURCE_CHECK_ENABLED:
        return {"skipped": "SOURCE_CHECK_ENABLED is off"}
    run = run_once(
        "check_sources",
        lambda: check_sources(now=timezone.now(), source_ids=source_ids),
        ttl=timedelta(seconds=CHECK_SOURCES_TIME_LIMIT + 60),
    )
    return run.counts if run else SKIPPED


@shared_task(
    name="legality.staleness_report",
    autoretry_for=TRANSIENT_MAIL_ERRORS,
    retry_backoff=60,
    retry_backoff_max=60 * 60,
    retry_jitter=True,
    max_retries=5,
)
def staleness_report_task(today: str | None = None) -> dict:
    # A retry finds the day's report stored but unsent and sends it; nothing is built twice.
    day = date.fromisoformat(today) if today else timezone.localdate()
    run = run_once("staleness_report", lambda: run_staleness_report(today=day))
    return run.counts if run else SKIPPED


@shared_task(
    name="legality.send_alerts",
    autoretry_for=TRANSIENT_MAIL_ERRORS,
    retry_backoff=60,
    retry_backoff_max=60 * 60,
    retry_jitter=True,
    max_retries=5,
)
def send_alerts_task(every_place: bool = False) -> dict:
    # Enqueued after each change (legality.alerts.record_answer_changes) and run periodically,
    # so whatever a broker outage left behind is sent later; the daily run compares every
    # followed place (dated changes take effect without an edit). Idempotent (see alerts.py).
    announced = announce_changes(today=timezone.localdate(), every_place=every_place)
    sent = send_alert_messages(now=timezone.now())
    return {"places": announced.places_compared, "queued": announced.messages_queued, "sent": sent}


@shared_task(name="legality.delete_unconfirmed_subscriptions")
def delete_unconfirmed_subscriptions_task() -> dict:
    return {"deleted": delete_unconfirmed(now=timezone.now())}


@shared_task(name="legality.refresh_zip_table", time_limit=30 * 60, soft_time_limit=25 * 60)
def refresh_zip_table_task(force: bool = False) -> dict:
    # Scheduled every few minutes and daily: it rebuilds only when the data or the day changed.
    today = timezone.localdate()
    run = run_once(
        "refresh_zip_table",
        lambda: refresh_zip_table(today=today, force=force),
        ttl=timedelta(minutes=31),
    )
    return run.counts if run else SKIPPED
