"""The review queue: open flags oldest first, its filters, and the curators' three answers."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from legality.models import ReviewFlag
from tests.factories import (
    CountryFactory,
    CountyFactory,
    LegalStatusFactory,
    ReviewFlagFactory,
)

pytestmark = pytest.mark.django_db

URL = "/admin/legality/reviewflag/"


def raised_days_ago(flag: ReviewFlag, days: int) -> ReviewFlag:
    ReviewFlag.objects.filter(pk=flag.pk).update(created_at=timezone.now() - timedelta(days=days))
    return flag


def shown(response) -> list[int]:
    return [flag.pk for flag in response.context["cl"].result_list]


def test_the_queue_shows_open_flags_oldest_first(curator_client):
    newer = raised_days_ago(ReviewFlagFactory(), 1)
    older = raised_days_ago(ReviewFlagFactory(), 30)
    ReviewFlagFactory(resolved_at=timezone.now(), resolution="done")

    response = curator_client.get(URL)

    assert shown(response) == [older.pk, newer.pk]


def test_closed_flags_are_one_filter_away(curator_client):
    open_flag = ReviewFlagFactory()
    closed = ReviewFlagFactory(resolved_at=timezone.now(), resolution="done")

    assert shown(curator_client.get(URL, {"state": "closed"})) == [closed.pk]
    assert set(shown(curator_client.get(URL, {"state": "all"}))) == {open_flag.pk, closed.pk}


def test_the_queue_filters_by_reason_level_country_and_substance(curator_client, seven_oh):
    overdue = ReviewFlagFactory(reason=ReviewFlag.Reason.OVERDUE)
    county = ReviewFlagFactory(legal_status=LegalStatusFactory(jurisdiction=CountyFactory()))
    thailand = CountryFactory(ocd_id="ocd-division/country:th", name="Thailand", country_code="TH")
    abroad = ReviewFlagFactory(legal_status=LegalStatusFactory(jurisdiction=thailand))
    seven = ReviewFlagFactory(legal_status=LegalStatusFactory(substance=seven_oh))

    def filtered(**query) -> list[int]:
        return shown(curator_client.get(URL, query))

    assert filtered(reason__exact="overdue") == [overdue.pk]
    assert filtered(legal_status__jurisdiction__level__exact="county") == [county.pk]
    assert filtered(country="TH") == [abroad.pk]
    assert filtered(legal_status__substance__id__exact=seven_oh.pk) == [seven.pk]


def test_each_flag_links_to_its_entry_for_editing(curator_client):
    flag = ReviewFlagFactory()

    page = curator_client.get(URL).content.decode()

    url = f"/admin/legality/legalstatus/{flag.legal_status_id}/change/"
    assert f'<a href="{url}">{flag.legal_status}</a>' in page


@pytest.mark.parametrize("flags", [1, 50])
def test_the_queue_takes_the_same_queries_for_any_number_of_flags(
    curator_client, kratom, django_assert_num_queries, flags
):
    for entry in LegalStatusFactory.create_batch(flags, substance=kratom):
        ReviewFlagFactory(legal_status=entry, reason=ReviewFlag.Reason.OVERDUE)

    # 1 the session, 2 the user, 3 the user's own permissions, 4 their groups' permissions,
    # 5 the countries that have flags (country filter), 6 the substances (substance filter),
    # 7 the count of open flags, 8 the count of all flags ("N total"),
    # 9 the page: flags joined to their entry, its jurisdiction and substance.
    with django_assert_num_queries(9):
        response = curator_client.get(URL)

    assert len(shown(response)) == flags


def test_verified_unchanged_marks_the_entry_verified_and_closes_its_flags(curator_client, curator):
    entry = LegalStatusFactory(last_verified_at=date(2025, 1, 1))
    changed = ReviewFlagFactory(legal_status=entry, reason=ReviewFlag.Reason.SOURCE_CHANGED)
    overdue = ReviewFlagFactory(legal_status=entry, reason=ReviewFlag.Reason.OVERDUE)
    elsewhere = ReviewFlagFactory(reason=ReviewFlag.Reason.OVERDUE)
    today = timezone.localdate()

    response = curator_client.post(
        URL,
        {"action": "verified_unchanged", "_selected_action": [changed.pk], "index": "0"},
        follow=True,
    )

    assert f"1 flag closed; 1 entry marked verified on {today}" in response.content.decode()
    entry.refresh_from_db()
    assert (entry.last_verified_at, entry.last_verified_by) == (today, curator)
    assert entry.history.first().history_user == curator
    changed.refresh_from_db()
    assert changed.resolution == f"resolved by alice on {today.isoformat()}: verified, unchanged"
    overdue.refresh_from_db()  # verifying the entry answers its overdue flag too
    assert overdue.resolution == f"verified by alice on {today.isoformat()}"
    assert ReviewFlag.objects.get(pk=elsewhere.pk).is_open
    assert elsewhere.legal_status.last_verified_at == date(2026, 1, 1)


def test_dismiss_asks_for_a_note_and_writes_nothing_yet(curator_client):
    flag = ReviewFlagFactory(reason=ReviewFlag.Reason.SOURCE_CHANGED, note="Page changed.")

    response = curator_client.post(
        URL, {"action": "dismiss_with_note", "_selected_action": [flag.pk], "index": "0"}
    )

    assert response.status_code == 200
    assert "admin/legality/action_with_note.html" in [t.name for t in response.templates]
    page = response.content.decode()
    assert f"{flag.legal_status}: a source&#x27;s text changed (Page changed.)" in page
    assert f'<input type="hidden" name="_selected_action" value="{flag.pk}">' in page
    assert ReviewFlag.objects.get(pk=flag.pk).is_open


def test_dismiss_with_a_note_closes_the_flags_with_it(curator_client, curator):
    flags = ReviewFlagFactory.create_batch(2, reason=ReviewFlag.Reason.SOURCE_CHANGED)

    response = curator_client.post(
        URL,
        {
            "action": "dismiss_with_note",
            "_selected_action": [flag.pk for flag in flags],
            "select_across": "0",
            "with_note": "1",
            "note": "Only the page layout changed.",
        },
        follow=True,
    )

    assert "2 flags dismissed" in response.content.decode()
    today = timezone.localdate().isoformat()
    for flag in flags:
        flag.refresh_from_db()
        assert flag.resolved_by == curator
        assert flag.resolution == f"dismissed by alice on {today}: Only the page layout changed."
        assert flag.history.first().history_user == curator


def test_dismiss_without_a_note_asks_again(curator_client):
    flag = ReviewFlagFactory()

    response = curator_client.post(
        URL,
        {
            "action": "dismiss_with_note",
            "_selected_action": [flag.pk],
            "with_note": "1",
            "note": "  ",
        },
    )

    assert response.context["form"].errors == {"note": ["This field is required."]}
    assert ReviewFlag.objects.get(pk=flag.pk).is_open
