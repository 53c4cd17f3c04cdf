"""The legal status form's activity fields, as a curator edits them beside the status.

The model stores the minimum age's activities and the product limits as JSON lists; curators
tick the activities and write one product limit per line ("labeling: a warning label"), never
JSON. The checks against the status word run in LegalStatus.clean(), so a contradiction is a
form error on every write path.
"""

from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from legality.activities import ACTIVITIES, PRODUCT_LIMIT_KINDS
from legality.models import LegalStatus


class ProductLimitsField(forms.CharField):
    """Product limits, one per line as "kind: text"; stored as a list of {kind, text}."""

    widget = forms.Textarea(attrs={"rows": 3})

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, list):
            return "\n".join(f"{limit['kind']}: {limit['text']}" for limit in value)
        return value

    def to_python(self, value: Any) -> list[dict[str, str]]:
        limits = []
        for number, line in enumerate((super().to_python(value) or "").splitlines(), 1):
            if not line.strip():
                continue
            kind, _, text = (part.strip() for part in line.partition(":"))
            if kind not in PRODUCT_LIMIT_KINDS or not text:
                raise ValidationError(
                    f"Line {number}: write “kind: text”, with kind one of "
                    f"{', '.join(PRODUCT_LIMIT_KINDS)}."
                )
            limits.append({"kind": kind, "text": text})
        return limits


class LegalStatusForm(forms.ModelForm):
    minimum_age_applies_to = forms.MultipleChoiceField(
        choices=[(activity, activity) for activity in ACTIVITIES],
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=LegalStatus._meta.get_field("minimum_age_applies_to").help_text,
    )
    product_limits = ProductLimitsField(
        required=False,
        help_text="One per line: “kind: text”, kind one of " + ", ".join(PRODUCT_LIMIT_KINDS) + ".",
    )

    class Meta:
        model = LegalStatus
        # The admin's fieldsets add the rest of the entry's fields.
        fields = ["minimum_age_applies_to", "product_limits"]
