"""One run of each scheduled job at a time, and a JobRun record of every run, skipped or not.

The lock must die with its holder: a worker killed mid-run (SIGKILL, OOM, a lost machine) has its
task redelivered, and the redelivered run must do the work rather than find the dead run's lock.

- On PostgreSQL the lock is a session advisory lock on a connection of its own, held for the
  run. The server drops it the moment that connection closes, which is when the process dies.
- Elsewhere (SQLite, the single-machine default) it is a JobLock row owned by the run: a Celery
  task owns it by its task id, so a redelivered task (same id) takes its own lock back at once;
  any other lock left by a dead process lapses after its `ttl`.

A run that finds the lock held is recorded as `skipped`, naming the JobRun that holds it. A run
that takes the lock marks the job's runs still `running` as failed: their process died (the lock
was free), so they will never finish.
"""

import hashlib
import logging
import os
import secrets
import socket
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import timedelta
from typing import Generic, TypeVar

import psycopg
from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from legality.models import JobLock, JobRun

logger = logging.getLogger(__name__)

T = TypeVar("T")

# How long a redelivered task waits for the lock of its own dead delivery to go: the server
# notices a killed client's closed socket within moments.
OWN_LOCK_WAIT_SECONDS = 15.0
SKIPPED = "another run holds the lock"
LOST = "its process died before it finished (the job's lock was free again)"


@dataclass(frozen=True)
class JobResult(Generic[T]):
    """A run's record, and what the job returned (None when the run was skipped)."""

    run: JobRun
    result: T | None

    @property
    def is_skipped(self) -> bool:
        return self.run.outcome == JobRun.Outcome.SKIPPED

    @property
    def refusal(self) -> str:
        """Why a skipped run did nothing, for an operator."""
        held_by = f" (run {self.run.held_by_id})" if self.run.held_by_id else ""
        return f"Another run of {self.run.job} is in progress{held_by}; try later."

    @property
    def summary(self) -> dict:
        """The task's JSON return value: the job's counts, or why it was skipped."""
        if self.is_skipped:
            return {"skipped": SKIPPED, "held_by": self.run.held_by_id}
        return self.run.summary


def run_job(
    name: str,
    job: Callable[[], T],
    *,
    trigger: str,
    task_id: str = "",
    ttl: timedelta | None = None,
) -> JobResult[T]:
    """Run `job` under the lock `name`, recorded as a JobRun; skip if another run holds it.

    `task_id` is the Celery task's id (a redelivered task keeps it); commands pass none. `ttl`
    bounds a JobLock row's life on databases without advisory locks (default: the Celery hard
    time limit plus a minute). The job's result must have a `counts` dict, stored as the summary.
    An exception from the job is recorded as `failed` and raised again.
    """
    owner = task_id or secrets.token_hex(16)
    ttl = ttl or timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 60)
    with job_lock(name, owner=owner, ttl=ttl, wait=_is_own_dead_delivery(name, task_id)) as held:
        if not held:
            holder = JobRun.objects.running().filter(job=name).first()
            logger.info("%s: skipped; run %s holds the lock", name, holder and holder.pk)
            return JobResult(_record_skip(name, trigger, task_id, holder), None)
        _fail_lost_runs(name)
        run = JobRun.objects.create(
            job=name,
            trigger=trigger,
            task_id=task_id,
            worker=f"{socket.gethostname()}:{os.getpid()}",
            started_at=timezone.now(),
            outcome=JobRun.Outcome.RUNNING,
        )
        try:
            result = job()
        except BaseException as error:  # the worker's time limits raise BaseException subclasses
            _finish(run, JobRun.Outcome.FAILED, {"error": f"{type(error).__name__}: {error}"})
            raise
        _finish(run, JobRun.Outcome.SUCCESS, dict(getattr(result, "counts", {})))
        return JobResult(run, result)


def _is_own_dead_delivery(name: str, task_id: str) -> bool:
    # A redelivered task finds the run of its killed delivery still marked running.
    return bool(task_id) and JobRun.objects.running().filter(job=name, task_id=task_id).exists()


def _record_skip(name: str, trigger: str, task_id: str, holder: JobRun | None) -> JobRun:
    now = timezone.now()
    return JobRun.objects.create(
        job=name,
        trigger=trigger,
        task_id=task_id,
        worker=f"{socket.gethostname()}:{os.getpid()}",
        started_at=now,
        finished_at=now,
        duration=timedelta(0),
        outcome=JobRun.Outcome.SKIPPED,
        held_by=holder,
    )


def _fail_lost_runs(name: str) -> None:
    now = timezone.now()
    JobRun.objects.running().filter(job=name).update(
        outcome=JobRun.Outcome.FAILED,
        finished_at=now,
        duration=now - F("started_at"),
        summary={"error": LOST},
    )


def _finish(run: JobRun, outcome: str, summary: dict) -> None:
    run.finished_at = timezone.now()
    run.duration = run.finished_at - run.started_at
    run.outcome = outcome
    run.summary = summary
    # Conditional: a run that a later run already declared lost stays failed.
    JobRun.objects.filter(pk=run.pk, outcome=JobRun.Outcome.RUNNING).update(
        finished_at=run.finished_at, duration=run.duration, outcome=outcome, summary=summary
    )


@contextmanager
def job_lock(name: str, *, owner: str, ttl: timedelta, wait: bool = False) -> Iterator[bool]:
    """Try to take the lock `name` for `owner`; yield whether this run holds it.

    Never waits, unless `wait` (a redelivered task waiting for its own dead delivery's lock to
    go, at most OWN_LOCK_WAIT_SECONDS). Released on exit.
    """
    if connection.vendor == "postgresql":
        with advisory_lock(name, wait=wait) as held:
            yield held
    else:
        with row_lock(name, owner=owner, ttl=ttl) as held:
            yield held


def advisory_lock_key(name: str) -> int:
    """A stable signed 64-bit key for the job's advisory lock."""
    return int.from_bytes(hashlib.sha256(f"legality:{name}".encode()).digest()[:8], signed=True)


@contextmanager
def advisory_lock(name: str, *, wait: bool = False) -> Iterator[bool]:
    """PostgreSQL: a session advisory lock, held while the block runs or until the process dies."""
    # A connection of its own: the job's connection commits, rolls back and may be closed by
    # Django between tasks; this one lives exactly as long as the run (or its process).
    lock_connection = connection.get_new_connection(connection.get_connection_params())
    lock_connection.autocommit = True
    key = advisory_lock_key(name)
    held = False
    try:
        deadline = time.monotonic() + (OWN_LOCK_WAIT_SECONDS if wait else 0)
        while True:
            held = lock_connection.execute("SELECT pg_try_advisory_lock(%s)", [key]).fetchone()[0]
            if held or time.monotonic() >= deadline:
                break
            time.sleep(0.5)
        yield held
    finally:
        # Unlocked before the connection closes: the server ends a closed session a moment
        # after close() returns, and the lock would outlive the run by that moment. A dead
        # process's locks still go with its session.
        if held:
            with suppress(psycopg.Error):  # a broken connection: closing releases it
                lock_connection.execute("SELECT pg_advisory_unlock(%s)", [key])
        lock_connection.close()


@contextmanager
def row_lock(name: str, *, owner: str, ttl: timedelta) -> Iterator[bool]:
    """Any database: a JobLock row owned by `owner` (a task id takes its own lock back), which
    lapses after `ttl` if its holder never releases it."""
    acquired = _take_row_lock(name, owner, ttl)
    try:
        yield acquired
    finally:
        if acquired:
            JobLock.objects.filter(name=name, owner=owner).delete()


def _take_row_lock(name: str, owner: str, ttl: timedelta) -> bool:
    now = timezone.now()
    # Take over a lapsed lock, or our own (a redelivered task): a conditional update, so of
    # two runs only one changes the row.
    if JobLock.objects.filter(Q(expires_at__lte=now) | Q(owner=owner), name=name).update(
        owner=owner, acquired_at=now, expires_at=now + ttl
    ):
        return True
    try:
        with transaction.atomic():
            JobLock.objects.create(name=name, owner=owner, acquired_at=now, expires_at=now + ttl)
    except IntegrityError:  # the name is unique: another run holds the lock
        return False
    return True
