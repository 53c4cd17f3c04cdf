"""Loading activities, and loading new facts and corrections over a database curators edited."""

from datetime import date

import pytest

from legality.curation import mark_verified, save_legal_status
from legality.dataset import load_statuses
from legality.models import LegalStatus, ReviewFlag
from tests.factories import CountryFactory, StateFactory, UserFactory
from tests.unit.test_dataset import ALABAMA, US, entry, errors_of, line_of, seed_file

pytestmark = pytest.mark.django_db

BANNED_CODING = """\
  activities: {{sale: {sale}, possession: prohibited, use: unknown, manufacture: prohibited,
    distribution: prohibited, import: not_addressed}}
  minimum_age_applies_to: []
  product_limits:
  - {{kind: synthetic_alkaloids_banned, text: No synthetic alkaloids.}}
  penalty: A misdemeanour.
  activities_note: 'Activities coded from the summary: possession and sale named.'
"""


@pytest.fixture
def alabama():
    return StateFactory(
        ocd_id=ALABAMA, name="Alabama", iso_code="US-AL", parent=CountryFactory(ocd_id=US)
    )


def coded(sale: str = "prohibited", **fields) -> str:
    """An entry with activities; `fields` as entry() takes them."""
    return entry(**fields) + BANNED_CODING.format(sale=sale)


def edit_as_curator(**changes) -> LegalStatus:
    status = LegalStatus.objects.get()
    for name, value in changes.items():
        setattr(status, name, value)
    return save_legal_status(status, sources=list(status.sources.all()), by=UserFactory())


def test_activities_product_limits_and_penalty_are_loaded(tmp_path, alabama, kratom):
    load_statuses([seed_file(tmp_path, coded())])

    status = LegalStatus.objects.get()
    assert status.activity_rules == {
        "sale": "prohibited",
        "possession": "prohibited",
        "use": "unknown",
        "manufacture": "prohibited",
        "distribution": "prohibited",
        "import": "not_addressed",
    }
    assert status.product_limits == [
        {"kind": "synthetic_alkaloids_banned", "text": "No synthetic alkaloids."}
    ]
    assert status.penalty == "A misdemeanour."
    assert status.internal_notes.endswith("possession and sale named.")


def test_a_record_without_activities_leaves_them_unknown(tmp_path, alabama, kratom):
    load_statuses([seed_file(tmp_path, entry())])

    assert set(LegalStatus.objects.get().activity_rules.values()) == {"unknown"}


def test_a_bad_activity_is_reported_at_its_line(tmp_path, alabama, kratom):
    path = seed_file(tmp_path, coded(sale="forbidden"))

    assert errors_of(path) == [
        f"{path}:{line_of(path, 'activities:')}: activities: sale is 'forbidden', not one of "
        "allowed, prohibited, age_limited, conditions, not_addressed, unknown"
    ]
    assert not LegalStatus.objects.exists()


def test_a_shipped_contradiction_is_loaded_with_a_warning_and_a_flag(tmp_path, alabama, kratom):
    path = seed_file(tmp_path, coded(sale="allowed"))

    result = load_statuses([path])

    status = LegalStatus.objects.get()
    assert status.sale_rule == "allowed"
    assert [str(w) for w in result.warnings] == [
        f"{path}:{line_of(path, 'activities:')}: kratom in Alabama: a banned entry cannot code "
        "sale 'allowed': a ban prohibits sale and possession"
    ]
    flag = ReviewFlag.objects.open().get(legal_status=status)
    assert "disagree with its status" in flag.note
    # A second load neither warns less nor flags twice.
    again = load_statuses([path])
    assert len(again.warnings) == 1 and again.flags_created == 0


def test_an_entry_no_curator_edited_takes_a_corrected_start(tmp_path, alabama, kratom):
    load_statuses([seed_file(tmp_path, coded(start="null", precision="null"))])
    before = LegalStatus.objects.get()
    corrected = coded(start="'2016-05-10'") + "  previous_effective_from: null\n"

    result = load_statuses([seed_file(tmp_path, corrected)])

    after = LegalStatus.objects.get()
    assert (result.created, result.updated, result.held) == (0, 1, 0)
    assert (after.pk, after.effective_from) == (before.pk, date(2016, 5, 10))
    assert not ReviewFlag.objects.exists()


def test_verifying_is_not_an_edit_and_verification_never_moves_back(tmp_path, alabama, kratom):
    load_statuses([seed_file(tmp_path, coded())])
    mark_verified(LegalStatus.objects.all(), by=UserFactory(), on=date(2026, 12, 1))

    load_statuses([seed_file(tmp_path, coded(status="restricted"))])

    status = LegalStatus.objects.get()
    assert (status.status, status.last_verified_at) == ("restricted", date(2026, 12, 1))


def test_a_curators_edit_is_kept_and_the_correction_waits_in_a_flag(tmp_path, alabama, kratom):
    load_statuses([seed_file(tmp_path, coded(start="null", precision="null"))])
    edit_as_curator(summary="Rewritten by a curator.")
    corrected = coded(start="'2016-05-10'") + "  previous_effective_from: null\n"

    result = load_statuses([seed_file(tmp_path, corrected)])

    status = LegalStatus.objects.get()
    assert (status.summary, status.effective_from) == ("Rewritten by a curator.", None)
    assert (result.updated, result.unchanged, result.held) == (0, 0, 1)
    flag = ReviewFlag.objects.open().get(legal_status=status)
    assert "a curator has edited this entry" in flag.note
    assert "- effective_from: 2016-05-10 (this entry: empty)" in flag.note
    assert "summary" not in flag.note  # the file did not change the summary since the last load
    # Loading again holds the same correction without raising it again.
    assert load_statuses([seed_file(tmp_path, corrected)]).flags_created == 0
    assert ReviewFlag.objects.count() == 1


def test_a_curators_edit_that_agrees_with_the_file_raises_nothing(tmp_path, alabama, kratom):
    load_statuses([seed_file(tmp_path, coded())])
    edit_as_curator(status="restricted")

    result = load_statuses([seed_file(tmp_path, coded(status="restricted"))])

    assert (result.updated, result.held, result.flags_created) == (0, 0, 0)


def test_activities_nobody_coded_are_filled_in_beside_a_curators_edit(tmp_path, alabama, kratom):
    load_statuses([seed_file(tmp_path, entry())])  # shipped before activities were coded
    edit_as_curator(summary="Rewritten by a curator.")

    result = load_statuses([seed_file(tmp_path, coded())])

    status = LegalStatus.objects.get()
    assert status.summary == "Rewritten by a curator."
    assert status.sale_rule == "prohibited"
    assert status.history.first().history_change_reason == "Activities loaded from seed.yaml"
    assert (result.updated, result.held) == (1, 1)  # the activities note waits for a curator
    # Curators' own activities are kept from then on.
    edit_as_curator(use_rule="prohibited")
    load_statuses([seed_file(tmp_path, coded())])
    assert LegalStatus.objects.get().use_rule == "prohibited"


def test_an_entry_a_curator_created_is_the_curators(tmp_path, alabama, kratom):
    status = LegalStatus(
        jurisdiction=alabama,
        substance=kratom,
        status="banned",
        summary="Added by a curator.",
        effective_from=date(2016, 5, 10),
        effective_from_precision="day",
    )
    save_legal_status(status, sources=[], by=UserFactory())

    result = load_statuses([seed_file(tmp_path, coded())])

    assert LegalStatus.objects.get().summary == "Added by a curator."
    assert result.held == 1


def test_an_entry_whose_start_a_curator_moved_is_still_the_files_entry(tmp_path, alabama, kratom):
    load_statuses([seed_file(tmp_path, coded())])
    moved = edit_as_curator(effective_from=date(2016, 5, 12))  # the act's real signing day

    # The file still says 2016-05-10: that is the same entry, not a new one overlapping it.
    again = load_statuses([seed_file(tmp_path, coded())])

    assert (again.created, again.updated, again.held) == (0, 0, 0)
    status = LegalStatus.objects.get()
    assert (status.pk, status.effective_from) == (moved.pk, date(2016, 5, 12))
    # A later correction of the file is held for the curator, like any other.
    corrected = load_statuses([seed_file(tmp_path, coded(status="restricted"))])
    assert (corrected.created, corrected.held) == (0, 1)
    assert "- status: 'restricted'" in ReviewFlag.objects.open().get().note
