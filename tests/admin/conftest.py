import pytest
from django.contrib.auth.models import User

from tests.factories import CuratorFactory


@pytest.fixture
def curator(db):
    return CuratorFactory(username="alice")


@pytest.fixture
def curator_client(client, curator):
    client.force_login(curator)
    return client


@pytest.fixture
def superuser_client(client, db):
    client.force_login(User.objects.create_superuser("root", "root@example.org", "not used"))
    return client
