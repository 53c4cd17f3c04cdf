"""Two curators, one entry: the second save from the same version is refused, saying what the
first changed, in the change form and in a CSV import of an older export alike."""

import pytest
from django.test import Client

from legality.curation import save_legal_status
from legality.errors import EditConflict
from legality.models import LegalStatus
from tests.admin.change_forms import legal_status_form_data
from tests.admin.test_import_export import confirm, export, preview, read, write
from tests.factories import CuratorFactory, LegalStatusFactory, SourceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def entry(kratom):
    return LegalStatusFactory(
        substance=kratom, status="banned", summary="Banned since 2016.", sources=[SourceFactory()]
    )


@pytest.fixture
def bob_client(db):
    bob = Client()
    bob.force_login(CuratorFactory(username="bob"))
    return bob


def change_url(entry: LegalStatus) -> str:
    return f"/admin/legality/legalstatus/{entry.pk}/change/"


def test_the_second_save_from_the_same_version_is_refused_with_what_changed(
    curator_client, bob_client, entry
):
    # Both open the form at version 1.
    alices_form = legal_status_form_data(entry, details="Possession is a felony.")
    bobs_form = legal_status_form_data(entry, summary="Banned as a Schedule I substance.")

    first = bob_client.post(change_url(entry), bobs_form)
    second = curator_client.post(change_url(entry), alices_form)

    assert first.status_code == 302
    assert second.status_code == 200  # the form again, with the refusal and Alice's input
    errors = " ".join(second.context["adminform"].form.non_field_errors())
    assert "bob saved this entry" in errors
    assert "(version 1, now 2)" in errors
    assert "summary: “Banned since 2016.” → “Banned as a Schedule I substance.”" in errors
    assert "Possession is a felony." in second.content.decode()
    entry.refresh_from_db()
    assert (entry.summary, entry.details, entry.version) == (
        "Banned as a Schedule I substance.",
        "",
        2,
    )


def test_saves_one_after_the_other_each_raise_the_version(curator_client, entry):
    for n, summary in enumerate(["First.", "Second."], start=2):
        entry.refresh_from_db()
        response = curator_client.post(
            change_url(entry), legal_status_form_data(entry, summary=summary)
        )
        assert response.status_code == 302
        entry.refresh_from_db()
        assert (entry.summary, entry.version) == (summary, n)


def test_a_save_racing_past_the_form_check_is_refused_by_the_write(entry, curator):
    stale = LegalStatus.objects.get(pk=entry.pk)
    other = LegalStatus.objects.get(pk=entry.pk)
    other.status = "regulated"
    save_legal_status(other, sources=list(other.sources.all()), by=curator, expected_version=1)

    stale.summary = "Mine."
    with pytest.raises(EditConflict, match="status: “banned” → “regulated”"):
        save_legal_status(stale, sources=list(stale.sources.all()), by=curator, expected_version=1)
    entry.refresh_from_db()
    assert (entry.status, entry.summary, entry.version) == ("regulated", "Banned since 2016.", 2)


def test_a_csv_row_exported_before_another_curators_save_is_refused(
    curator_client, bob_client, entry
):
    rows = read(export(curator_client))
    assert rows[0]["version"] == "1"
    bob_client.post(change_url(entry), legal_status_form_data(entry, summary="Bob's summary."))
    rows[0]["details"] = "Alice's details."

    previewed = preview(curator_client, write(rows))

    invalid = previewed.context["result"].invalid_rows
    assert [row.number for row in invalid] == [1]
    message = " ".join(invalid[0].error_dict["version"])
    assert "bob saved this entry" in message
    assert "summary: “Banned since 2016.” → “Bob's summary.”" in message
    entry.refresh_from_db()
    assert (entry.summary, entry.details) == ("Bob's summary.", "")


def test_a_csv_row_of_the_current_version_imports_and_raises_the_version(curator_client, entry):
    rows = read(export(curator_client))
    rows[0]["details"] = "Alice's details."

    done = confirm(curator_client, preview(curator_client, write(rows)))

    assert done.status_code == 200
    entry.refresh_from_db()
    assert (entry.details, entry.version) == ("Alice's details.", 2)
