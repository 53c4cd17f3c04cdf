"""Health probe for load balancers, docker compose and operators.

/healthz answers 200 while the database answers (503 when it does not), and reports the broker
and the last successful run of each scheduled job. /healthz?strict=1 answers 503 when anything
is down: the broker unreachable, or a job with no success within its allowed age.
"""

from datetime import timedelta

from django.conf import settings
from django.db import DatabaseError, connection
from django.db.models import Max
from django.http import HttpRequest, JsonResponse
from django.utils import timezone

from legality.models import JobRun
from tracker.celery import app

# How old a job's last success may be before strict health calls it late: its schedule's
# period (migration 0008: daily, daily, weekly) plus a day's grace.
JOB_MAX_AGE = {
    "flag_stale_entries": timedelta(days=2),
    "check_sources": timedelta(days=2),
    "staleness_report": timedelta(days=8),
}
BROKER_TIMEOUT_SECONDS = 2


def healthz(request: HttpRequest) -> JsonResponse:
    headers = {"Cache-Control": "no-store"}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        jobs = _jobs(now=timezone.now())
    except DatabaseError as error:
        body = {"status": "down", "database": f"down: {error}".strip()[:200]}
        return JsonResponse(body, status=503, headers=headers)
    broker = _broker()
    healthy = broker == "ok" and all(job["state"] != "late" for job in jobs.values())
    body = {"status": "ok" if healthy else "degraded", "database": "ok", "broker": broker}
    body["jobs"] = jobs
    strict = request.GET.get("strict") in ("1", "true")
    return JsonResponse(body, status=503 if strict and not healthy else 200, headers=headers)


def _jobs(*, now) -> dict[str, dict]:
    # One query: the last success of each job.
    last = dict(JobRun.objects.succeeded().values_list("job").annotate(Max("finished_at")))
    jobs = {}
    for name, max_age in JOB_MAX_AGE.items():
        if name == "check_sources" and not settings.SOURCE_CHECK_ENABLED:
            jobs[name] = {"last_success": None, "state": "disabled"}
            continue
        at = last.get(name)
        state = "never" if at is None else "ok" if now - at <= max_age else "late"
        jobs[name] = {"last_success": at.isoformat() if at else None, "state": state}
    return jobs


def _broker() -> str:
    try:
        with app.connection_for_write() as broker:
            broker.ensure_connection(max_retries=1, timeout=BROKER_TIMEOUT_SECONDS)
    except Exception as error:  # any transport's failure to connect means the same: down
        return f"down: {type(error).__name__}: {error}"[:200]
    return "ok"
