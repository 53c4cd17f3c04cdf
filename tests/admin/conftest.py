import threading

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.db.models.signals import pre_save

from legality.models import LegalStatus
from tests.factories import CuratorFactory, LegalStatusFactory


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


@pytest.fixture
def overlap_committed_before_the_insert(kratom):
    """Another process commits an entry (fields: the yielded dict) between clean() and insert."""
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
