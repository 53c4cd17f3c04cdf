"""Alerts on the production stack: a real worker on Redis and PostgreSQL sends each alert once,
however often the task is delivered."""

from datetime import date
from pathlib import Path

import pytest
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from legality.alerts import confirm_subscription, record_answer_changes, subscribe
from legality.models import AlertMessage, Subscription
from tests.factories import LegalStatusFactory
from tests.geo_factories import NamedPlaceFactory, UsStateFactory
from tests.integration.conftest import output_of
from tests.integration.test_jobs import wait_for
from tracker.celery import app

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.worker]


@pytest.mark.django_db(transaction=True)
def test_redelivered_and_doubled_alert_tasks_send_one_email(
    start_worker_and_beat, kratom, tmp_path: Path
):
    state = UsStateFactory(name="Mississippi", postal_code="MS")
    place = NamedPlaceFactory(parent=state, name="Tupelo")
    signup = subscribe(email="reader@example.org", jurisdiction=place, substance=kratom)
    subscription = Subscription.objects.get(pk=signup.subscription_id)
    confirm_subscription(subscription.token, now=timezone.now())
    LegalStatusFactory(
        jurisdiction=state, substance=kratom, status="banned", effective_from=date(2026, 7, 1)
    )
    record_answer_changes([state.pk], reason="test")
    PeriodicTask.objects.update(enabled=False)  # only this test's deliveries run
    mail_dir = tmp_path / "mail"
    worker, _beat = start_worker_and_beat({"EMAIL_URL": f"filemail:///{mail_dir}"})

    # Three deliveries at once, then the first one delivered again under its own id, as a
    # broker does when a worker dies before acknowledging (acks_late).
    first = app.send_task("legality.send_alerts")
    others = [app.send_task("legality.send_alerts") for _ in range(2)]
    results = [r.get(timeout=90) for r in [first, *others]]
    app.send_task("legality.send_alerts", task_id=first.id)
    # The result backend keeps one result per id: the worker's log tells when it ran again.
    wait_for(
        lambda: output_of(worker).count(f"send_alerts[{first.id}] succeeded") == 2,
        what="the redelivered task",
        processes=[worker],
    )

    emails = list(mail_dir.glob("*.log"))
    assert [r["sent"] for r in results] == [1, 0, 0]
    assert len(emails) == 1, output_of(worker)
    text = emails[0].read_text()
    assert "To: reader@example.org" in text
    assert "Kratom: no entry (we don't know) -> banned (decided by Mississippi)" in text
    assert "List-Unsubscribe-Post: List-Unsubscribe=One-Click" in text
    assert f"/alerts/unsubscribe/{subscription.token}/" in text
    assert AlertMessage.objects.filter(sent_at__isnull=False).count() == 1
