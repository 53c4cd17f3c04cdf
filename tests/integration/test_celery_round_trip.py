"""A task goes through the real broker to a real worker, which reads the real database."""

import pytest
from django_celery_results.models import TaskResult

from legality.tasks import count_jurisdictions_task
from tests.factories import StateFactory

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.worker]


def test_worker_runs_a_task_against_the_database_and_stores_its_result(celery_worker_process):
    StateFactory.create_batch(3)  # a country and three states, committed (transactional_db)

    result = count_jurisdictions_task.delay()

    assert result.get(timeout=60) == {"jurisdictions": 4}
    stored = TaskResult.objects.get(task_id=result.id)
    assert stored.status == "SUCCESS"
    assert stored.task_name == "legality.count_jurisdictions"
