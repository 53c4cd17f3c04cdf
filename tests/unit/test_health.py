"""/healthz: 200 while the database answers, reporting the broker and the jobs' last successes;
?strict=1 answers 503 when anything is down."""

from datetime import timedelta

import pytest
from django.utils import timezone

from legality.models import JobRun

pytestmark = pytest.mark.django_db


def succeeded(job: str, *, ago: timedelta) -> None:
    at = timezone.now() - ago
    JobRun.objects.create(job=job, trigger="task", started_at=at, finished_at=at, outcome="success")


def test_healthz_reports_the_database_broker_and_jobs(client, settings, django_assert_num_queries):
    settings.SOURCE_CHECK_ENABLED = True
    succeeded("flag_stale_entries", ago=timedelta(hours=3))
    succeeded("staleness_report", ago=timedelta(days=3))

    # 1 SELECT 1, 2 the last success of each job
    with django_assert_num_queries(2):
        response = client.get("/healthz")

    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    body = response.json()
    assert (body["status"], body["database"], body["broker"]) == ("ok", "ok", "ok")
    assert body["jobs"]["flag_stale_entries"]["state"] == "ok"
    assert body["jobs"]["staleness_report"]["state"] == "ok"
    assert body["jobs"]["check_sources"] == {"last_success": None, "state": "never"}
    assert client.get("/healthz", {"strict": "1"}).status_code == 200


def test_a_late_job_degrades_health_and_fails_the_strict_probe(client):
    succeeded("flag_stale_entries", ago=timedelta(days=3))
    JobRun.objects.create(
        job="flag_stale_entries", trigger="task", started_at=timezone.now(),
        finished_at=timezone.now(), outcome="failed",
    )  # fmt: skip

    loose, strict = client.get("/healthz"), client.get("/healthz", {"strict": "1"})

    assert loose.status_code == 200
    assert loose.json()["status"] == "degraded"
    assert loose.json()["jobs"]["flag_stale_entries"]["state"] == "late"
    assert strict.status_code == 503


def test_a_broker_that_is_down_is_reported_and_fails_the_strict_probe(client, unreachable_broker):
    loose, strict = client.get("/healthz"), client.get("/healthz", {"strict": "1"})

    assert loose.status_code == 200
    assert loose.json()["broker"].startswith("down: ")
    assert strict.status_code == 503
