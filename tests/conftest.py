import pytest
from django.core.cache import cache


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
