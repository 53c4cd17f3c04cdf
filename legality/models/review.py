"""Keeping entries true: review flags for curators and the staleness reports that list them."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from .statuses import LegalStatus


class ReviewFlagQuerySet(models.QuerySet):
    def open(self) -> "ReviewFlagQuerySet":
        return self.filter(resolved_at__isnull=True)

    def claimed(self) -> "ReviewFlagQuerySet":
        return self.filter(claimed_by__isnull=False)


class ReviewFlag(models.Model):
    """Why an entry needs a curator. Open while `resolved_at` is empty."""

    class Reason(models.TextChoices):
        OVERDUE = "overdue", "not verified within its review interval"
        SOURCE_UNREACHABLE = "source_unreachable", "a source cannot be reached"
        SOURCE_CHANGED = "source_changed", "a source's text changed"
        EFFECTIVE_DATE_REACHED = "effective_date_reached", "a dated change took effect or ended"
        MANUAL = "manual", "raised by a curator or the seed data"

    legal_status = models.ForeignKey(
        LegalStatus, on_delete=models.CASCADE, related_name="review_flags", help_text="The entry."
    )
    reason = models.CharField(max_length=30, choices=Reason.choices, help_text="Why it was raised.")
    note = models.TextField(blank=True, help_text="What the curator should look at.")
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True, help_text="Empty while open.")
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Who resolved it; empty when a job closed it because its reason no longer holds.",
    )
    resolution = models.TextField(blank=True, help_text="How or why it was closed.")
    # Flags are raised by jobs; only a curator taking one means someone is working on it, and
    # only then may a public page say so.
    claimed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The curator who took this flag to work on it; empty while nobody has.",
    )
    claimed_at = models.DateTimeField(null=True, blank=True, help_text="When it was taken.")

    objects = ReviewFlagQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["created_at"]
        constraints = [
            # Flagging jobs rely on this: bulk_create(ignore_conflicts=True) is then idempotent.
            models.UniqueConstraint(
                fields=["legal_status", "reason"],
                condition=Q(resolved_at__isnull=True),
                name="reviewflag_one_open_per_reason",
                violation_error_message="This entry already has an open flag for this reason.",
            ),
            models.CheckConstraint(
                condition=Q(
                    reason__in=[
                        "overdue",
                        "source_unreachable",
                        "source_changed",
                        "effective_date_reached",
                        "manual",
                    ]
                ),
                name="reviewflag_reason_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_reason_display()} ({'open' if self.is_open else 'resolved'})"

    @property
    def is_open(self) -> bool:
        return self.resolved_at is None


class StalenessReport(models.Model):
    """What one staleness run found, and to whom it was sent."""

    created_at = models.DateTimeField(auto_now_add=True)
    as_of = models.DateField(help_text="The day the report describes.")
    counts = models.JSONField(
        default=dict, help_text="Open flags counted by reason, level and substance."
    )
    entries = models.JSONField(default=list, help_text="The flagged entries, oldest overdue first.")
    csv = models.TextField(blank=True, help_text="The CSV attached to the email.")
    sent_at = models.DateTimeField(null=True, blank=True, help_text="When the email was sent.")
    recipients = models.JSONField(default=list, help_text="Email addresses it was sent to.")

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            # The weekly job may be retried or run twice at once: one report per day, whoever wins.
            models.UniqueConstraint(fields=["as_of"], name="stalenessreport_one_per_day")
        ]

    def __str__(self) -> str:
        return f"Staleness report of {self.as_of}"
