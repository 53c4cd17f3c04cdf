"""What a legal status says of each activity: fields of the entry itself.

Fields on LegalStatus, not one row per entry and activity: the six activities are a fixed
vocabulary (the reference codes exactly these six for every fact), the status word and the
activities are one fact that curators edit in one form and that history must record in one
version (a row per activity would get its own history, and "who changed what" would be split
across two tables), the consistency checks read them together in clean(), and every list that
shows an entry (pages, API, exports, resolution) gets them without another query.
Product limits are a short list of {kind, text} per entry, kept as JSON for the same reasons.
"""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from legality.activities import ACTIVITIES, PRODUCT_LIMIT_KINDS, RULES, UNKNOWN, field_name


class ActivityRule(models.TextChoices):
    ALLOWED = "allowed", "allowed"
    PROHIBITED = "prohibited", "prohibited"
    AGE_LIMITED = "age_limited", "age-limited"
    CONDITIONS = "conditions", "under conditions (licence, registration, product rules)"
    NOT_ADDRESSED = "not_addressed", "not addressed (the law is silent)"
    UNKNOWN = "unknown", "unknown (the sources don't tell)"


assert tuple(ActivityRule.values) == RULES  # one vocabulary, spelled once in legality.activities


def _rule_field(activity: str, what: str) -> models.CharField:
    return models.CharField(
        max_length=13,
        choices=ActivityRule.choices,
        default=UNKNOWN,
        verbose_name=activity,
        help_text=f"What this entry says of {what}.",
    )


def validate_activity_list(value) -> None:
    if not isinstance(value, list) or any(item not in ACTIVITIES for item in value):
        raise ValidationError(f"A list of activities: {', '.join(ACTIVITIES)}.")


def validate_product_limits(value) -> None:
    if not isinstance(value, list) or not all(
        isinstance(item, dict)
        and set(item) == {"kind", "text"}
        and item["kind"] in PRODUCT_LIMIT_KINDS
        and isinstance(item["text"], str)
        and item["text"].strip()
        for item in value
    ):
        raise ValidationError(
            f"A list of {{kind, text}}, kind one of {', '.join(PRODUCT_LIMIT_KINDS)}."
        )


class ActivityFields(models.Model):
    """The activity fields of LegalStatus (abstract: LegalStatus inherits them)."""

    sale_rule = _rule_field("sale", "selling it (to the public: buying it here)")
    possession_rule = _rule_field("possession", "possessing (carrying) it")
    use_rule = _rule_field("use", "using (consuming) it")
    manufacture_rule = _rule_field("manufacture", "making or processing it")
    distribution_rule = _rule_field("distribution", "distributing or supplying it to others")
    import_rule = _rule_field("import", "bringing it into the jurisdiction")
    minimum_age_applies_to = models.JSONField(
        default=list,
        blank=True,
        validators=[validate_activity_list],
        help_text="The activities the minimum age governs, e.g. sale.",
    )
    product_limits = models.JSONField(
        default=list,
        blank=True,
        validators=[validate_product_limits],
        help_text="Limits on products this entry sets: a list of {kind, text}.",
    )
    penalty = models.TextField(blank=True, help_text="The penalty, in plain words, if known.")

    class Meta:
        abstract = True

    @property
    def activity_rules(self) -> dict[str, str]:
        """What the entry says of each activity, by activity name."""
        return {activity: getattr(self, field_name(activity)) for activity in ACTIVITIES}


def activity_constraints() -> list[models.CheckConstraint]:
    """Each activity field holds one of the rules (choices alone do not constrain the data)."""
    return [
        models.CheckConstraint(
            condition=Q(**{f"{field_name(activity)}__in": RULES}),
            name=f"legalstatus_{activity}_rule_valid",
        )
        for activity in ACTIVITIES
    ]
