"""The admin index tells curators how many review flags are open."""

import pytest
from django.utils import timezone

from tests.factories import ReviewFlagFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_index_shows_the_number_of_open_flags(curator_client, django_assert_num_queries):
    ReviewFlagFactory.create_batch(2)
    ReviewFlagFactory(resolved_at=timezone.now())

    # 1 the session, 2 the user, 3 the user's own permissions, 4 their groups' permissions,
    # 5 the open flags' count, 6 the user's recent actions (the index's sidebar).
    with django_assert_num_queries(6):
        page = curator_client.get("/admin/").content.decode()

    assert '<a href="/admin/legality/reviewflag/?state=open">2 open review flags</a>' in page


def test_index_says_when_the_queue_is_empty(curator_client):
    assert "No open review flags." in curator_client.get("/admin/").content.decode()


def test_staff_who_may_not_see_flags_get_no_count(client):
    ReviewFlagFactory()
    user = UserFactory(is_staff=True)
    user.save()  # keeps the password hash the session checks
    client.force_login(user)

    page = client.get("/admin/").content.decode()

    assert "review flag" not in page


def test_other_pages_do_not_count_the_flags(curator_client, django_assert_num_queries):
    # 1-4 the session, the user and their permissions, 5-6 the counts of substances (filtered
    # and all), 7 the substances: the context processor's count is never run.
    with django_assert_num_queries(7):
        curator_client.get("/admin/legality/substance/")
