"""An entry's activities, product limits and penalty as CSV columns, written as curators edit them.

The columns read as the admin's form shows the fields: one column per activity holding its rule
(`sale_rule`: prohibited, age_limited, ...; empty is unknown), the minimum age's activities as a
comma-separated list ("sale, possession"), product limits one per line as "kind: text" (the
form's ProductLimitsField reads and writes them), and the penalty as text. The checks against
the status word run in LegalStatus.clean() on import, as for the form.
"""

from typing import Any

from django.core.exceptions import ValidationError

from legality.activities import ACTIVITIES, RULES, UNKNOWN, field_name

from .activity_fields import ProductLimitsField
from .csv_rows import CsvWidget, Problems

RULE_COLUMNS = tuple(field_name(activity) for activity in ACTIVITIES)
# The columns read_activity_columns() reads; the penalty is text, kept as written.
ACTIVITY_COLUMNS = (*RULE_COLUMNS, "minimum_age_applies_to", "product_limits")


class ActivityListWidget(CsvWidget):
    """["sale", "possession"] as "sale, possession"."""

    def render(self, value: Any, obj=None, **kwargs) -> str:
        return ", ".join(value or [])


class ProductLimitsWidget(CsvWidget):
    """Product limits as the form shows them: one "kind: text" per line."""

    def render(self, value: Any, obj=None, **kwargs) -> str:
        return super().render(ProductLimitsField().prepare_value(value or []))


def read_activity_columns(written: dict[str, str], problems: Problems) -> dict[str, Any]:
    """The model's activity fields from a row's cells; what is wrong goes to `problems`."""
    values: dict[str, Any] = {}
    for name in RULE_COLUMNS:
        rule = written[name].strip() or UNKNOWN  # as an entry nobody has coded
        if rule not in RULES:
            problems[name].append(f"{rule!r} is not a rule: write one of {', '.join(RULES)}")
        values[name] = rule
    activities = [part.strip() for part in written["minimum_age_applies_to"].split(",")]
    activities = [activity for activity in activities if activity]
    if unknown := [activity for activity in activities if activity not in ACTIVITIES]:
        problems["minimum_age_applies_to"].append(
            f"unknown activit{'ies' if len(unknown) > 1 else 'y'} {', '.join(map(repr, unknown))}"
            f": write some of {', '.join(ACTIVITIES)}, separated by commas"
        )
    values["minimum_age_applies_to"] = list(dict.fromkeys(activities))
    try:
        values["product_limits"] = ProductLimitsField(required=False).clean(
            written["product_limits"]
        )
    except ValidationError as error:
        problems["product_limits"].extend(error.messages)
    return values
