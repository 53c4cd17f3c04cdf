"""What the law says: substances, sources and dated legal statuses."""

from datetime import date, timedelta

from django.conf import settings
from django.contrib.postgres.fields import RangeOperators
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Exists, F, OuterRef, Q, Subquery
from simple_history.models import HistoricalRecords

from legality.activities import contradictions
from legality.constraints import DateRange, PostgresExclusionConstraint

from .activities import ActivityFields, activity_constraints
from .jurisdictions import Jurisdiction


class Substance(models.Model):
    """A product family with its own legal status: kratom, or concentrated 7-OH products."""

    slug = models.SlugField(max_length=20, unique=True, help_text="kratom or 7-oh.")
    name = models.CharField(max_length=100, help_text="Name shown to readers.")
    description = models.TextField(blank=True, help_text="What products this covers.")

    history = HistoricalRecords()

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name


class DatePrecision(models.TextChoices):
    DAY = "day", "day"
    MONTH = "month", "month"
    YEAR = "year", "year"


class Source(models.Model):
    """A citation that supports a legal status: statute, bill, ordinance, notice, news, ..."""

    class Kind(models.TextChoices):
        STATUTE = "statute", "statute"
        BILL = "bill", "bill"
        REGULATION = "regulation", "regulation"
        ORDINANCE = "ordinance", "ordinance"
        COURT_DECISION = "court_decision", "court decision"
        AGENCY_NOTICE = "agency_notice", "agency notice"
        NEWS = "news", "news"
        SECONDARY = "secondary", "secondary source"

    url = models.URLField(max_length=1000, blank=True, help_text="Where the text can be read.")
    title = models.CharField(max_length=500, help_text="Title of the document or page.")
    publisher = models.CharField(max_length=300, blank=True, help_text="Who published it.")
    kind = models.CharField(max_length=20, choices=Kind.choices, help_text="What sort of source.")
    citation = models.CharField(
        max_length=500, blank=True, help_text='Formal citation, e.g. "Ala. Code § 20-2-23".'
    )
    published_on = models.DateField(
        null=True,
        blank=True,
        help_text="Publication date (first day of the month or year when "
        "only that is known); empty when the source is undated.",
    )
    published_precision = models.CharField(
        max_length=5,
        choices=DatePrecision.choices,
        blank=True,
        help_text="How much of the publication date is known.",
    )
    # What the link checker learned; written by the source checking job.
    last_checked_at = models.DateTimeField(null=True, blank=True, help_text="Last link check.")
    last_http_status = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="HTTP status of the last check."
    )
    last_check_error = models.CharField(
        max_length=300, blank=True, help_text="Why the last check failed, if it did."
    )
    final_url = models.URLField(max_length=1000, blank=True, help_text="URL after redirects.")
    content_hash = models.CharField(
        max_length=64, blank=True, help_text="SHA-256 of the body at the last successful check."
    )
    consecutive_failures = models.PositiveSmallIntegerField(
        default=0, help_text="Failed checks in a row."
    )
    archive_url = models.URLField(max_length=1000, blank=True, help_text="An archived copy.")

    # The link checker's fields change daily; SourceCheck rows are their history.
    history = HistoricalRecords(
        excluded_fields=[
            "last_checked_at",
            "last_http_status",
            "last_check_error",
            "final_url",
            "content_hash",
            "consecutive_failures",
        ]
    )

    class Meta:
        ordering = ["title"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(url="") | ~Q(citation=""),
                name="source_has_url_or_citation",
                violation_error_message="A source needs a URL or a citation.",
            ),
            models.CheckConstraint(
                condition=Q(
                    kind__in=[
                        "statute",
                        "bill",
                        "regulation",
                        "ordinance",
                        "court_decision",
                        "agency_notice",
                        "news",
                        "secondary",
                    ]
                ),
                name="source_kind_valid",
            ),
            models.CheckConstraint(
                condition=Q(published_on__isnull=True, published_precision="")
                | Q(published_on__isnull=False, published_precision__in=DatePrecision.values),
                name="source_published_precision_with_date",
            ),
        ]

    def __str__(self) -> str:
        return self.citation or self.title


class LegalStatusQuerySet(models.QuerySet):
    def published(self) -> "LegalStatusQuerySet":
        return self.filter(is_published=True)

    def in_force_on(self, day: date) -> "LegalStatusQuerySet":
        """Entries in force on `day`. Periods are half-open: [effective_from, effective_until)."""
        # A NULL on either end is open on that side: an unknown start, or "until further notice".
        # Whether a restrictive entry with an unknown start may decide an old date is resolution's
        # rule, not this filter's.
        return self.filter(
            Q(effective_from__isnull=True) | Q(effective_from__lte=day),
            Q(effective_until__isnull=True) | Q(effective_until__gt=day),
        )

    def with_is_stale(self) -> "LegalStatusQuerySet":
        """Annotate `is_stale`: the entry has an open review flag (one subquery, no N+1)."""
        from .review import ReviewFlag  # review.py imports this module

        open_flags = ReviewFlag.objects.open().filter(legal_status=OuterRef("pk"))
        return self.annotate(is_stale=Exists(open_flags))

    def with_review_state(self) -> "LegalStatusQuerySet":
        """Annotate what the public may be told of an entry's review, in three subqueries:
        `has_open_flag`, `flagged_at` (when its oldest open flag was raised: due for
        re-checking since then; NULL without one) and `is_being_checked` (a curator has taken
        an open flag)."""
        from .review import ReviewFlag  # review.py imports this module

        open_flags = ReviewFlag.objects.open().filter(legal_status=OuterRef("pk"))
        return self.annotate(
            has_open_flag=Exists(open_flags),
            flagged_at=Subquery(open_flags.order_by("created_at").values("created_at")[:1]),
            is_being_checked=Exists(open_flags.claimed()),
        )

    def overlapping(self, entry: "LegalStatus") -> "LegalStatusQuerySet":
        """Other entries of the same jurisdiction and substance whose period meets `entry`'s."""
        clashes = self.filter(
            jurisdiction_id=entry.jurisdiction_id, substance_id=entry.substance_id
        )
        if entry.pk:
            clashes = clashes.exclude(pk=entry.pk)
        # Two half-open periods overlap when each starts before the other ends; NULL is open.
        if entry.effective_until is not None:
            clashes = clashes.filter(
                Q(effective_from__isnull=True) | Q(effective_from__lt=entry.effective_until)
            )
        if entry.effective_from is not None:
            clashes = clashes.filter(
                Q(effective_until__isnull=True) | Q(effective_until__gt=entry.effective_from)
            )
        return clashes


class LegalStatus(ActivityFields):
    """The status of one substance in one jurisdiction for one period, and what it says of each
    activity (the fields of ActivityFields)."""

    class Status(models.TextChoices):
        LEGAL = "legal", "legal"
        REGULATED = "regulated", "regulated"
        RESTRICTED = "restricted", "restricted"
        BANNED = "banned", "banned"

    class AppliesTo(models.TextChoices):
        WHOLE = "whole", "the whole county"
        UNINCORPORATED = "unincorporated", "unincorporated areas only"

    # PROTECT: legal facts are never cascaded away with the place or substance they describe.
    jurisdiction = models.ForeignKey(
        Jurisdiction,
        on_delete=models.PROTECT,
        related_name="legal_statuses",
        help_text="Where this status applies.",
    )
    substance = models.ForeignKey(
        Substance,
        on_delete=models.PROTECT,
        related_name="legal_statuses",
        help_text="What it covers.",
    )
    status = models.CharField(
        max_length=10,
        choices=Status.choices,
        help_text="legal: no kratom-specific restriction; regulated: legal with conditions; "
        "restricted: some activities or products prohibited; "
        "banned: sale and possession prohibited.",
    )
    minimum_age = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Minimum age to buy, where the law sets one."
    )
    applies_to = models.CharField(
        max_length=15,
        choices=AppliesTo.choices,
        blank=True,
        help_text="County entries: the whole county, or unincorporated areas only. Empty: the "
        "sources do not say (scope unknown).",
    )
    summary = models.TextField(help_text="Plain-language summary shown to the public.")
    details = models.TextField(blank=True, help_text="Longer public explanation, if any.")
    effective_from = models.DateField(
        null=True,
        blank=True,
        help_text="First day in force. Empty: the start is not known.",
    )
    effective_from_precision = models.CharField(
        max_length=5,
        choices=DatePrecision.choices,
        blank=True,
        help_text="How much of the start date is known: a month or year start is stored as the "
        "first day of that month or year. Empty when the start is unknown.",
    )
    effective_until = models.DateField(
        null=True,
        blank=True,
        help_text="First day this no longer applies (the period is half-open). "
        "Empty: still in force.",
    )
    sources = models.ManyToManyField(
        Source, blank=True, related_name="legal_statuses", help_text="What supports this entry."
    )
    is_published = models.BooleanField(
        default=False, help_text="Shown to the public. Needs at least one source."
    )
    unverified = models.BooleanField(
        default=False,
        help_text="Not yet confirmed in a primary text: published with the word 'unverified'.",
    )
    last_verified_at = models.DateField(
        null=True,
        blank=True,
        help_text="Day a curator or the newest dated source last confirmed it.",
    )
    last_verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Who last confirmed it (empty when it comes from the seed data).",
    )
    review_interval_days = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        help_text="Overrides the review policy's interval for this entry, in days.",
    )
    internal_notes = models.TextField(blank=True, help_text="For curators only; never public.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(
        default=1,
        editable=False,
        help_text="Raised by one at every save: a save made from an older version is refused.",
    )

    objects = LegalStatusQuerySet.as_manager()
    history = HistoricalRecords(m2m_fields=[sources])

    class Meta:
        verbose_name = "legal status"
        verbose_name_plural = "legal statuses"
        ordering = ["jurisdiction__ocd_id", "substance_id", "effective_from"]
        indexes = [
            # Serves resolution: the entries of a few jurisdictions for one substance.
            models.Index(fields=["jurisdiction", "substance"], name="legalstatus_place_substance"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["legal", "regulated", "restricted", "banned"]),
                name="legalstatus_status_valid",
                violation_error_message="Status must be legal, regulated, restricted or banned.",
            ),
            models.CheckConstraint(
                condition=Q(applies_to__in=["", "whole", "unincorporated"]),
                name="legalstatus_applies_to_valid",
            ),
            models.CheckConstraint(
                condition=Q(effective_until__isnull=True)
                | Q(effective_from__isnull=True)
                | Q(effective_until__gt=F("effective_from")),
                name="legalstatus_period_ends_after_start",
                violation_error_message="A period must end after it starts.",
            ),
            models.CheckConstraint(
                condition=Q(effective_from__isnull=True, effective_from_precision="")
                | Q(
                    effective_from__isnull=False, effective_from_precision__in=DatePrecision.values
                ),
                name="legalstatus_precision_with_start",
                violation_error_message="A start date needs its precision (day, month or year); "
                "an unknown start has none.",
            ),
            models.CheckConstraint(
                condition=Q(minimum_age__isnull=True) | Q(minimum_age__lte=99),
                name="legalstatus_minimum_age_plausible",
            ),
            PostgresExclusionConstraint(
                name="legalstatus_periods_do_not_overlap",
                expressions=[
                    (DateRange("effective_from", "effective_until"), RangeOperators.OVERLAPS),
                    ("jurisdiction", RangeOperators.EQUAL),
                    ("substance", RangeOperators.EQUAL),
                ],
                violation_error_message="Periods of one jurisdiction and substance "
                "may not overlap.",
            ),
            *activity_constraints(),
        ]

    def __str__(self) -> str:
        return f"{self.substance} in {self.jurisdiction}: {self.status}"

    @property
    def last_day_in_force(self) -> date | None:
        """The inclusive end shown to the public; the model stores the first day after it."""
        return self.effective_until - timedelta(days=1) if self.effective_until else None

    def clean(self) -> None:
        # The loader stores shipped entries that break these and flags them for a curator;
        # every other write path (admin, CSV import, API) refuses them.
        if problems := contradictions(
            status=self.status, minimum_age=self.minimum_age, rules=self.activity_rules
        ):
            raise ValidationError(
                [f"The activities contradict the status: {problem}." for problem in problems]
            )
        if self.jurisdiction_id is None or self.substance_id is None:
            return
        if self.applies_to and self.jurisdiction.level != Jurisdiction.Level.COUNTY:
            raise ValidationError({"applies_to": "Only a county-level entry has a scope."})
        if clash := LegalStatus.objects.overlapping(self).first():
            start = clash.effective_from or "an unknown start"
            end = clash.last_day_in_force or "today"
            raise ValidationError(
                f"{self.substance} in {self.jurisdiction} already has an entry from {start} to "
                f"{end}; periods may not overlap."
            )


class SourceLink(LegalStatus.sources.through):
    """An entry's link to one of its sources (the many-to-many table), named by the source:
    the admin titles each of an entry's sources with this."""

    class Meta:
        proxy = True
        verbose_name = "source"

    def __str__(self) -> str:
        source = self.source
        return f"{source.title} — {source.citation}" if source.citation else source.title
