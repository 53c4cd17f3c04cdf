"""A real Celery worker (and beat), started per test against the test database and the broker.

Needs CELERY_BROKER_URL=redis://... and DATABASE_URL=postgres://... (as `.ci/run` sets them):
the worker is another process, so it must share a server-backed broker and database with the test.
"""

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]


def _database_url_of_test_database() -> str:
    db = connection.settings_dict
    host = db["HOST"] or "127.0.0.1"
    port = db["PORT"] or "5432"
    credentials = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{credentials}@{host}:{port}/{db['NAME']}"


def check_services() -> None:
    assert settings.CELERY_BROKER_URL.startswith("redis://"), "set CELERY_BROKER_URL=redis://..."
    assert connection.vendor == "postgresql", "set DATABASE_URL=postgres://..."


def start_celery(command: list[str], extra_env: dict[str, str]) -> subprocess.Popen:
    env = {
        **os.environ,
        "DEBUG": "true",
        "DATABASE_URL": _database_url_of_test_database(),
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "CELERY_RESULT_BACKEND": settings.CELERY_RESULT_BACKEND,
        **extra_env,
    }
    # A file, not a pipe: nobody reads a pipe while the test runs, and a full one blocks Celery.
    log = tempfile.TemporaryFile(mode="w+")
    process = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "tracker", *command],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        text=True,
    )
    process.log = log
    return process


def output_of(process: subprocess.Popen) -> str:
    """What a Celery process has logged so far, for failure messages."""
    process.log.seek(0)
    return process.log.read()


def stop_celery(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
    process.log.close()


WORKER = [
    "worker",
    "--pool=solo",
    "--loglevel=INFO",
    "--without-gossip",
    "--without-mingle",
    "--hostname=test@%h",
]


def wait_for_worker(worker: subprocess.Popen) -> None:
    from tracker.celery import app

    deadline = time.monotonic() + 60
    while not app.control.ping(timeout=1):
        if worker.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"the Celery worker did not start:\n{output_of(worker)}")


@pytest.fixture
def celery_worker_process(transactional_db):
    check_services()
    from tracker.celery import app

    app.control.purge()
    worker = start_celery(WORKER, {})
    try:
        wait_for_worker(worker)
        yield worker
    finally:
        stop_celery(worker)


@pytest.fixture
def start_worker_and_beat(transactional_db):
    """Start a worker and beat (DatabaseScheduler, the test database) with extra environment.

    A function, so that a test writes its schedule first: beat reads it when it starts. Both
    processes are stopped at the end of the test.
    """
    check_services()
    from tracker.celery import app

    started: list[subprocess.Popen] = []

    def start(extra_env: dict[str, str]) -> tuple[subprocess.Popen, subprocess.Popen]:
        app.control.purge()
        worker = start_celery(WORKER, extra_env)
        started.append(worker)
        wait_for_worker(worker)
        # --pidfile= : no celerybeat.pid in the work tree; --max-interval: wake every second.
        beat = start_celery(
            ["beat", "--loglevel=INFO", "--pidfile=", "--max-interval=1"], extra_env
        )
        started.append(beat)
        return worker, beat

    yield start
    for process in reversed(started):
        stop_celery(process)
