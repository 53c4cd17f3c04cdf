"""The curators' writes: saving an entry with its sources, verifying entries, closing flags."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from legality.curation import (
    check_publishable,
    confirm_unchanged,
    dismiss_flag,
    mark_verified,
    resolve_flag,
    resolve_flags,
    save_legal_status,
)
from legality.errors import FlagAlreadyClosed, NotPublishable, OverlappingPeriod, TrackerError
from legality.models import LegalStatus, ReviewFlag, Source
from tests.factories import (
    CuratorFactory,
    LegalStatusFactory,
    ReviewFlagFactory,
    SourceFactory,
    StateFactory,
)

pytestmark = pytest.mark.django_db

MARCH_1 = date(2026, 3, 1)


@pytest.fixture
def alice():
    return CuratorFactory(username="alice")


@pytest.fixture
def bob():
    return CuratorFactory(username="bob")


# check_publishable


def test_published_entry_without_sources_is_not_publishable(django_assert_num_queries):
    entry = LegalStatus(is_published=True)
    with django_assert_num_queries(0), pytest.raises(NotPublishable) as error:
        check_publishable(entry, [])
    assert isinstance(error.value, TrackerError)
    assert str(error.value).startswith("A published entry needs at least one source")


def test_a_source_needs_a_url_or_a_citation_to_count():
    entry = LegalStatus(is_published=True)
    with pytest.raises(NotPublishable):
        check_publishable(entry, [Source(title="A blog post", url="", citation="")])
    check_publishable(entry, [Source(title="Act", url="", citation="Ala. Code § 20-2-23")])
    check_publishable(entry, [Source(title="Act", url="https://example.org/act", citation="")])


def test_an_unpublished_entry_needs_no_source():
    check_publishable(LegalStatus(is_published=False), [])


# save_legal_status


def test_saving_a_new_entry_writes_it_with_its_sources_in_one_history_record(alice, kratom):
    sources = SourceFactory.create_batch(2)
    entry = LegalStatusFactory.build(substance=kratom, jurisdiction=StateFactory())

    save_legal_status(entry, sources=sources, by=alice)

    assert set(entry.sources.all()) == set(sources)
    (record,) = entry.history.all()
    assert (record.history_type, record.history_user) == ("+", alice)
    assert {link.source_id for link in record.sources.all()} == {s.pk for s in sources}


def test_saving_an_edit_replaces_the_sources_and_adds_one_record(alice, kratom):
    entry = LegalStatusFactory(substance=kratom)
    records = entry.history.count()
    new_source = SourceFactory()
    entry.status = LegalStatus.Status.BANNED

    save_legal_status(entry, sources=[new_source], by=alice)

    entry.refresh_from_db()
    assert (entry.status, list(entry.sources.all())) == ("banned", [new_source])
    assert entry.history.count() == records + 1
    record = entry.history.latest()
    assert (record.history_type, record.history_user, record.status) == ("~", alice, "banned")
    assert [link.source_id for link in record.sources.all()] == [new_source.pk]


def test_saving_an_overlapping_period_raises_and_writes_nothing(alice, kratom):
    state = StateFactory()
    LegalStatusFactory(jurisdiction=state, substance=kratom, effective_from=date(2016, 1, 1))
    entry = LegalStatusFactory.build(
        jurisdiction=state,
        substance=kratom,
        effective_from=date(2020, 1, 1),
        effective_from_precision="day",
    )

    with pytest.raises(ValidationError, match="periods may not overlap"):
        save_legal_status(entry, sources=[SourceFactory()], by=alice)

    assert state.legal_statuses.count() == 1


def test_publishing_without_a_source_raises_and_writes_nothing(alice, kratom):
    state = StateFactory()
    entry = LegalStatusFactory.build(jurisdiction=state, substance=kratom, is_published=True)

    with pytest.raises(NotPublishable):
        save_legal_status(entry, sources=[], by=alice)

    assert not state.legal_statuses.exists()


# mark_verified


def test_mark_verified_sets_who_and_when_with_a_history_record_by_that_curator(alice, kratom):
    entry = LegalStatusFactory(substance=kratom, last_verified_at=date(2025, 1, 1))
    (source,) = entry.sources.all()

    assert mark_verified(LegalStatus.objects.filter(pk=entry.pk), by=alice, on=MARCH_1) == 1

    entry.refresh_from_db()
    assert (entry.last_verified_at, entry.last_verified_by) == (MARCH_1, alice)
    record = entry.history.latest()
    assert (record.history_type, record.history_user) == ("~", alice)
    assert (record.last_verified_at, record.last_verified_by_id) == (MARCH_1, alice.pk)
    # The record keeps the entry's sources, as a record written by save() would.
    assert [link.source_id for link in record.sources.all()] == [source.pk]


def test_mark_verified_takes_ids_too(alice, kratom):
    entries = LegalStatusFactory.create_batch(2, substance=kratom, last_verified_at=None)
    assert mark_verified([entry.pk for entry in entries], by=alice, on=MARCH_1) == 2
    assert set(LegalStatus.objects.values_list("last_verified_at", flat=True)) == {MARCH_1}


def test_mark_verified_twice_changes_nothing_the_second_time(alice, kratom):
    entry = LegalStatusFactory(substance=kratom, last_verified_at=None)
    mark_verified([entry.pk], by=alice, on=MARCH_1)
    records = entry.history.count()

    assert mark_verified([entry.pk], by=alice, on=MARCH_1) == 0
    assert entry.history.count() == records


def test_mark_verified_never_moves_the_date_back(alice, bob, kratom):
    entry = LegalStatusFactory(substance=kratom, last_verified_at=date(2026, 4, 1))
    entry.last_verified_by = bob
    entry.save()

    assert mark_verified([entry.pk], by=alice, on=MARCH_1) == 0

    entry.refresh_from_db()
    assert (entry.last_verified_at, entry.last_verified_by) == (date(2026, 4, 1), bob)


def test_another_curator_verifying_the_same_day_becomes_the_verifier(alice, bob, kratom):
    entry = LegalStatusFactory(substance=kratom, last_verified_at=None)
    mark_verified([entry.pk], by=bob, on=MARCH_1)

    assert mark_verified([entry.pk], by=alice, on=MARCH_1) == 1
    entry.refresh_from_db()
    assert entry.last_verified_by == alice


def test_mark_verified_resolves_overdue_and_effective_date_flags_only(alice, kratom):
    entry = LegalStatusFactory(substance=kratom)
    overdue, dated, manual = (
        ReviewFlagFactory(legal_status=entry, reason=reason)
        for reason in ("overdue", "effective_date_reached", "manual")
    )
    other_entry_flag = ReviewFlagFactory(reason="overdue")

    mark_verified([entry.pk], by=alice, on=MARCH_1)

    for flag in (overdue, dated):
        flag.refresh_from_db()
        assert (flag.resolved_by, flag.resolution) == (alice, "verified by alice on 2026-03-01")
        assert flag.resolved_at is not None
        assert flag.history.latest().history_user == alice
    manual.refresh_from_db()
    other_entry_flag.refresh_from_db()
    assert manual.is_open
    assert other_entry_flag.is_open


def test_mark_verified_resolves_flags_of_an_entry_already_verified_that_day(alice, kratom):
    entry = LegalStatusFactory(substance=kratom, last_verified_at=None)
    mark_verified([entry.pk], by=alice, on=MARCH_1)
    flag = ReviewFlagFactory(legal_status=entry, reason="overdue")

    assert mark_verified([entry.pk], by=alice, on=MARCH_1) == 0

    flag.refresh_from_db()
    assert not flag.is_open


@pytest.mark.parametrize("count", [1, 20])
def test_mark_verified_takes_the_same_queries_for_any_number_of_entries(
    alice, kratom, django_assert_num_queries, count
):
    entries = LegalStatusFactory.create_batch(count, substance=kratom, last_verified_at=None)
    for entry in entries:
        ReviewFlagFactory(legal_status=entry, reason="overdue")

    # 1 savepoint, 2 the entries to change (locked on PostgreSQL), 3 update them,
    # 4 insert their history records, 5 their source links, 6 insert the links into the records,
    # 7 the open flags' ids, 8 close them, 9 the closed flags, 10 insert their history records,
    # 11 release the savepoint.
    with django_assert_num_queries(11):
        mark_verified(LegalStatus.objects.all(), by=alice, on=MARCH_1)


# resolve_flag, dismiss_flag, resolve_flags


def test_resolve_flag_records_who_when_and_how(alice):
    flag = ReviewFlagFactory()

    resolve_flag(flag, by=alice, on=MARCH_1, note="Amendment checked.")

    flag.refresh_from_db()
    assert flag.resolved_by == alice
    assert flag.resolved_at is not None
    assert flag.resolution == "resolved by alice on 2026-03-01: Amendment checked."
    record = flag.history.latest()
    assert (record.history_user, record.resolution) == (alice, flag.resolution)


def test_resolving_a_flag_someone_closed_first_raises_and_keeps_their_resolution(alice, bob):
    flag = ReviewFlagFactory()
    stale_copy = ReviewFlag.objects.get(pk=flag.pk)
    resolve_flag(flag, by=bob, on=MARCH_1, note="")

    with pytest.raises(FlagAlreadyClosed):
        dismiss_flag(stale_copy, by=alice, on=MARCH_1, note="nothing to do")

    flag.refresh_from_db()
    assert (flag.resolved_by, flag.resolution) == (bob, "resolved by bob on 2026-03-01")


def test_dismiss_flag_says_it_was_dismissed(alice):
    flag = ReviewFlagFactory(reason="source_changed")
    dismiss_flag(flag, by=alice, on=MARCH_1, note="Only the page layout changed.")
    assert flag.resolution == "dismissed by alice on 2026-03-01: Only the page layout changed."
    assert ReviewFlag.objects.get(pk=flag.pk).resolution == flag.resolution


def test_resolve_flags_closes_the_open_ones_and_counts_them(alice, bob):
    open_flags = ReviewFlagFactory.create_batch(2)
    closed = ReviewFlagFactory(resolved_at=timezone.now(), resolved_by=bob, resolution="earlier")

    assert resolve_flags(ReviewFlag.objects.all(), by=alice, on=MARCH_1) == 2

    assert set(ReviewFlag.objects.filter(resolved_by=alice)) == set(open_flags)
    closed.refresh_from_db()
    assert closed.resolution == "earlier"
    assert closed.history.count() == 1  # its creation only


# confirm_unchanged


def test_confirm_unchanged_verifies_the_entries_and_resolves_the_flags(alice, kratom):
    entry = LegalStatusFactory(substance=kratom, last_verified_at=date(2025, 1, 1))
    changed = ReviewFlagFactory(legal_status=entry, reason="source_changed")
    overdue = ReviewFlagFactory(legal_status=entry, reason="overdue")
    manual = ReviewFlagFactory(legal_status=entry, reason="manual")
    other_entry_flag = ReviewFlagFactory(reason="source_changed")

    assert confirm_unchanged(ReviewFlag.objects.filter(pk=changed.pk), by=alice, on=MARCH_1) == 1

    entry.refresh_from_db()
    assert (entry.last_verified_at, entry.last_verified_by) == (MARCH_1, alice)
    assert entry.history.latest().history_user == alice
    changed.refresh_from_db()
    assert (changed.resolved_by, changed.resolution) == (
        alice,
        "resolved by alice on 2026-03-01: verified, unchanged",
    )
    assert changed.history.latest().history_user == alice
    overdue.refresh_from_db()  # verifying the entry answers its overdue flag too
    assert overdue.resolution == "verified by alice on 2026-03-01"
    assert ReviewFlag.objects.get(pk=manual.pk).is_open  # not selected, and not an overdue flag
    assert ReviewFlag.objects.get(pk=other_entry_flag.pk).is_open


def test_confirm_unchanged_skips_closed_flags_and_their_entries(alice, bob, kratom):
    entry = LegalStatusFactory(substance=kratom, last_verified_at=date(2025, 1, 1))
    closed = ReviewFlagFactory(
        legal_status=entry, resolved_at=timezone.now(), resolved_by=bob, resolution="earlier"
    )

    assert confirm_unchanged(ReviewFlag.objects.all(), by=alice, on=MARCH_1) == 0

    entry.refresh_from_db()
    assert entry.last_verified_at == date(2025, 1, 1)
    closed.refresh_from_db()
    assert (closed.resolved_by, closed.resolution) == (bob, "earlier")


def test_confirm_unchanged_resolves_the_flags_of_an_entry_verified_that_day(alice, kratom):
    entry = LegalStatusFactory(substance=kratom, last_verified_at=None)
    mark_verified([entry.pk], by=alice, on=MARCH_1)
    flag = ReviewFlagFactory(legal_status=entry, reason="manual")

    assert confirm_unchanged(ReviewFlag.objects.all(), by=alice, on=MARCH_1) == 0

    flag.refresh_from_db()
    assert flag.resolution == "resolved by alice on 2026-03-01: verified, unchanged"


@pytest.mark.parametrize("count", [1, 20])
def test_confirm_unchanged_takes_the_same_queries_for_any_number_of_flags(
    alice, kratom, django_assert_num_queries, count
):
    for entry in LegalStatusFactory.create_batch(count, substance=kratom, last_verified_at=None):
        ReviewFlagFactory(legal_status=entry, reason="source_changed")

    # 1 savepoint, 2 the open flags with their entries; mark_verified(): 3 savepoint, 4 the
    # entries to change, 5 update them, 6 insert their history records, 7 their source links,
    # 8 insert the links into the records, 9 their open overdue and effective-date flags (none),
    # 10 release; resolve_flags(): 11 savepoint, 12 the open flags' ids, 13 close them, 14 the
    # closed flags, 15 insert their history records, 16 release; 17 release the first savepoint.
    with django_assert_num_queries(17):
        assert confirm_unchanged(ReviewFlag.objects.all(), by=alice, on=MARCH_1) == count

    assert not ReviewFlag.objects.filter(resolved_at__isnull=True).exists()


# A concurrent write that got past clean() (PostgreSQL only: SQLite has no exclusion constraint),
# staged by the overlap_committed_before_the_insert fixture of tests/conftest.py.


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_racing_overlap_stopped_by_the_constraint_gets_cleans_message(
    alice, kratom, overlap_committed_before_the_insert
):
    state = StateFactory(name="Alabama")
    overlap_committed_before_the_insert.update(
        jurisdiction=state, effective_from=date(2019, 1, 1), effective_from_precision="day"
    )
    entry = LegalStatusFactory.build(
        jurisdiction=state,
        substance=kratom,
        effective_from=date(2020, 1, 1),
        effective_from_precision="day",
    )

    with pytest.raises(OverlappingPeriod) as error:
        save_legal_status(entry, sources=[SourceFactory()], by=alice)

    assert str(error.value) == (
        "Kratom in Alabama already has an entry from 2019-01-01 to today; periods may not overlap."
    )
    assert list(state.legal_statuses.values_list("effective_from", flat=True)) == [date(2019, 1, 1)]
    assert not LegalStatus.history.filter(jurisdiction_id=state.pk).exists()


def test_taking_flags_marks_them_claimed_once_with_history(alice, kratom):
    from legality.curation import claim_flags
    from tests.factories import ReviewFlagFactory, UserFactory

    open_flag, closed_flag = ReviewFlagFactory.create_batch(2)
    ReviewFlag.objects.filter(pk=closed_flag.pk).update(resolved_at=timezone.now())

    assert claim_flags(ReviewFlag.objects.all(), by=alice) == 1
    assert claim_flags(ReviewFlag.objects.all(), by=alice) == 0  # already hers
    open_flag.refresh_from_db()
    assert (open_flag.claimed_by, open_flag.history.latest().history_user) == (alice, alice)
    assert ReviewFlag.objects.get(pk=closed_flag.pk).claimed_by is None
    bob = UserFactory()
    assert claim_flags(ReviewFlag.objects.all(), by=bob) == 1  # taken over
