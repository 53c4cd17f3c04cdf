"""With the broker down, saving still works, and "Run selected tasks" says so instead of 500."""

import pytest
from django.contrib.messages import get_messages
from django_celery_beat.models import PeriodicTask

pytestmark = pytest.mark.django_db


def test_run_selected_tasks_with_the_broker_down_says_so(superuser_client, unreachable_broker):
    task = PeriodicTask.objects.get(task="legality.flag_stale_entries")

    response = superuser_client.post(
        "/admin/django_celery_beat/periodictask/",
        {"action": "run_tasks", "_selected_action": [task.pk]},
    )

    assert response.status_code == 302
    words = " ".join(str(message) for message in get_messages(response.wsgi_request))
    assert "The task queue (broker) cannot be reached, so nothing was started" in words
