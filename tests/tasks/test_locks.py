"""One run of a job at a time, every run recorded: a JobLock row on SQLite, an advisory lock on
PostgreSQL, and a lock that a redelivered task (same task id) takes back at once."""

from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.utils import timezone

from legality.locks import LOST, job_lock, row_lock, run_job
from legality.models import JobLock, JobRun

pytestmark = pytest.mark.django_db

TTL = timedelta(minutes=30)


class Counts:
    counts = {"opened": 3}


def test_a_second_run_does_not_get_a_held_lock():
    with job_lock("flag_stale_entries", owner="a", ttl=TTL) as first:
        with job_lock("flag_stale_entries", owner="b", ttl=TTL) as second:
            assert (first, second) == (True, False)


def test_other_jobs_have_their_own_locks():
    with (
        job_lock("flag_stale_entries", owner="a", ttl=TTL) as first,
        job_lock("check_sources", owner="b", ttl=TTL) as other,
    ):
        assert first and other


def test_the_lock_is_released_after_the_run_even_when_it_fails():
    with pytest.raises(RuntimeError), job_lock("flag_stale_entries", owner="a", ttl=TTL):
        raise RuntimeError("the job failed")

    with job_lock("flag_stale_entries", owner="b", ttl=TTL) as again:
        assert again
    assert not JobLock.objects.exists()


def test_a_run_is_recorded_with_its_outcome_duration_and_counts():
    job = run_job("flag_stale_entries", Counts, trigger="task", task_id="t-1")

    run = JobRun.objects.get()
    assert job.run == run
    assert (run.job, run.trigger, run.task_id, run.outcome) == (
        "flag_stale_entries",
        "task",
        "t-1",
        "success",
    )
    assert run.summary == {"opened": 3} == job.summary
    assert run.finished_at >= run.started_at and run.duration == run.finished_at - run.started_at


def test_a_failed_run_is_recorded_and_raises():
    def broken():
        raise ValueError("no database")

    with pytest.raises(ValueError):
        run_job("staleness_report", broken, trigger="command")

    run = JobRun.objects.get()
    assert run.outcome == "failed"
    assert run.summary == {"error": "ValueError: no database"}
    assert run.finished_at is not None


def test_a_skipped_run_is_recorded_naming_the_run_that_holds_the_lock():
    holder = []

    def job_that_is_overtaken():
        holder.append(JobRun.objects.running().get())
        return run_job("flag_stale_entries", Counts, trigger="command")

    outer = run_job("flag_stale_entries", job_that_is_overtaken, trigger="task", task_id="t-1")
    inner = outer.result

    assert inner.is_skipped and inner.run.outcome == "skipped"
    assert inner.run.held_by == holder[0] == outer.run
    assert inner.summary == {"skipped": "another run holds the lock", "held_by": outer.run.pk}
    assert inner.refusal == (
        f"Another run of flag_stale_entries is in progress (run {outer.run.pk}); try later."
    )
    assert outer.run.outcome == "success"


def test_a_run_that_takes_the_lock_marks_the_dead_runs_of_its_job_failed():
    now = timezone.now()
    dead = JobRun.objects.create(
        job="flag_stale_entries",
        trigger="task",
        task_id="killed",
        started_at=now,
        outcome="running",
    )
    other_job = JobRun.objects.create(
        job="check_sources", trigger="task", task_id="x", started_at=now, outcome="running"
    )

    run_job("flag_stale_entries", Counts, trigger="command")

    dead.refresh_from_db()
    other_job.refresh_from_db()
    assert (dead.outcome, dead.summary) == ("failed", {"error": LOST})
    assert dead.finished_at is not None and dead.duration is not None
    assert other_job.outcome == "running"


def test_a_redelivered_task_takes_back_the_row_lock_of_its_killed_delivery():
    # The killed delivery (task id task-42) left its row behind.
    with row_lock("flag_stale_entries", owner="task-42", ttl=TTL):
        with row_lock("flag_stale_entries", owner="another-task", ttl=TTL) as other:
            assert not other
        with row_lock("flag_stale_entries", owner="task-42", ttl=TTL) as redelivered:
            assert redelivered
    assert not JobLock.objects.exists()


def test_a_row_lock_left_by_a_killed_command_expires():
    JobLock.objects.create(
        name="flag_stale_entries",
        owner="killed-run",
        acquired_at=timezone.now(),
        expires_at=timezone.now() + TTL,
    )
    with row_lock("flag_stale_entries", owner="next", ttl=TTL) as before_expiry:
        assert not before_expiry

    with time_machine.travel(timezone.now() + TTL + timedelta(seconds=1)):
        with row_lock("flag_stale_entries", owner="next", ttl=TTL) as after_expiry:
            assert after_expiry


@pytest.mark.postgres
def test_on_postgresql_the_lock_is_an_advisory_lock_that_dies_with_its_connection():
    assert connection.vendor == "postgresql", "set DATABASE_URL=postgres://..."
    from legality.locks import advisory_lock_key

    def holders() -> int:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND "
                "((classid::bigint << 32) | objid::bigint) = %s::bigint",
                [advisory_lock_key("flag_stale_entries") & 0xFFFFFFFFFFFFFFFF],
            )
            return cursor.fetchone()[0]

    with job_lock("flag_stale_entries", owner="a", ttl=TTL) as held:
        assert held and holders() == 1
        with job_lock("flag_stale_entries", owner="b", ttl=TTL) as second:
            assert not second
    assert holders() == 0
    assert not JobLock.objects.exists()  # no row: nothing is left behind by a killed process
