"""Curators' writes: saving an entry with its sources, marking entries verified, closing flags.

Every function here checks first and writes in one transaction, records who made the change in
the history, and says no with a TrackerError (legality.errors) whose message is for the reader.
The admin, the API and the loaders call these functions rather than saving models themselves.

`on` is the day a curator vouches for (it becomes last_verified_at and is quoted in a flag's
resolution); resolved_at and the history records' dates are the moment of the write.
"""

from collections.abc import Iterable
from datetime import date, datetime

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from legality.alerts import record_answer_changes
from legality.errors import EditConflict, FlagAlreadyClosed, NotPublishable, OverlappingPeriod
from legality.models import LegalStatus, ReviewFlag, Source

# The PostgreSQL exclusion constraint that stops overlapping periods which got past clean().
OVERLAP_CONSTRAINT = "legalstatus_periods_do_not_overlap"

# The flags a curator's verification answers: the entry was checked, and any dated change that
# took effect was confirmed. A failing or changed source, or a manual flag, needs its own answer.
CLOSED_BY_VERIFICATION = (ReviewFlag.Reason.OVERDUE, ReviewFlag.Reason.EFFECTIVE_DATE_REACHED)


def check_publishable(entry: LegalStatus, sources: Iterable[Source]) -> None:
    """Raise NotPublishable if `entry` is published without a source that has a URL or citation.

    `sources` are the entry's sources as they are about to be stored: a many-to-many relation
    cannot be a database constraint, so every write path (the admin's inline, the loaders) passes
    the set it is going to save. Unsaved Source instances are fine; nothing is queried.
    """
    if entry.is_published and not any(source.url or source.citation for source in sources):
        raise NotPublishable()


def save_legal_status(
    entry: LegalStatus,
    *,
    sources: Iterable[Source],
    by: AbstractBaseUser,
    expected_version: int | None = None,
) -> LegalStatus:
    """Create or update `entry` with exactly `sources`, in one history record written by `by`.

    Checks first: check_publishable() raises NotPublishable, and full_clean() raises
    ValidationError for field rules, check constraints and a period that overlaps another entry's.
    On PostgreSQL a concurrent write can still slip an overlapping period in between that check
    and the insert; the exclusion constraint then stops this one, and OverlappingPeriod carries
    the same message clean() gives. `expected_version` is the version the edit started from (a
    form's, an export's): if the stored entry has moved on, EditConflict says what changed since.
    Every save raises `version` by one. Nothing is written when it raises. Returns `entry`, saved.
    """
    sources = list(sources)
    check_publishable(entry, sources)
    entry.full_clean()
    is_new = entry.pk is None
    try:
        with transaction.atomic():
            if not is_new:
                # Locked until commit: of two saves from one version, the second sees the first.
                stored = LegalStatus.objects.select_for_update().filter(pk=entry.pk)
                current = stored.values_list("version", flat=True).get()
                if expected_version is not None and current != expected_version:
                    raise EditConflict(describe_edit_conflict(entry.pk, seen=expected_version))
                entry.version = current + 1
            # save() and sources.set() would each write a history record, the first one with the
            # old sources; one record written after both shows the change as the curator made it.
            entry.skip_history_when_saving = True
            try:
                entry.save()
                entry.sources.set(sources)
            finally:
                del entry.skip_history_when_saving
            _write_history([entry], by=by, at=timezone.now(), is_new=is_new)
            record_answer_changes([entry.jurisdiction_id], reason="saved by a curator")
    except IntegrityError as error:
        if OVERLAP_CONSTRAINT not in str(error):
            raise
        raise OverlappingPeriod(_overlap_message(entry)) from error
    return entry


# What a curator edits; the rest (verification, timestamps) is written by actions and jobs.
COMPARED_FIELDS = (
    "status",
    "minimum_age",
    "applies_to",
    "effective_from",
    "effective_from_precision",
    "effective_until",
    "summary",
    "details",
    "is_published",
    "unverified",
    "review_interval_days",
    "internal_notes",
    "sale_rule",
    "possession_rule",
    "use_rule",
    "manufacture_rule",
    "distribution_rule",
    "import_rule",
    "minimum_age_applies_to",
    "product_limits",
    "penalty",
)


def describe_edit_conflict(entry_id: int, *, seen: int) -> str:
    """What changed in entry `entry_id` since its version `seen`, who changed it and when.

    Read from the history: the record of version `seen` against the latest one. Two queries.
    """
    records = LegalStatus.history.filter(id=entry_id).select_related("history_user")
    latest = records.order_by("-history_date", "-history_id").first()
    before = records.filter(version=seen).order_by("-history_date", "-history_id").first()
    if latest is None:
        return str(EditConflict())
    who = latest.history_user.get_username() if latest.history_user else "Someone"
    changes = (
        [
            f"{name.replace('_', ' ')}: “{_shown(getattr(before, name))}” → "
            f"“{_shown(getattr(latest, name))}”"
            for name in COMPARED_FIELDS
            if getattr(before, name) != getattr(latest, name)
        ]
        if before is not None
        else []
    )
    what = "; ".join(changes) if changes else "its sources or review fields"
    return (
        f"{who} saved this entry at {timezone.localtime(latest.history_date):%Y-%m-%d %H:%M} "
        f"after you opened it (version {seen}, now {latest.version}). Changed: {what}. "
        "Your changes were not saved: reload the entry and make them again."
    )


def _shown(value) -> str:
    text = "" if value is None else str(value)
    return text if len(text) <= 80 else text[:77] + "..."


def mark_verified(
    statuses: QuerySet[LegalStatus] | Iterable[int],
    *,
    by: AbstractBaseUser,
    on: date,
    note: str = "",
) -> int:
    """Record that `by` confirmed these entries on `on`; return how many entries changed.

    `statuses` is a LegalStatus queryset or entry ids. Each changed entry gets last_verified_at
    `on`, last_verified_by `by` and one history record by `by`, whose change reason is `note`
    (what was checked; optional). The entries' open `overdue` and
    `effective_date_reached` flags are resolved as "verified by <user> on <date>"; other flags
    stay open. An entry already verified on `on` by `by`, or on a later day, is left unchanged
    (verification never moves back), so running this twice writes nothing the second time.
    """
    ids = statuses.values("pk") if isinstance(statuses, QuerySet) else list(statuses)
    at = timezone.now()
    not_yet_verified = (
        Q(last_verified_at__isnull=True)
        | Q(last_verified_at__lt=on)
        | (Q(last_verified_at=on) & ~Q(last_verified_by=by))
    )
    with transaction.atomic():
        # Locked (on PostgreSQL; SQLite writers are serialised anyway) so that the history
        # records copy the rows exactly as this update leaves them.
        changed = list(
            LegalStatus.objects.filter(not_yet_verified, pk__in=ids)
            .order_by("pk")
            .select_for_update()
        )
        for entry in changed:
            entry.last_verified_at, entry.last_verified_by, entry.updated_at = on, by, at
        # One UPDATE: every row gets the same values. update() writes no history, so
        # _write_history() adds the records save() would have written.
        LegalStatus.objects.filter(pk__in=[entry.pk for entry in changed]).update(
            last_verified_at=on, last_verified_by=by, updated_at=at
        )
        _write_history(changed, by=by, at=at, reason=note.strip() or None)
        _close_flags(
            ReviewFlag.objects.filter(legal_status__in=ids, reason__in=CLOSED_BY_VERIFICATION),
            by=by,
            at=at,
            resolution=f"verified by {by.get_username()} on {on.isoformat()}",
        )
    return len(changed)


def resolve_flag(flag: ReviewFlag, *, by: AbstractBaseUser, on: date, note: str) -> None:
    """Close an open flag because `by` dealt with it on `on`; `note` says how.

    Raises FlagAlreadyClosed if another curator or a job closed it first (their resolution
    stands). `flag` is updated in memory as well.
    """
    _close_one_flag(flag, by=by, resolution=_resolution("resolved", by=by, on=on, note=note))


def dismiss_flag(flag: ReviewFlag, *, by: AbstractBaseUser, on: date, note: str) -> None:
    """Close an open flag that needed no change to the entry; `note` says why.

    Raises FlagAlreadyClosed like resolve_flag().
    """
    _close_one_flag(flag, by=by, resolution=_resolution("dismissed", by=by, on=on, note=note))


def resolve_flags(
    flags: QuerySet[ReviewFlag], *, by: AbstractBaseUser, on: date, note: str = ""
) -> int:
    """resolve_flag() for a set of flags; returns how many this call closed.

    Flags already closed (before or concurrently) are skipped, not an error.
    """
    resolution = _resolution("resolved", by=by, on=on, note=note)
    with transaction.atomic():
        return _close_flags(flags, by=by, at=timezone.now(), resolution=resolution)


def dismiss_flags(
    flags: QuerySet[ReviewFlag], *, by: AbstractBaseUser, on: date, note: str = ""
) -> int:
    """dismiss_flag() for a set of flags; returns how many this call closed."""
    resolution = _resolution("dismissed", by=by, on=on, note=note)
    with transaction.atomic():
        return _close_flags(flags, by=by, at=timezone.now(), resolution=resolution)


def confirm_unchanged(flags: QuerySet[ReviewFlag], *, by: AbstractBaseUser, on: date) -> int:
    """Answer flags "verified, unchanged": `by` checked their entries on `on` and found them true.

    The entries of the open flags among `flags` are marked verified with mark_verified() (which
    also resolves those entries' open `overdue` and `effective_date_reached` flags as "verified
    by ..."), and the open flags left are resolved as "resolved by <user> on <date>: verified,
    unchanged". Both or neither, in one transaction: an entry is not called verified while the
    flag that asked stays open. Flags already closed are skipped, and so are their entries.
    Returns how many entries changed, as mark_verified() counts them (an entry `by` already
    verified on `on` counts 0, but its flags are still resolved).
    """
    with transaction.atomic():
        entry_by_flag = dict(
            flags.filter(resolved_at__isnull=True).values_list("pk", "legal_status_id")
        )
        verified = mark_verified(set(entry_by_flag.values()), by=by, on=on)
        # By id: `flags` may be a filter (the admin's "select all"), and a flag raised since
        # would match it although its entry was not verified.
        resolve_flags(
            ReviewFlag.objects.filter(pk__in=entry_by_flag),
            by=by,
            on=on,
            note="verified, unchanged",
        )
    return verified


def claim_flags(flags: QuerySet[ReviewFlag], *, by: AbstractBaseUser) -> int:
    """`by` takes the open flags among `flags` to work on them; returns how many this call took.

    A flag another curator holds is taken over (they may have left it); a closed flag is left
    alone. Only a taken flag lets a public page say that a curator is checking the entry. One
    conditional update and one history record per flag taken.
    """
    at = timezone.now()
    with transaction.atomic():
        candidates = list(
            flags.filter(resolved_at__isnull=True)
            .exclude(claimed_by=by)
            .values_list("pk", flat=True)
        )
        taken = ReviewFlag.objects.filter(pk__in=candidates, resolved_at__isnull=True).update(
            claimed_by=by, claimed_at=at
        )
        if taken:
            # update() writes no history: add the records save() would have written.
            ReviewFlag.history.bulk_history_create(
                list(ReviewFlag.objects.filter(pk__in=candidates, claimed_at=at, claimed_by=by)),
                update=True,
                default_user=by,
                default_date=at,
            )
    return taken


def _resolution(verb: str, *, by: AbstractBaseUser, on: date, note: str) -> str:
    said = f"{verb} by {by.get_username()} on {on.isoformat()}"
    return f"{said}: {note.strip()}" if note.strip() else said


def _close_one_flag(flag: ReviewFlag, *, by: AbstractBaseUser, resolution: str) -> None:
    at = timezone.now()
    with transaction.atomic():
        if not _close_flags(
            ReviewFlag.objects.filter(pk=flag.pk), by=by, at=at, resolution=resolution
        ):
            raise FlagAlreadyClosed()
    flag.resolved_at, flag.resolved_by, flag.resolution = at, by, resolution


def _close_flags(
    flags: QuerySet[ReviewFlag], *, by: AbstractBaseUser, at: datetime, resolution: str
) -> int:
    """Close the open flags among `flags` with one conditional update; return how many.

    Call inside a transaction. A flag that someone else closed first keeps their resolution.
    """
    # Ids first: `flags` may itself say "open" (an admin filter), and would no longer match
    # the rows once they are closed.
    candidates = list(flags.filter(resolved_at__isnull=True).values_list("pk", flat=True))
    closed = ReviewFlag.objects.filter(pk__in=candidates, resolved_at__isnull=True).update(
        resolved_at=at, resolved_by=by, resolution=resolution
    )
    if closed:
        # The rows this call closed are the ones carrying its timestamp and user. update()
        # writes no history, so add the records save() would have written.
        ReviewFlag.history.bulk_history_create(
            list(ReviewFlag.objects.filter(pk__in=candidates, resolved_at=at, resolved_by=by)),
            update=True,
            default_user=by,
            default_date=at,
        )
    return closed


def _write_history(
    entries: list[LegalStatus],
    *,
    by: AbstractBaseUser,
    at: datetime,
    is_new: bool = False,
    reason: str | None = None,
) -> None:
    """Write one history record per entry, as save() would, with the entry's current sources.

    bulk_history_create() copies the fields but not the snapshot of `sources` that save() adds;
    without it the record would show the entry with no sources at all.
    """
    records = LegalStatus.history.bulk_history_create(
        entries,
        update=not is_new,
        default_user=by,
        default_date=at,
        default_change_reason=reason,
    )
    if not records:  # no entries, or history switched off (SIMPLE_HISTORY_ENABLED)
        return
    # PostgreSQL and SQLite 3.35+ return the ids of bulk-inserted rows.
    record_ids = {record.id: record.history_id for record in records}
    SourcesRecord = LegalStatus.history.model.sources.model
    links = LegalStatus.sources.through.objects.filter(legalstatus_id__in=record_ids)
    SourcesRecord.objects.bulk_create(
        SourcesRecord(
            history_id=record_ids[entry_id], id=link_id, legalstatus_id=entry_id, source_id=source
        )
        for link_id, entry_id, source in links.values_list("id", "legalstatus_id", "source_id")
    )


def _overlap_message(entry: LegalStatus) -> str:
    """clean()'s message about the entry that won the race, now committed and visible."""
    try:
        entry.clean()
    except ValidationError as error:
        return " ".join(error.messages)
    return OverlappingPeriod.default_message  # the other entry is already gone again
