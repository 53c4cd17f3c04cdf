"""One run of each scheduled job at a time, across every worker, beat and shell on every machine.

The lock lives where every process can see it: in Redis when the default cache is Redis
(CACHE_URL=redis://...), otherwise in the database (a JobLock row). Either way it expires, so a
run killed mid-way (a worker lost, a hard time limit) never blocks the job for good. The jobs are
idempotent anyway; the lock only saves a second run from doing the same work at the same time.
"""

import logging
import secrets
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import TypeVar

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from django.db import IntegrityError, transaction
from django.utils import timezone

from legality.models import JobLock

CACHE_KEY = "legality:job-lock:{name}"

logger = logging.getLogger(__name__)

T = TypeVar("T")


def run_once(name: str, job: Callable[[], T], *, ttl: timedelta | None = None) -> T | None:
    """Run `job` under the lock `name` and return its result, or None if another run holds it.

    `ttl` defaults to the Celery hard time limit (plus a minute): no run outlives its lock.
    """
    ttl = ttl or timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 60)
    with job_lock(name, ttl=ttl) as acquired:
        if not acquired:
            logger.info("%s: another run holds the lock; skipped", name)
            return None
        return job()


@contextmanager
def job_lock(name: str, *, ttl: timedelta) -> Iterator[bool]:
    """Try to take the lock `name` for at most `ttl`; yield whether this run holds it.

    Never waits: a caller that does not get the lock should skip its run. The lock is released
    on exit, only if this run still holds it (after `ttl` another run may have taken it over).
    """
    token = secrets.token_hex(16)
    acquired = _acquire(name, token, ttl)
    try:
        yield acquired
    finally:
        if acquired:
            _release(name, token)


def _redis_cache() -> RedisCache | None:
    cache = caches["default"]
    return cache if isinstance(cache, RedisCache) else None


def _acquire(name: str, token: str, ttl: timedelta) -> bool:
    if cache := _redis_cache():
        # SET NX with an expiry: atomic in Redis.
        return cache.add(CACHE_KEY.format(name=name), token, timeout=ttl.total_seconds())
    now = timezone.now()
    # Take over a lapsed lock: a conditional update, so of two runs only one changes the row.
    if JobLock.objects.filter(name=name, expires_at__lte=now).update(
        owner=token, acquired_at=now, expires_at=now + ttl
    ):
        return True
    try:
        with transaction.atomic():
            JobLock.objects.create(name=name, owner=token, acquired_at=now, expires_at=now + ttl)
    except IntegrityError:  # the name is unique: another run holds the lock
        return False
    return True


def _release(name: str, token: str) -> None:
    if cache := _redis_cache():
        key = CACHE_KEY.format(name=name)
        # Between get and delete the lock can only change hands if it expired in that instant.
        if cache.get(key) == token:
            cache.delete(key)
        return
    JobLock.objects.filter(name=name, owner=token).delete()
