"""One run of a job at a time: the database lock everywhere, the Redis one where configured."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from legality.locks import job_lock, run_once
from legality.models import JobLock

pytestmark = pytest.mark.django_db

TTL = timedelta(minutes=30)


def test_a_second_run_does_not_get_a_held_lock():
    with job_lock("flag_stale_entries", ttl=TTL) as first:
        with job_lock("flag_stale_entries", ttl=TTL) as second:
            assert (first, second) == (True, False)


def test_other_jobs_have_their_own_locks():
    with (
        job_lock("flag_stale_entries", ttl=TTL) as first,
        job_lock("check_sources", ttl=TTL) as other,
    ):
        assert first and other


def test_the_lock_is_released_after_the_run_even_when_it_fails():
    with pytest.raises(RuntimeError), job_lock("flag_stale_entries", ttl=TTL):
        raise RuntimeError("the job failed")

    with job_lock("flag_stale_entries", ttl=TTL) as again:
        assert again
    assert not JobLock.objects.exists()


def test_a_lock_left_by_a_killed_run_expires():
    # A run that never released its lock (its worker was killed): the row stays behind.
    JobLock.objects.create(
        name="flag_stale_entries",
        owner="killed-run",
        acquired_at=timezone.now(),
        expires_at=timezone.now() + TTL,
    )
    with job_lock("flag_stale_entries", ttl=TTL) as before_expiry:
        assert not before_expiry

    with time_machine.travel(timezone.now() + TTL + timedelta(seconds=1)):
        with job_lock("flag_stale_entries", ttl=TTL) as after_expiry:
            assert after_expiry


def test_a_run_that_outlived_its_lock_does_not_release_the_next_holder():
    slow = job_lock("flag_stale_entries", ttl=timedelta(seconds=1))
    assert slow.__enter__()
    with time_machine.travel(timezone.now() + timedelta(seconds=2)):
        next_run = job_lock("flag_stale_entries", ttl=TTL)
        assert next_run.__enter__()  # took over the lapsed lock

        slow.__exit__(None, None, None)  # the slow run ends late

        with job_lock("flag_stale_entries", ttl=TTL) as third:
            assert not third  # the next run still holds it
        next_run.__exit__(None, None, None)


def test_run_once_returns_none_when_the_job_is_running_elsewhere():
    with job_lock("staleness_report", ttl=TTL):
        assert run_once("staleness_report", lambda: "ran") is None
    assert run_once("staleness_report", lambda: "ran") == "ran"


@pytest.mark.redis
def test_with_a_redis_cache_the_lock_lives_in_redis(settings):
    redis_url = settings.CELERY_BROKER_URL
    assert redis_url.startswith("redis://"), "set CELERY_BROKER_URL=redis://..."
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": redis_url,
            "KEY_PREFIX": "test-locks",
        }
    }
    from django.core.cache import caches

    caches["default"].delete("legality:job-lock:flag_stale_entries")
    with job_lock("flag_stale_entries", ttl=TTL) as first:
        with job_lock("flag_stale_entries", ttl=TTL) as second:
            assert (first, second) == (True, False)
    assert not JobLock.objects.exists()
    with job_lock("flag_stale_entries", ttl=TTL) as again:
        assert again
