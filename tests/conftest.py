import pytest


@pytest.fixture
def kratom(db):
    from legality.models import Substance

    return Substance.objects.get(slug="kratom")


@pytest.fixture
def seven_oh(db):
    from legality.models import Substance

    return Substance.objects.get(slug="7-oh")
