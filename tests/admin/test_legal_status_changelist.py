"""The legal status change list renders in the same number of queries however many rows it has."""

import pytest

from legality.models import Jurisdiction, LegalStatus, ReviewFlag
from tests.factories import CountryFactory, LegalStatusFactory, ReviewFlagFactory, SourceFactory

pytestmark = pytest.mark.django_db

URL = "/admin/legality/legalstatus/"

# 1 the session, 2 the user, 3 the user's own permissions, 4 their groups' permissions,
# 5 the substances (substance filter), 6 the countries that have entries (country filter),
# 7 the count of the filtered list, 8 the count of all entries ("N total"),
# 9 the page: entries joined to jurisdiction and substance, open flags and sources as subqueries.
CHANGELIST_QUERIES = 9


@pytest.mark.parametrize("rows", [1, 50])
def test_changelist_queries_do_not_grow_with_the_rows(
    curator_client, kratom, django_assert_num_queries, rows
):
    entries = LegalStatusFactory.create_batch(rows, substance=kratom)
    ReviewFlagFactory(legal_status=entries[0], reason=ReviewFlag.Reason.OVERDUE)

    with django_assert_num_queries(CHANGELIST_QUERIES):
        response = curator_client.get(URL)

    assert response.status_code == 200
    shown = {entry.pk: entry for entry in response.context["cl"].result_list}
    assert len(shown) == rows
    assert shown[entries[0].pk].has_open_flags is True
    assert shown[entries[0].pk].source_count == 1


def test_changelist_of_a_thousand_statuses_takes_the_same_queries(
    curator_client, kratom, seven_oh, django_assert_num_queries
):
    country = CountryFactory()
    states = Jurisdiction.objects.bulk_create(
        Jurisdiction(
            ocd_id=f"ocd-division/country:us/state:b{n}",
            name=f"Bulk {n}",
            search_name=f"bulk {n}",
            level=Jurisdiction.Level.STATE,
            division_type="state",
            parent=country,
            country_code="US",
        )
        for n in range(500)
    )
    entries = LegalStatus.objects.bulk_create(
        LegalStatus(jurisdiction=state, substance=substance, status="legal", summary="Legal.")
        for state in states
        for substance in (kratom, seven_oh)
    )
    source = SourceFactory()
    LegalStatus.sources.through.objects.bulk_create(
        LegalStatus.sources.through(legalstatus=entry, source=source) for entry in entries
    )
    ReviewFlag.objects.bulk_create(
        ReviewFlag(legal_status=entry, reason=ReviewFlag.Reason.OVERDUE) for entry in entries[::3]
    )

    with django_assert_num_queries(CHANGELIST_QUERIES):
        response = curator_client.get(URL)

    changelist = response.context["cl"]
    assert changelist.result_count == 1000
    assert len(changelist.result_list) == 100  # one page
    assert all(entry.source_count == 1 for entry in changelist.result_list)


def test_filtered_and_searched_changelist_takes_the_same_queries(
    curator_client, kratom, django_assert_num_queries
):
    entries = LegalStatusFactory.create_batch(3, substance=kratom)
    ReviewFlagFactory(legal_status=entries[1], reason=ReviewFlag.Reason.OVERDUE)
    filters = {"has_open_flags": "yes", "country": "US", "status": "legal", "q": "State"}

    with django_assert_num_queries(CHANGELIST_QUERIES):
        response = curator_client.get(URL, filters)

    assert [entry.pk for entry in response.context["cl"].result_list] == [entries[1].pk]
