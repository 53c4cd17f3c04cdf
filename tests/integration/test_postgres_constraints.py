"""PostgreSQL-only guards: the exclusion constraint stops overlapping periods that skip clean()."""

from datetime import date

import pytest
from django.db import IntegrityError, transaction

from tests.factories import LegalStatusFactory, StateFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


def test_exclusion_constraint_rejects_overlapping_periods_written_without_clean(kratom):
    state = StateFactory()
    LegalStatusFactory(jurisdiction=state, substance=kratom, effective_from=date(2020, 1, 1))
    with pytest.raises(IntegrityError, match="legalstatus_periods_do_not_overlap"):
        with transaction.atomic():
            LegalStatusFactory(
                jurisdiction=state,
                substance=kratom,
                effective_from=date(2019, 1, 1),
                effective_until=date(2021, 1, 1),
            )


def test_exclusion_constraint_allows_adjacent_periods(kratom):
    state = StateFactory()
    LegalStatusFactory(
        jurisdiction=state,
        substance=kratom,
        effective_from=date(2019, 1, 1),
        effective_until=date(2020, 1, 1),
    )
    LegalStatusFactory(jurisdiction=state, substance=kratom, effective_from=date(2020, 1, 1))
    assert state.legal_statuses.count() == 2


def test_exclusion_constraint_treats_unknown_start_as_open(kratom):
    state = StateFactory()
    LegalStatusFactory(jurisdiction=state, substance=kratom, effective_until=date(2020, 1, 1))
    with pytest.raises(IntegrityError), transaction.atomic():
        LegalStatusFactory(jurisdiction=state, substance=kratom, effective_until=date(2010, 1, 1))
