"""Alerts for a place: visitors' email subscriptions, the outbox of answer changes, the messages.

A subscription holds an email address and nothing else about a person. Addresses are never
shown: the admin has no page for subscriptions (curators see counts per jurisdiction), and no
history is kept of them. Unsubscribing deletes the row.
"""

from django.db import models
from django.db.models import Q

# How long an unconfirmed sign-up is kept before it is deleted (double opt-in).
UNCONFIRMED_DAYS = 7


class SubscriptionQuerySet(models.QuerySet):
    def confirmed(self) -> "SubscriptionQuerySet":
        return self.filter(confirmed_at__isnull=False)


class Subscription(models.Model):
    """One address following one jurisdiction, for one substance or for all of them."""

    email = models.EmailField(help_text="Where alerts go. Never shown anywhere.")
    # CASCADE would delete followers with a place; jurisdictions are never deleted (PROTECT
    # everywhere else), so PROTECT keeps that promise visible here too.
    jurisdiction = models.ForeignKey(
        "legality.Jurisdiction",
        on_delete=models.PROTECT,
        related_name="subscriptions",
        help_text="The place followed: changes in any layer of its answer are announced.",
    )
    substance = models.ForeignKey(
        "legality.Substance",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Only this substance; empty for every substance.",
    )
    token = models.CharField(
        max_length=64,
        unique=True,
        help_text="Secret in the confirm and unsubscribe links; it is the only key to the row.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    confirmed_at = models.DateTimeField(
        null=True, blank=True, help_text="When the address owner confirmed (double opt-in)."
    )
    last_answer = models.JSONField(
        default=dict,
        help_text="The answer last announced (or seen at confirmation), by substance slug: "
        "status, minimum_age, decided_by (OCD id). A change is a difference from this.",
    )

    objects = SubscriptionQuerySet.as_manager()

    class Meta:
        constraints = [
            # One row per address, place and substance choice; a second sign-up finds the first.
            models.UniqueConstraint(
                fields=["email", "jurisdiction", "substance"],
                condition=Q(substance__isnull=False),
                name="subscription_once_per_substance",
            ),
            models.UniqueConstraint(
                fields=["email", "jurisdiction"],
                condition=Q(substance__isnull=True),
                name="subscription_once_for_all_substances",
            ),
        ]
        indexes = [
            # Serves the daily deletion of sign-ups never confirmed.
            models.Index(
                fields=["created_at"],
                condition=Q(confirmed_at__isnull=True),
                name="subscription_unconfirmed",
            )
        ]

    def __str__(self) -> str:
        # Never the address: this string can reach logs and admin messages.
        return f"Subscription #{self.pk} to {self.jurisdiction_id}"


class AlertOutboxQuerySet(models.QuerySet):
    def pending(self) -> "AlertOutboxQuerySet":
        return self.filter(processed_at__isnull=True)


class AlertOutbox(models.Model):
    """An entry of a jurisdiction changed: written in the same transaction as the change.

    The alert job reads pending rows, compares the answers of the places that jurisdiction
    encloses with what their subscribers were last told, and marks the rows processed.
    """

    jurisdiction = models.ForeignKey(
        "legality.Jurisdiction",
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The jurisdiction whose entry was created, changed or deleted.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    processed_at = models.DateTimeField(
        null=True, blank=True, help_text="When the alert job compared the answers it affects."
    )
    reason = models.CharField(
        max_length=200, blank=True, help_text="The write path: admin, CSV import, loader."
    )

    objects = AlertOutboxQuerySet.as_manager()

    class Meta:
        verbose_name = "alert outbox row"
        indexes = [
            # Serves AlertOutbox.objects.pending(): the job's only read of this table.
            models.Index(
                fields=["created_at"],
                condition=Q(processed_at__isnull=True),
                name="alertoutbox_pending",
            )
        ]

    def __str__(self) -> str:
        return f"Change in {self.jurisdiction_id} at {self.created_at:%Y-%m-%d %H:%M}"


class AlertMessage(models.Model):
    """One thing to tell one subscriber: an answer that changed, or a dated change 30 days away.

    `key` names the event, so the same event is queued once per subscription however many runs
    see it; `sent_at` is claimed before sending, so a retried run sends nothing twice.
    """

    class Kind(models.TextChoices):
        CHANGED = "changed", "answer changed"
        UPCOMING = "upcoming", "dated change ahead"

    subscription = models.ForeignKey(
        Subscription, on_delete=models.CASCADE, related_name="messages"
    )
    kind = models.CharField(max_length=10, choices=Kind.choices, help_text="What happened.")
    key = models.CharField(max_length=200, help_text="The event, unique per subscription.")
    substance = models.CharField(max_length=20, help_text="Substance slug.")
    details = models.JSONField(
        default=dict, help_text="Old and new answer, effective date and sources, as plain data."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True, help_text="When it was emailed.")
    claim = models.CharField(
        max_length=32, blank=True, help_text="The sending run that claimed it (a random mark)."
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["subscription", "key"], name="alertmessage_once_per_event"
            ),
            models.CheckConstraint(
                condition=Q(kind__in=["changed", "upcoming"]), name="alertmessage_kind_valid"
            ),
        ]
        indexes = [
            # Serves the sender's read of unsent messages.
            models.Index(
                fields=["subscription"],
                condition=Q(sent_at__isnull=True),
                name="alertmessage_unsent",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for subscription #{self.subscription_id}"
