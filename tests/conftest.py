import threading

import pytest
from django.core.cache import cache
from django.db import connection
from django.db.models.signals import pre_save

# Fixtures that make a test transactional (pytest-django commits, then flushes every table).
_TRANSACTIONAL_FIXTURES = {"transactional_db", "live_server", "django_db_reset_sequences"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every transactional test runs with serialized rollback, whatever its marker says.

    A transactional test ends by flushing every table. Without serialized rollback the flush
    also deletes the rows the migrations seed (the substances, the Curators group, the review
    policy, the beat schedules), which later tests need, and re-creates the content types and
    permissions under new ids; the next test with serialized rollback then restores the saved
    ones over them and fails on their unique keys (PostgreSQL). With it everywhere, each
    transactional test starts from the database as the migrations left it, on every backend.
    """
    from django.test import TestCase, TransactionTestCase
    from pytest_django.fixtures import validate_django_db

    for item in items:
        cls = getattr(item, "cls", None)
        if cls is not None and issubclass(cls, TransactionTestCase):
            if not issubclass(cls, TestCase) and not cls.serialized_rollback:
                raise pytest.UsageError(
                    f"{cls.__qualname__} is transactional: give it serialized_rollback = True, "
                    "as tests/conftest.py does for every other transactional test"
                )
            continue
        marker = item.get_closest_marker("django_db")
        transaction, reset_sequences, databases, _, available_apps = (
            validate_django_db(marker) if marker else (False, False, None, False, None)
        )
        if transaction or reset_sequences or _TRANSACTIONAL_FIXTURES & set(item.fixturenames):
            item.add_marker(  # first, so that it is the closest django_db marker
                pytest.mark.django_db(
                    transaction=True,
                    reset_sequences=reset_sequences,
                    databases=databases,
                    serialized_rollback=True,
                    available_apps=available_apps,
                ),
                append=False,
            )


@pytest.fixture(autouse=True)
def _postgres_tests_run_on_postgres(request):
    # Tests marked postgres prove PostgreSQL-only guards: on another database they fail, never
    # pass vacuously. `make test` deselects them; `.ci/run` runs them with DATABASE_URL set.
    if request.node.get_closest_marker("postgres"):
        from django.db import connection

        assert connection.vendor == "postgresql", "needs PostgreSQL: set DATABASE_URL=postgres://"


@pytest.fixture(autouse=True)
def _empty_cache():
    # Public answers are cached by dataset version; each test starts from nothing.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def kratom(db):
    from legality.models import Substance

    return Substance.objects.get(slug="kratom")


@pytest.fixture
def seven_oh(db):
    from legality.models import Substance

    return Substance.objects.get(slug="7-oh")


@pytest.fixture
def overlap_committed_before_the_insert(kratom):
    """Another process commits an entry (fields: the yielded dict) between clean() and insert."""
    from legality.models import LegalStatus
    from tests.factories import LegalStatusFactory

    race = {}

    def commit_other_entry(sender, instance, **kwargs):
        def other_process():
            LegalStatus.objects.bulk_create(  # no signals, its own connection, autocommit
                [LegalStatusFactory.build(substance=kratom, **race)]
            )
            connection.close()

        thread = threading.Thread(target=other_process)
        thread.start()
        thread.join()

    pre_save.connect(commit_other_entry, sender=LegalStatus, dispatch_uid="race")
    yield race
    pre_save.disconnect(sender=LegalStatus, dispatch_uid="race")


@pytest.fixture
def unreachable_broker():
    """Point the Celery app at a broker that refuses connections, for this test only."""
    from kombu import pools

    from tracker.celery import app

    saved = app.conf.broker_url, app.conf.broker_write_url

    def switch(url: str | None, write_url: str | None) -> None:
        app.pool.force_close_all()
        app._pool = None  # the producer pool holds connections made with the old URL
        # kombu keeps producer pools per connection, globally: drop them too, or a later test's
        # send_task acquires from the pool closed here ("Acquire on closed pool").
        pools.reset()
        app.amqp._producer_pool = None
        app.conf.broker_url, app.conf.broker_write_url = url, write_url

    nowhere = "redis://127.0.0.1:9/0"  # the discard port: nothing listens there
    switch(nowhere, nowhere)
    yield nowhere
    switch(*saved)
