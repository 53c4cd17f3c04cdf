"""The jobs on the production stack: two flagging runs at once on PostgreSQL, and beat reading
its schedule from PostgreSQL, sending the jobs through Redis to a real worker that flags an
overdue entry and emails the staleness report."""

import threading
import time
from datetime import date, timedelta
from pathlib import Path

import pytest
from django.db import connection
from django.utils import timezone
from django_celery_beat.models import IntervalSchedule, PeriodicTask

from legality.models import Jurisdiction, LegalStatus, ReviewFlag, StalenessReport
from legality.staleness import flag_stale_entries
from tests.factories import CountryFactory, CuratorFactory, LegalStatusFactory
from tests.integration.conftest import output_of

pytestmark = pytest.mark.postgres


def wait_for(condition, *, what: str, processes, timeout: float = 90):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if result := condition():
            return result
        if any(process.poll() is not None for process in processes):
            break
        time.sleep(0.5)
    logs = "\n\n".join(output_of(process)[-5000:] for process in processes)
    raise AssertionError(f"timed out waiting for {what}; Celery said:\n{logs}")


def schedule(task: str, *, every: IntervalSchedule, enabled: bool) -> PeriodicTask:
    # save() (not update()) tells a running beat that the schedule changed.
    periodic, _ = PeriodicTask.objects.get_or_create(
        name=f"test: {task}", defaults={"task": task, "interval": every}
    )
    periodic.enabled = enabled
    periodic.save()
    return periodic


@pytest.mark.django_db(transaction=True)
def test_two_flagging_runs_at_once_open_each_flag_once(kratom):
    assert connection.vendor == "postgresql", "set DATABASE_URL=postgres://..."
    country = CountryFactory()
    states = Jurisdiction.objects.bulk_create(
        Jurisdiction(
            ocd_id=f"{country.ocd_id}/state:race{n}",
            name=f"Race {n}",
            search_name=f"race {n}",
            level="state",
            division_type="state",
            parent=country,
            country_code="US",
        )
        for n in range(3000)
    )
    LegalStatus.objects.bulk_create(
        LegalStatus(
            jurisdiction=state,
            substance=kratom,
            status="banned",
            summary="Banned.",
            is_published=True,
            last_verified_at=date(2020, 1, 1),
        )
        for state in states
    )
    start, runs, errors = threading.Barrier(2), [], []

    def run() -> None:
        try:
            start.wait()
            runs.append(flag_stale_entries(today=date.today() + timedelta(days=1)))
        except Exception as error:  # reported below, in the test's thread
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert errors == []
    # Whichever run got each row first opened its flag; the other skipped it, without error.
    assert sum(run.opened["overdue"] for run in runs) == 3000
    assert ReviewFlag.objects.filter(reason="overdue").count() == 3000
    assert ReviewFlag.history.count() == 3000


@pytest.mark.redis
@pytest.mark.worker
def test_beat_runs_the_flagging_and_the_report_and_the_report_is_emailed(
    start_worker_and_beat, tmp_path: Path
):
    curator = CuratorFactory(username="ana")
    overdue = LegalStatusFactory(status="banned", last_verified_at=date(2020, 1, 1))
    # Only this test's schedules run: the migration's crontabs are switched off.
    PeriodicTask.objects.update(enabled=False)
    every_second, _ = IntervalSchedule.objects.get_or_create(every=1, period="seconds")
    schedule("legality.flag_stale_entries", every=every_second, enabled=True)
    report_schedule = schedule("legality.staleness_report", every=every_second, enabled=False)
    mail_dir = tmp_path / "mail"
    # django-environ drops the first slash of the path: four slashes for an absolute one.
    processes = start_worker_and_beat({"EMAIL_URL": f"filemail:///{mail_dir}"})

    flag = wait_for(
        lambda: ReviewFlag.objects.open().filter(legal_status=overdue).first(),
        what="the scheduled flagging run",
        processes=processes,
    )
    assert flag.reason == ReviewFlag.Reason.OVERDUE

    # Now the report: it must see the flag, so it is switched on only after the flag exists.
    report_schedule.enabled = True
    report_schedule.save()
    report = wait_for(
        lambda: StalenessReport.objects.filter(sent_at__isnull=False).first(),
        what="the scheduled staleness report",
        processes=processes,
    )

    assert report.as_of == timezone.localdate()
    assert report.recipients == [curator.email]
    assert report.counts["by_reason"] == {"overdue": 1}
    [email] = wait_for(lambda: list(mail_dir.glob("*.log")), what="the email", processes=processes)
    text = email.read_text()
    assert f"To: {curator.email}" in text
    assert "Staleness report" in text
    assert f"/admin/legality/legalstatus/{overdue.pk}/change/" in text
    assert f'filename="staleness-{report.as_of.isoformat()}.csv"' in text
    # Beat keeps firing every second; the report is stored and sent once a day all the same.
    time.sleep(3)
    assert StalenessReport.objects.count() == 1
    assert len(list(mail_dir.glob("*.log"))) == 1
