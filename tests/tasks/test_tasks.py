"""The tasks are thin: they call the domain function under the job's lock and return a summary."""

import json
import smtplib
from datetime import date, timedelta

import pytest
from django.core import mail
from django_celery_beat.models import PeriodicTask

from legality.locks import job_lock
from legality.models import ReviewFlag, StalenessReport
from legality.tasks import (
    check_sources_task,
    flag_stale_entries_task,
    staleness_report_task,
)
from tests.factories import CuratorFactory, LegalStatusFactory, SourceFactory
from tracker.celery import app

pytestmark = pytest.mark.django_db


def test_flag_task_flags_an_overdue_entry_and_returns_json_counts():
    entry = LegalStatusFactory(status="banned", last_verified_at=date(2026, 1, 1))

    summary = flag_stale_entries_task(today="2026-06-01")

    assert summary["opened_overdue"] == 1
    json.dumps(summary)
    assert ReviewFlag.objects.open().get().legal_status == entry


def test_a_task_skips_while_another_run_holds_the_lock():
    LegalStatusFactory(status="banned", last_verified_at=None)

    with job_lock("flag_stale_entries", ttl=timedelta(minutes=5)):
        summary = flag_stale_entries_task(today="2026-06-01")

    assert summary == {"skipped": "another run holds the lock"}
    assert not ReviewFlag.objects.exists()


def test_the_scheduled_link_check_does_nothing_unless_enabled(settings):
    settings.SOURCE_CHECK_ENABLED = False
    SourceFactory(url="http://192.0.2.1/never-fetched")

    assert check_sources_task() == {"skipped": "SOURCE_CHECK_ENABLED is off"}


def test_the_link_check_task_checks_when_enabled(settings):
    settings.SOURCE_CHECK_ENABLED = True
    SourceFactory(url="http://127.0.0.1:9/refused")  # the default settings refuse loopback

    summary = check_sources_task()

    assert (summary["checked"], summary["failed"]) == (1, 1)
    json.dumps(summary)


def test_report_task_stores_and_sends_the_report(django_capture_on_commit_callbacks):
    CuratorFactory()

    with django_capture_on_commit_callbacks(execute=True):
        summary = staleness_report_task(today="2026-06-01")

    assert summary["is_new"] is True
    assert StalenessReport.objects.get().as_of == date(2026, 6, 1)
    assert len(mail.outbox) == 1


def test_report_task_retries_only_transient_mail_errors():
    retried = staleness_report_task.autoretry_for
    assert smtplib.SMTPServerDisconnected in retried
    assert smtplib.SMTPRecipientsRefused not in retried
    assert staleness_report_task.retry_backoff


def test_the_migrations_schedule_the_jobs_with_registered_tasks():
    scheduled = sorted(
        PeriodicTask.objects.values_list("task", "crontab__hour", "interval__every", "kwargs"),
        key=str,
    )

    assert scheduled == [
        ("legality.check_sources", "2", None, "{}"),
        ("legality.delete_unconfirmed_subscriptions", "3", None, "{}"),
        ("legality.flag_stale_entries", "3", None, "{}"),
        ("legality.refresh_zip_table", None, 5, "{}"),
        ("legality.send_alerts", "3", None, '{"every_place": true}'),
        ("legality.send_alerts", None, 10, "{}"),
        ("legality.staleness_report", "6", None, "{}"),
    ]
    scheduled = {task for task, *_ in scheduled}
    assert set(scheduled) <= set(app.tasks)
    report = PeriodicTask.objects.get(task="legality.staleness_report")
    assert report.crontab.day_of_week == "1"  # weekly, on Mondays
    zip_table = PeriodicTask.objects.get(task="legality.refresh_zip_table")
    assert (zip_table.interval.every, zip_table.interval.period) == (5, "minutes")
