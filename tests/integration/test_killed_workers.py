"""Jobs survive their workers (Redis, PostgreSQL, real Celery workers).

The flagging run is held mid-way inside its transaction: the test locks the review flags table,
so the run's insert waits while it holds the job's lock. Then the test kills the process running
it, once the pool process alone (Celery redelivers at once) and once the whole worker (Redis
hands the message out again after the visibility timeout, a few seconds here). Each time the
next delivery does the work: every overdue entry gets exactly one flag, and the JobRun records
show the killed run as failed and the redelivered one (same task id) as a success.
"""

import os
import signal
from datetime import date

import psycopg
import pytest
from django.db import connection

from legality.locks import LOST
from legality.models import JobRun, ReviewFlag
from legality.tasks import flag_stale_entries_task
from tests.factories import LegalStatusFactory
from tests.integration.conftest import check_services, start_celery, stop_celery, wait_for_worker
from tests.integration.test_jobs import wait_for

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.worker]

OVERDUE = 40
VISIBILITY_TIMEOUT = 3


def prefork_worker(extra_env: dict[str, str]):
    command = ["worker", "--pool=prefork", "--concurrency=1", "--loglevel=INFO",
               "--without-gossip", "--without-mingle", "--hostname=killtest@%h"]  # fmt: skip
    worker = start_celery(command, extra_env)
    wait_for_worker(worker)
    return worker


def solo_worker(extra_env: dict[str, str], name: str):
    command = ["worker", "--pool=solo", "--loglevel=INFO", "--without-gossip",
               "--without-mingle", f"--hostname={name}@%h"]  # fmt: skip
    worker = start_celery(command, extra_env)
    wait_for_worker(worker)
    return worker


def block_flag_inserts() -> psycopg.Connection:
    """Hold the review flags table: reads go on, the flagging run's insert waits."""
    blocker = connection.get_new_connection(connection.get_connection_params())
    blocker.execute("LOCK TABLE legality_reviewflag IN SHARE ROW EXCLUSIVE MODE")
    return blocker


def run_waiting_on_the_table(processes) -> JobRun:
    def waiting() -> JobRun | None:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                "AND query ILIKE 'INSERT INTO \"legality_reviewflag\"%%'"
            )
            if not cursor.fetchone()[0]:
                return None
        return JobRun.objects.running().filter(job="flag_stale_entries").first()

    return wait_for(waiting, what="the flagging run to wait on the table", processes=processes)


def overdue_entries(kratom) -> list[int]:
    return [
        LegalStatusFactory(substance=kratom, status="banned", last_verified_at=date(2020, 1, 1)).pk
        for _ in range(OVERDUE)
    ]


def assert_done_once(entries: list[int], task_id: str, killed: JobRun) -> None:
    flags = ReviewFlag.objects.filter(reason="overdue", resolved_at__isnull=True)
    assert sorted(flags.values_list("legal_status_id", flat=True)) == sorted(entries)
    killed.refresh_from_db()
    assert (killed.outcome, killed.summary) == ("failed", {"error": LOST})
    success = JobRun.objects.succeeded().get(job="flag_stale_entries")
    assert success.task_id == killed.task_id == task_id
    assert success.summary["opened_overdue"] == OVERDUE
    assert not JobRun.objects.filter(outcome="skipped").exists()


@pytest.mark.django_db(transaction=True)
def test_a_killed_pool_process_s_task_is_redelivered_at_once_and_does_the_work(kratom):
    check_services()
    entries = overdue_entries(kratom)
    worker = prefork_worker({})
    blocker = block_flag_inserts()
    try:
        task_id = flag_stale_entries_task.delay().id
        killed = run_waiting_on_the_table([worker])
        pool_pid = int(killed.worker.rsplit(":", 1)[1])
        assert pool_pid != worker.pid  # the pool's child, not the worker itself
        os.kill(pool_pid, signal.SIGKILL)

        # The redelivered run takes the lock of the dead one and waits on the table in turn.
        wait_for(
            lambda: JobRun.objects.running().exclude(pk=killed.pk).filter(task_id=task_id).exists(),
            what="the redelivered run to start",
            processes=[worker],
        )
        blocker.rollback()
        wait_for(
            lambda: JobRun.objects.succeeded().filter(job="flag_stale_entries").exists(),
            what="the redelivered run to finish",
            processes=[worker],
        )
        assert_done_once(entries, task_id, killed)
    finally:
        blocker.close()
        stop_celery(worker)


@pytest.mark.django_db(transaction=True)
def test_a_killed_worker_s_task_is_redelivered_after_the_visibility_timeout(kratom):
    check_services()
    entries = overdue_entries(kratom)
    env = {"CELERY_VISIBILITY_TIMEOUT": str(VISIBILITY_TIMEOUT)}
    first = solo_worker(env, "first")
    blocker = block_flag_inserts()
    second = None
    try:
        task_id = flag_stale_entries_task.delay().id
        killed = run_waiting_on_the_table([first])
        assert int(killed.worker.rsplit(":", 1)[1]) == first.pid  # solo: the worker runs it
        first.send_signal(signal.SIGKILL)
        first.wait()
        blocker.rollback()

        second = solo_worker(env, "second")
        wait_for(
            lambda: JobRun.objects.succeeded().filter(job="flag_stale_entries").exists(),
            what="the message to come back after the visibility timeout and the run to finish",
            processes=[second],
        )
        assert_done_once(entries, task_id, killed)
    finally:
        blocker.close()
        for process in (first, second):
            if process is not None:
                stop_celery(process)
