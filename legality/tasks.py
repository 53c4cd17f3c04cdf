"""Celery entry points. Each task is thin: it calls one domain function and returns a summary."""

from celery import shared_task

from legality.models import Jurisdiction


@shared_task(name="legality.count_jurisdictions")
def count_jurisdictions_task() -> dict[str, int]:
    # A health probe for operators and the integration test: proves the worker reaches the
    # broker, the result backend and the database.
    return {"jurisdictions": Jurisdiction.objects.count()}
