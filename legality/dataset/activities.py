"""A record's activities, product limits and penalty, as the model's fields.

A record without `activities` says nothing of them: every activity is `unknown`, as for an entry
nobody has coded. The values are checked like every other field, by the model's own field rules
(choices and validators) in planning. The checks against the status word (legality.activities)
are not errors: the loader stores the shipped coding, and reports a disagreement as a warning
and a review flag for curators.
"""

from collections.abc import Mapping
from typing import Any

from legality.activities import ACTIVITIES, RULES, UNKNOWN, field_name

from .reading import Field

KEYS = ("activities", "minimum_age_applies_to", "product_limits", "penalty")
# The model fields a record's activities set, and their values when a record says nothing.
DEFAULTS: dict[str, Any] = {field_name(activity): UNKNOWN for activity in ACTIVITIES} | {
    "minimum_age_applies_to": [],
    "product_limits": [],
    "penalty": "",
}


def activity_values(fields: Mapping[str, Field]) -> tuple[dict[str, Any], list[tuple[int, str]]]:
    """(the model's activity fields, [(line, problem), ...]) for one record's `fields`."""
    values = dict(DEFAULTS)
    problems: list[tuple[int, str]] = []
    if (written := fields.get("activities")) is not None:
        if not isinstance(written.value, dict):
            return values, [(written.line, "activities is not a mapping")]
        for key in written.value.keys() - set(ACTIVITIES):
            problems.append((written.line, f"activities: unknown activity {key!r}"))
        for activity in ACTIVITIES:
            rule = written.value.get(activity)
            if rule not in RULES:
                message = f"activities: {activity} is {rule!r}, not one of {', '.join(RULES)}"
                problems.append((written.line, message))
            values[field_name(activity)] = rule
    for key in ("minimum_age_applies_to", "product_limits"):
        if key in fields:
            values[key] = fields[key].value if fields[key].value is not None else []
    if "penalty" in fields:
        values["penalty"] = fields["penalty"].value or ""
    return values, problems
