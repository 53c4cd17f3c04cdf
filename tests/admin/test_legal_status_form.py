"""The legal status form reports the model's rules as form errors and then writes nothing."""

from datetime import date

import pytest

from legality.models import LegalStatus
from tests.admin.change_forms import legal_status_form_data
from tests.factories import LegalStatusFactory, SourceFactory, StateFactory

pytestmark = pytest.mark.django_db

ADD_URL = "/admin/legality/legalstatus/add/"


def test_overlapping_period_is_a_form_error_and_nothing_is_written(curator_client, kratom):
    state = StateFactory(name="Alabama")
    LegalStatusFactory(jurisdiction=state, substance=kratom, effective_from=date(2016, 5, 10))
    draft = LegalStatusFactory.build(
        jurisdiction=state,
        substance=kratom,
        status="banned",
        effective_from=date(2020, 1, 1),
        effective_from_precision="day",
    )

    response = curator_client.post(
        ADD_URL, legal_status_form_data(draft, sources=[SourceFactory()])
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.non_field_errors() == [
        "Kratom in Alabama already has an entry from 2016-05-10 to today; periods may not overlap."
    ]
    assert state.legal_statuses.count() == 1
    assert LegalStatus.history.filter(jurisdiction_id=state.pk).count() == 2  # the factory's


def test_moving_an_entry_onto_another_period_is_a_form_error(curator_client, kratom):
    state = StateFactory(name="Alabama")
    LegalStatusFactory(
        jurisdiction=state,
        substance=kratom,
        effective_from=date(2016, 1, 1),
        effective_until=date(2020, 1, 1),
    )
    later = LegalStatusFactory(
        jurisdiction=state, substance=kratom, effective_from=date(2020, 1, 1)
    )

    response = curator_client.post(
        f"/admin/legality/legalstatus/{later.pk}/change/",
        legal_status_form_data(later, effective_from=date(2019, 12, 31)),
    )

    assert response.status_code == 200
    assert "periods may not overlap" in response.content.decode()
    later.refresh_from_db()
    assert later.effective_from == date(2020, 1, 1)


def test_publishing_without_a_source_is_a_form_error(curator_client, kratom):
    draft = LegalStatusFactory.build(substance=kratom, jurisdiction=StateFactory())

    response = curator_client.post(
        ADD_URL, legal_status_form_data(draft, is_published=True, sources=[])
    )

    assert response.status_code == 200
    (sources_inline, _flags_inline) = response.context["inline_admin_formsets"]
    assert sources_inline.formset.non_form_errors() == [
        "A published entry needs at least one source with a URL or a citation: add a source, "
        "or leave the entry unpublished."
    ]
    assert not LegalStatus.objects.exists()


def test_removing_the_last_source_of_a_published_entry_is_a_form_error(curator_client, kratom):
    entry = LegalStatusFactory(substance=kratom, is_published=True)

    response = curator_client.post(
        f"/admin/legality/legalstatus/{entry.pk}/change/",
        legal_status_form_data(entry, sources=[]),
    )

    assert response.status_code == 200
    assert "A published entry needs at least one source" in response.content.decode()
    assert entry.sources.count() == 1


def test_an_unpublished_draft_may_have_no_source_yet(curator_client, kratom):
    state = StateFactory()
    draft = LegalStatusFactory.build(substance=kratom, jurisdiction=state)

    response = curator_client.post(
        ADD_URL, legal_status_form_data(draft, is_published=False, sources=[])
    )

    assert response.status_code == 302, response.context["errors"]
    (entry,) = state.legal_statuses.all()
    assert entry.is_published is False


def test_scope_on_a_state_entry_is_a_field_error(curator_client, kratom):
    draft = LegalStatusFactory.build(substance=kratom, jurisdiction=StateFactory())

    response = curator_client.post(
        ADD_URL, legal_status_form_data(draft, applies_to="whole", sources=[SourceFactory()])
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["applies_to"] == [
        "Only a county-level entry has a scope."
    ]


def test_old_versions_can_be_viewed_but_not_restored(curator_client, kratom):
    entry = LegalStatusFactory(substance=kratom)
    record = entry.history.earliest()
    url = f"/admin/legality/legalstatus/{entry.pk}/history/{record.history_id}/"

    assert curator_client.get(url).status_code == 200
    assert curator_client.post(url, legal_status_form_data(entry)).status_code == 403


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_overlap_saved_concurrently_is_a_message_not_a_server_error(
    curator_client, kratom, overlap_committed_before_the_insert
):
    state = StateFactory(name="Alabama")
    overlap_committed_before_the_insert.update(
        jurisdiction=state, effective_from=date(2019, 1, 1), effective_from_precision="day"
    )
    draft = LegalStatusFactory.build(
        jurisdiction=state,
        substance=kratom,
        effective_from=date(2020, 1, 1),
        effective_from_precision="day",
    )

    response = curator_client.post(
        ADD_URL, legal_status_form_data(draft, sources=[SourceFactory()]), follow=True
    )

    assert response.redirect_chain == [(ADD_URL, 302)]
    assert [str(message) for message in response.context["messages"]] == [
        "Kratom in Alabama already has an entry from 2019-01-01 to today; periods may not overlap."
    ]
    assert list(state.legal_statuses.values_list("effective_from", flat=True)) == [date(2019, 1, 1)]


def test_effective_until_is_entered_and_shown_as_the_last_day_in_force(curator_client, kratom):
    entry = LegalStatusFactory(
        substance=kratom, effective_from=date(2016, 5, 10), effective_until=date(2026, 7, 1)
    )
    url = f"/admin/legality/legalstatus/{entry.pk}/change/"

    form = curator_client.get(url).content.decode()
    assert 'name="effective_until" value="2026-06-30"' in form  # stored half-open: 2026-07-01
    assert "Last day in force" in form
    # Sources are listed by title and citation, not as "LegalStatus_sources object (n)".
    assert "object (" not in form

    response = curator_client.post(
        url, legal_status_form_data(entry, effective_until=date(2026, 12, 31))
    )

    assert response.status_code == 302, response.context["errors"]
    entry.refresh_from_db()
    assert entry.effective_until == date(2027, 1, 1)
    assert entry.last_day_in_force == date(2026, 12, 31)
