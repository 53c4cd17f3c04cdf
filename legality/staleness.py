"""Keeping entries honest: which entries need a curator, and the review flags that say so.

`flag_stale_entries()` is the daily job. `raise_flags()` and `close_flags()` are the set-based
writes it shares with the link checker (legality.sources): each is one statement for the flags
and one for their history records, whatever the number of entries, and both are safe when two
runs overlap. Curators close flags through legality.curation.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import (
    Case,
    Exists,
    F,
    Func,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Least
from django.utils import timezone

from legality.models import LegalStatus, ReviewFlag, ReviewPolicy

Reason = ReviewFlag.Reason

# Larger than any interval a PositiveSmallIntegerField holds: "no shorter interval applies".
_NO_LIMIT = 32767
_EPOCH = date(1970, 1, 1)


@dataclass(frozen=True)
class FlagRun:
    """What one flagging run did: flags opened and closed, by reason."""

    today: date
    opened: dict[str, int]
    closed: dict[str, int]

    @property
    def counts(self) -> dict[str, int]:
        """A flat JSON-able summary, e.g. {"opened_overdue": 3, "closed_overdue": 1, ...}."""
        return {
            **{f"opened_{reason}": n for reason, n in self.opened.items()},
            **{f"closed_{reason}": n for reason, n in self.closed.items()},
        }


class DayNumber(Func):
    """A date as a whole number of days since 1970-01-01, so SQL can add days to it.

    Django cannot multiply a duration by a column on SQLite; whole day numbers work everywhere.
    """

    output_field = IntegerField()

    def as_sqlite(self, compiler, connection, **extra_context):
        # julianday() of a date is a whole day plus .5; the Unix epoch is Julian day 2440587.5.
        template = "CAST(julianday(%(expressions)s) - 2440587.5 AS INTEGER)"
        return self.as_sql(compiler, connection, template=template, **extra_context)

    def as_postgresql(self, compiler, connection, **extra_context):
        template = "(%(expressions)s - DATE '1970-01-01')"  # date - date is an integer of days
        return self.as_sql(compiler, connection, template=template, **extra_context)


def current_review_policy() -> ReviewPolicy:
    """The review policy's one row; its defaults if the data migration's row is missing."""
    return ReviewPolicy.objects.get_or_create(pk=1)[0]


def overdue_entries(*, today: date, policy: ReviewPolicy) -> QuerySet[LegalStatus]:
    """Published entries in force on `today` that were not verified within their interval.

    The interval is the entry's own `review_interval_days` if set; otherwise the policy's
    interval for its status, shortened to `upcoming_change_days` when a published entry of the
    same jurisdiction (any substance) starts or ends within `upcoming_change_window_days` after
    `today`. An entry verified on day V with interval N is overdue from day V + N + 1; an entry
    never verified (NULL) is overdue. Rows are annotated with `review_interval`.
    """
    horizon = today + timedelta(days=policy.upcoming_change_window_days)
    dated_change_soon = LegalStatus.objects.published().filter(
        Q(effective_from__gt=today, effective_from__lte=horizon)
        | Q(effective_until__gt=today, effective_until__lte=horizon),
        jurisdiction_id=OuterRef("jurisdiction_id"),
    )
    status_days = Case(
        *(
            When(status=status, then=Value(days))
            for status, days in policy.days_for_status().items()
        ),
        output_field=IntegerField(),
    )
    soon_days = Case(
        When(Exists(dated_change_soon), then=Value(policy.upcoming_change_days)),
        default=Value(_NO_LIMIT),
        output_field=IntegerField(),
    )
    return (
        LegalStatus.objects.published()
        .in_force_on(today)
        .annotate(
            review_interval=Coalesce("review_interval_days", Least(status_days, soon_days)),
            # The last day within the interval; the entry is overdue the day after.
            last_day_in_interval=DayNumber("last_verified_at") + F("review_interval"),
        )
        .filter(
            Q(last_verified_at__isnull=True) | Q(last_day_in_interval__lt=(today - _EPOCH).days)
        )
    )


def effective_date_reached_entries(*, today: date) -> QuerySet[LegalStatus]:
    """Published entries whose effective_from or effective_until came after their last
    verification and on or before `today`: a dated change happened and nobody has confirmed it.

    An entry never verified is left to the overdue rule, which already flags it.
    """
    since_verified = Q(effective_from__gt=F("last_verified_at"), effective_from__lte=today) | Q(
        effective_until__gt=F("last_verified_at"), effective_until__lte=today
    )
    return LegalStatus.objects.published().filter(since_verified, last_verified_at__isnull=False)


def flag_stale_entries(*, today: date) -> FlagRun:
    """Open `overdue` and `effective_date_reached` flags on the entries that need them and close
    those flags whose reason no longer holds, as seen on `today`.

    Idempotent: a second run on the same day opens and closes nothing. Two runs at once are safe:
    the partial unique constraint (one open flag per entry and reason) drops the second insert of
    a flag, and closing is a conditional update. A fixed number of statements, whatever the number
    of entries. Flags closed here get `resolved_by` empty and a resolution saying why.
    Other reasons are left alone: `source_unreachable` is the link checker's, and
    `source_changed` and `manual` flags wait for a curator.
    """
    policy = current_review_policy()
    at = timezone.now()
    overdue = overdue_entries(today=today, policy=policy)
    reached = effective_date_reached_entries(today=today)
    with transaction.atomic():
        opened = {
            Reason.OVERDUE: raise_flags(
                overdue,
                reason=Reason.OVERDUE,
                note=f"Not verified within its review interval (as of {today.isoformat()}).",
                at=at,
            ),
            Reason.EFFECTIVE_DATE_REACHED: raise_flags(
                reached,
                reason=Reason.EFFECTIVE_DATE_REACHED,
                note="Its effective date has passed since it was last verified: "
                "confirm the change took effect (or ended) as recorded.",
                at=at,
            ),
        }
        closed = {
            Reason.OVERDUE: close_flags(
                ReviewFlag.objects.filter(reason=Reason.OVERDUE).exclude(
                    legal_status__in=overdue.values("pk")
                ),
                resolution=f"Closed by the daily check on {today.isoformat()}: no longer "
                "overdue (verified since, a longer interval, or no longer published and in force).",
                at=at,
            ),
            Reason.EFFECTIVE_DATE_REACHED: close_flags(
                ReviewFlag.objects.filter(reason=Reason.EFFECTIVE_DATE_REACHED).exclude(
                    legal_status__in=reached.values("pk")
                ),
                resolution=f"Closed by the daily check on {today.isoformat()}: verified on or "
                "after the dated change (or the entry is no longer published).",
                at=at,
            ),
        }
    return FlagRun(
        today=today,
        opened={str(reason): n for reason, n in opened.items()},
        closed={str(reason): n for reason, n in closed.items()},
    )


def raise_flags(entries: QuerySet[LegalStatus], *, reason: str, note: str, at: datetime) -> int:
    """Open a `reason` flag with `note`, created at `at`, on each of `entries` that has no open
    flag for that reason; return how many were opened.

    One INSERT ... SELECT ... ON CONFLICT DO NOTHING: the entries never travel to Python, and
    the partial unique constraint `reviewflag_one_open_per_reason` makes a flag that is already
    open (or that a concurrent run just opened) a no-op. The new flags' history records are a
    second statement; they are told apart by `at`, which no other run shares.
    """
    flags, qn = ReviewFlag._meta, connection.ops.quote_name
    # Entries already flagged are not filtered out with NOT EXISTS: right after a mass insert,
    # before PostgreSQL re-analyses the table, that anti-join can be planned as a nested loop
    # (minutes over 100,000 entries); the constraint skips them at a steady cost instead.
    select_sql, select_params = _sql(entries.order_by().values(entry_id=F("pk")))
    columns = ["legal_status_id", "reason", "note", "created_at", "resolution"]
    created_at = flags.get_field("created_at").get_db_prep_value(at, connection)
    # WHERE true: SQLite would otherwise read ON CONFLICT as a join constraint of the SELECT.
    sql = (
        f"INSERT INTO {qn(flags.db_table)} ({', '.join(qn(c) for c in columns)}) "
        f"SELECT candidate.entry_id, %s, %s, %s, '' "
        f"FROM ({select_sql}) candidate WHERE true ON CONFLICT DO NOTHING"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, (reason, note, created_at, *select_params))
        opened = cursor.rowcount
    if opened:
        _write_history(
            ReviewFlag.objects.filter(reason=reason, created_at=at, resolved_at__isnull=True),
            history_type="+",
            at=at,
        )
    return opened


def close_flags(flags: QuerySet[ReviewFlag], *, resolution: str, at: datetime) -> int:
    """Close the open flags among `flags` as the system (no `resolved_by`), resolved at `at`
    with `resolution`; return how many this call closed.

    A conditional update: a flag a curator or another run closed first keeps its resolution.
    """
    closed = ReviewFlag.objects.filter(
        pk__in=flags.filter(resolved_at__isnull=True).values("pk"), resolved_at__isnull=True
    ).update(resolved_at=at, resolution=resolution)
    if closed:
        _write_history(
            ReviewFlag.objects.filter(
                resolved_at=at, resolution=resolution, resolved_by__isnull=True
            ),
            history_type="~",
            at=at,
        )
    return closed


def _write_history(flags: QuerySet[ReviewFlag], *, history_type: str, at: datetime) -> None:
    """Copy `flags` into their history table, as save() would, in one INSERT ... SELECT.

    update() and raw inserts write no history; without this the flags' history would have holes.
    """
    if not getattr(settings, "SIMPLE_HISTORY_ENABLED", True):
        return
    qn = connection.ops.quote_name
    history = ReviewFlag.history.model._meta
    fields = ReviewFlag._meta.concrete_fields
    copied = [field.column for field in fields]
    # Aliased columns: SQLite does not name a subquery's columns after the table's.
    aliases = {f"copy_{n}": F(field.attname) for n, field in enumerate(fields)}
    select_sql, select_params = _sql(flags.order_by().values(**aliases))
    extra = ["history_date", "history_type", "history_change_reason", "history_user_id"]
    history_date = history.get_field("history_date").get_db_prep_value(at, connection)
    sql = (
        f"INSERT INTO {qn(history.db_table)} ({', '.join(qn(c) for c in [*copied, *extra])}) "
        f"SELECT {', '.join(f'flag.{alias}' for alias in aliases)}, %s, %s, %s, NULL "
        f"FROM ({select_sql}) flag"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, (history_date, history_type, "staleness job", *select_params))


def _sql(queryset: QuerySet) -> tuple[str, tuple]:
    return queryset.query.get_compiler(connection=connection).as_sql()
