"""How often entries must be re-verified: the review policy curators edit in the admin."""

from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords


class ReviewPolicy(models.Model):
    """The review intervals, in days. One row (id 1), created by a data migration.

    An entry's own `review_interval_days` overrides every interval here.
    """

    banned_days = models.PositiveSmallIntegerField(
        default=90, help_text="Review interval of a banned entry, in days."
    )
    restricted_days = models.PositiveSmallIntegerField(
        default=90, help_text="Review interval of a restricted entry, in days."
    )
    regulated_days = models.PositiveSmallIntegerField(
        default=90, help_text="Review interval of a regulated entry, in days."
    )
    legal_days = models.PositiveSmallIntegerField(
        default=180, help_text="Review interval of a legal entry, in days."
    )
    upcoming_change_days = models.PositiveSmallIntegerField(
        default=30,
        help_text="Review interval, in days, of every entry of a jurisdiction that has a dated "
        "change (an entry starting or ending) coming up within the window below.",
    )
    upcoming_change_window_days = models.PositiveSmallIntegerField(
        default=90,
        help_text="How far ahead, in days, a dated change shortens the review interval.",
    )
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "review policy"
        verbose_name_plural = "review policy"
        constraints = [
            models.CheckConstraint(condition=Q(id=1), name="reviewpolicy_single_row"),
            models.CheckConstraint(
                condition=Q(banned_days__gte=1)
                & Q(restricted_days__gte=1)
                & Q(regulated_days__gte=1)
                & Q(legal_days__gte=1)
                & Q(upcoming_change_days__gte=1),
                name="reviewpolicy_intervals_positive",
                violation_error_message="A review interval is at least one day.",
            ),
        ]

    def __str__(self) -> str:
        return "Review policy"

    def days_for_status(self) -> dict[str, int]:
        """The interval of each status, keyed by LegalStatus.Status value."""
        return {
            "banned": self.banned_days,
            "restricted": self.restricted_days,
            "regulated": self.regulated_days,
            "legal": self.legal_days,
        }
