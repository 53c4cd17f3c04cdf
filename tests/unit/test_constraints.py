"""The database holds the model's rules, whatever path writes the row."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from legality.models import LegalStatus, ReviewFlag
from tests.factories import LegalStatusFactory, ReviewFlagFactory, StateFactory


@pytest.mark.django_db
def test_invalid_status_is_rejected_by_the_database(kratom):
    entry = LegalStatusFactory(substance=kratom)
    with pytest.raises(IntegrityError), transaction.atomic():
        LegalStatus.objects.filter(pk=entry.pk).update(status="tolerated")


@pytest.mark.django_db
def test_period_must_end_after_it_starts(kratom):
    with pytest.raises(IntegrityError), transaction.atomic():
        LegalStatusFactory(
            substance=kratom, effective_from=date(2024, 5, 1), effective_until=date(2024, 5, 1)
        )


@pytest.mark.django_db
def test_start_date_needs_its_precision(kratom):
    with pytest.raises(IntegrityError), transaction.atomic():
        LegalStatusFactory(
            substance=kratom, effective_from=date(2024, 5, 1), effective_from_precision=""
        )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("first", "second", "overlaps"),
    [
        ((None, None), (date(2020, 1, 1), None), True),
        ((None, date(2020, 1, 1)), (date(2020, 1, 1), None), False),  # half-open: they touch
        ((None, date(2020, 1, 2)), (date(2020, 1, 1), None), True),
        ((date(2019, 1, 1), date(2020, 1, 1)), (date(2018, 1, 1), date(2019, 6, 1)), True),
        ((date(2019, 1, 1), date(2020, 1, 1)), (date(2020, 1, 1), date(2021, 1, 1)), False),
    ],
)
def test_overlapping_periods_are_reported_by_clean(kratom, first, second, overlaps):
    state = StateFactory()
    LegalStatusFactory(
        jurisdiction=state, substance=kratom, effective_from=first[0], effective_until=first[1]
    )
    candidate = LegalStatus(
        jurisdiction=state,
        substance=kratom,
        status="banned",
        summary="Banned.",
        effective_from=second[0],
        effective_from_precision="day" if second[0] else "",
        effective_until=second[1],
    )
    if overlaps:
        with pytest.raises(ValidationError, match="periods may not overlap"):
            candidate.full_clean()
    else:
        candidate.full_clean()


@pytest.mark.django_db
def test_same_period_for_another_substance_is_not_an_overlap(kratom, seven_oh):
    state = StateFactory()
    LegalStatusFactory(jurisdiction=state, substance=kratom)
    LegalStatusFactory.build(jurisdiction=state, substance=seven_oh).full_clean()


@pytest.mark.django_db
def test_second_open_flag_for_the_same_reason_is_rejected():
    flag = ReviewFlagFactory(reason=ReviewFlag.Reason.OVERDUE)
    with pytest.raises(IntegrityError), transaction.atomic():
        ReviewFlagFactory(legal_status=flag.legal_status, reason=ReviewFlag.Reason.OVERDUE)


@pytest.mark.django_db
def test_a_resolved_flag_does_not_block_a_new_one():
    flag = ReviewFlagFactory(reason=ReviewFlag.Reason.OVERDUE, resolved_at="2026-01-01T00:00Z")
    ReviewFlagFactory(legal_status=flag.legal_status, reason=ReviewFlag.Reason.OVERDUE)
    ReviewFlagFactory(legal_status=flag.legal_status, reason=ReviewFlag.Reason.MANUAL)
    assert flag.legal_status.review_flags.open().count() == 2


@pytest.mark.django_db
def test_source_needs_a_url_or_citation():
    from tests.factories import SourceFactory

    with pytest.raises(IntegrityError), transaction.atomic():
        SourceFactory(url="", citation="")
