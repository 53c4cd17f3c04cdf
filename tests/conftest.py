import pytest
from django.core.cache import cache


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
