"""A curator logs in through the real login form, edits an entry and finds it in the history."""

import pytest
from django.contrib.admin.models import LogEntry

from tests.admin.change_forms import legal_status_form_data
from tests.factories import LegalStatusFactory, SourceFactory, StateFactory

pytestmark = pytest.mark.django_db


def test_curator_logs_in_through_the_login_form_and_sees_the_statuses(client, curator, kratom):
    LegalStatusFactory(jurisdiction=StateFactory(name="Alabama"), substance=kratom)

    response = client.post(
        "/admin/login/",
        {"username": "alice", "password": "correct horse battery", "next": "/admin/"},
    )

    assert response.status_code == 302
    assert response["Location"] == "/admin/"
    changelist = client.get("/admin/legality/legalstatus/")
    assert changelist.status_code == 200
    assert "Alabama" in changelist.content.decode()


def test_wrong_password_stays_on_the_login_form(client, curator):
    response = client.post("/admin/login/", {"username": "alice", "password": "wrong"})
    assert response.status_code == 200
    assert client.get("/admin/legality/legalstatus/").status_code == 302  # to the login form


def test_curator_edits_an_entry_and_finds_the_change_in_its_history(
    curator_client, curator, kratom
):
    entry = LegalStatusFactory(status="legal", substance=kratom)
    (old_source,) = entry.sources.all()
    new_source = SourceFactory(citation="Ala. Code § 20-2-23")
    records_before = entry.history.count()

    response = curator_client.post(
        f"/admin/legality/legalstatus/{entry.pk}/change/",
        legal_status_form_data(
            entry, status="banned", summary="Banned since 2016.", sources=[new_source]
        ),
    )

    assert response.status_code == 302, response.context["errors"]
    entry.refresh_from_db()
    assert entry.status == "banned"
    assert list(entry.sources.all()) == [new_source]
    # One history record for the whole edit, by the curator, showing the new sources.
    assert entry.history.count() == records_before + 1
    record = entry.history.latest()
    assert (record.history_user, record.history_type, record.status) == (curator, "~", "banned")
    assert [link.source_id for link in record.sources.all()] == [new_source.pk]

    (log,) = LogEntry.objects.filter(object_id=str(entry.pk))
    assert log.get_change_message() == "Changed Status, Summary and Sources."

    history = curator_client.get(f"/admin/legality/legalstatus/{entry.pk}/history/")
    assert history.status_code == 200
    page = history.content.decode()
    assert "alice" in page
    assert "banned" in page
    assert str(old_source) in page  # the diff shows the source that was replaced


def test_curator_adds_an_entry_with_its_source(curator_client, curator, kratom):
    state = StateFactory()
    source = SourceFactory()
    draft = LegalStatusFactory.build(jurisdiction=state, substance=kratom, status="regulated")

    response = curator_client.post(
        "/admin/legality/legalstatus/add/",
        legal_status_form_data(draft, minimum_age=21, sources=[source]),
    )

    assert response.status_code == 302, response.context["errors"]
    (entry,) = state.legal_statuses.all()
    assert (entry.status, entry.minimum_age, list(entry.sources.all())) == (
        "regulated",
        21,
        [source],
    )
    (record,) = entry.history.all()
    assert (record.history_user, record.history_type) == (curator, "+")
    assert [link.source_id for link in record.sources.all()] == [source.pk]
