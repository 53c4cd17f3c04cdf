"""The curators' dashboard: the backlog at a glance, in a fixed number of queries.

Open flags by reason over the last weeks, published entries in force by status and by how long
ago they were last verified, and the overdue entries that matter most first.
"""

import datetime
from dataclasses import dataclass

from django.db.models import (
    BigIntegerField,
    Case,
    Count,
    F,
    Func,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Concat, TruncDate

from legality.models import JobRun, Jurisdiction, LegalStatus, PlaceCounty, PlaceKind, ReviewFlag
from legality.staleness import DayNumber, current_review_policy, overdue_entries

WEEKS = 8
MOST_OVERDUE = 25
# Ages of the last verification, in days: (label, from, to) with `to` excluded; None: open.
VERIFICATION_AGES = (
    ("within 30 days", 0, 31),
    ("31 to 90 days ago", 31, 91),
    ("91 to 180 days ago", 91, 181),
    ("181 days to a year ago", 181, 366),
    ("over a year ago", 366, None),
)
NEVER_VERIFIED = "never verified"
ORDERING = (
    "Ordered by days overdue × the 2020 Census population of the places the entry decides for "
    "(a city; a county's or state's municipalities and unincorporated communities), largest "
    "first. It leaves out residents outside any census place, counts a place in two counties in "
    "each, ignores that a stricter layer may decide instead, and knows no population outside the "
    "United States: those entries come last, by days overdue."
)
_EPOCH = datetime.date(1970, 1, 1)


@dataclass(frozen=True)
class FlagWeeks:
    """Open flags of one reason at the end of each week, oldest week first."""

    reason: str
    label: str
    counts: tuple[int, ...]
    open_now: int


@dataclass(frozen=True)
class VerificationAges:
    """Published entries in force of one status, by age of their last verification."""

    status: str
    counts: tuple[int, ...]  # in the order of VERIFICATION_AGES, then never verified
    total: int


@dataclass(frozen=True)
class Dashboard:
    today: datetime.date
    week_ends: tuple[datetime.date, ...]  # the last day of each week shown, oldest first
    flags: tuple[FlagWeeks, ...]
    age_labels: tuple[str, ...]
    ages: tuple[VerificationAges, ...]
    most_overdue: tuple[LegalStatus, ...]  # annotated with days_overdue
    overdue_total: int
    last_runs: tuple[JobRun, ...] = ()  # the newest run of each job, by job name
    ordering: str = ORDERING


def curators_dashboard(*, today: datetime.date, weeks: int = WEEKS) -> Dashboard:
    """The dashboard on `today`. Six queries however many flags, entries and job runs there are:
    flags by reason and week, entries by status and verification age, the review policy, the
    overdue entries most overdue first, their count, and the newest run of each job.
    """
    week_ends = tuple(today - datetime.timedelta(days=7 * n) for n in reversed(range(weeks)))
    overdue = overdue_by_days(today=today)
    return Dashboard(
        today=today,
        week_ends=week_ends,
        flags=_flags_by_week(week_ends),
        age_labels=(*(label for label, _, _ in VERIFICATION_AGES), NEVER_VERIFIED),
        ages=_verification_ages(today),
        most_overdue=tuple(overdue[:MOST_OVERDUE]),
        # Query: how many are overdue in all.
        overdue_total=overdue.count(),
        # Query: the newest run of each job (JobRun, written by the tasks and the commands).
        last_runs=tuple(JobRun.objects.latest_of_each_job()),
    )


def _flags_by_week(week_ends: tuple[datetime.date, ...]) -> tuple[FlagWeeks, ...]:
    """Flags open at the end of each week (raised by then, not resolved by then), by reason."""

    def open_at(day: datetime.date) -> Q:
        end = datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time.min)
        end = end.replace(tzinfo=datetime.UTC)
        return Q(created_at__lt=end) & (Q(resolved_at__isnull=True) | Q(resolved_at__gte=end))

    counts = {f"week_{n}": Count("pk", filter=open_at(day)) for n, day in enumerate(week_ends)}
    # Query: one row per reason with a count per week (and open now).
    rows = {
        row["reason"]: row
        for row in ReviewFlag.objects.values("reason")
        .order_by("reason")
        .annotate(open_now=Count("pk", filter=Q(resolved_at__isnull=True)), **counts)
    }
    return tuple(
        FlagWeeks(
            reason=reason,
            label=label,
            counts=tuple(rows.get(reason, {}).get(key, 0) for key in counts),
            open_now=rows.get(reason, {}).get("open_now", 0),
        )
        for reason, label in ReviewFlag.Reason.choices
    )


def _verification_ages(today: datetime.date) -> tuple[VerificationAges, ...]:
    def verified_between(start: int, end: int | None) -> Q:
        # Verified `start` to `end` days before today: on or before today - start, after - end.
        within = Q(last_verified_at__lte=today - datetime.timedelta(days=start))
        if end is not None:
            within &= Q(last_verified_at__gt=today - datetime.timedelta(days=end))
        return within

    buckets = {
        f"age_{n}": Count("pk", filter=verified_between(start, end))
        for n, (_, start, end) in enumerate(VERIFICATION_AGES)
    }
    buckets["never"] = Count("pk", filter=Q(last_verified_at__isnull=True))
    # Query: published entries in force today, one row per status with a count per age.
    rows = {
        row["status"]: row
        for row in LegalStatus.objects.published()
        .in_force_on(today)
        .values("status")
        .order_by("status")
        .annotate(total=Count("pk"), **buckets)
    }
    return tuple(
        VerificationAges(
            status=status,
            counts=tuple(rows.get(status, {}).get(key, 0) for key in buckets),
            total=rows.get(status, {}).get("total", 0),
        )
        for status in LegalStatus.Status.values
    )


def overdue_by_days(*, today: datetime.date) -> QuerySet[LegalStatus]:
    """Overdue entries (see `staleness.overdue_entries`) annotated with `days_overdue` and
    `known_population`, ordered by days overdue × known population (largest first; entries with
    no known population last, by days overdue), with their jurisdiction and substance.

    An entry verified on day V with interval N is overdue by today - (V + N) days; one never
    verified counts from the day it was recorded. See `known_population` for what it counts.
    """
    today_number = (today - _EPOCH).days
    # Query: the review policy (its intervals go into the SQL).
    overdue = overdue_entries(today=today, policy=current_review_policy())
    return (
        overdue.annotate(
            days_overdue=Value(today_number, output_field=IntegerField())
            - Coalesce(
                F("last_day_in_interval"),
                DayNumber(TruncDate("created_at")),
                output_field=IntegerField(),
            ),
            known_population=known_population(),
        )
        .annotate(weight=F("days_overdue") * F("known_population"))
        .select_related("jurisdiction", "substance")
        .order_by(F("weight").desc(nulls_last=True), "-days_overdue", "jurisdiction__name", "pk")
    )


def known_population() -> Case:
    """The 2020 Census population of the places an entry's jurisdiction decides for, as SQL.

    A place: its own. A county: the places with residents in it (a place in two counties counts
    whole in each). A state or country: its places. Places are municipalities and
    census-designated places (towns and townships overlap them, so they are left out, as are
    residents outside any census place). None where no place has a known population: countries
    other than the United States.
    """
    places = Jurisdiction.objects.filter(
        level=Jurisdiction.Level.PLACE,
        place_kind__in=[PlaceKind.INCORPORATED, PlaceKind.CENSUS_DESIGNATED],
        population__isnull=False,
    )
    in_county = PlaceCounty.objects.filter(
        county_id=OuterRef("jurisdiction_id"),
        has_residents=True,
        place__in=places,
    )
    inside = places.filter(ocd_id__startswith=Concat(OuterRef("jurisdiction__ocd_id"), Value("/")))
    return Case(
        When(
            jurisdiction__level=Jurisdiction.Level.PLACE,
            then=F("jurisdiction__population"),
        ),
        When(
            jurisdiction__level=Jurisdiction.Level.COUNTY,
            then=Subquery(in_county.order_by().values(total=_sum("place__population"))[:1]),
        ),
        default=Subquery(inside.order_by().values(total=_sum("population"))[:1]),
        output_field=BigIntegerField(),
    )


def _sum(field: str) -> Func:
    # SUM as a plain function, so the subquery stays one row without a GROUP BY (the callers
    # clear the models' default ordering, which PostgreSQL would otherwise want grouped).
    return Func(F(field), function="SUM", output_field=BigIntegerField())
