"""The answer per activity: each activity is combined over the layers like the status is.

For each activity the most restrictive layer that addresses it decides (on a tie, the layer
setting the highest age for it, then the broadest): `prohibited` > `unknown` >
`age_limited` / `conditions` > `allowed` > `not_addressed`.
`not_addressed` (the law is silent) lets the other layers decide. `unknown` (the sources don't
tell) ranks above every permission, so an activity one layer leaves unknown is never answered
`allowed`: only a prohibition elsewhere says more. Only layers whose entry applies on the date
take part (not one outside a county entry's scope, nor one not yet attested).
"""

from collections.abc import Sequence

from legality.activities import (
    ACTIVITIES,
    AGE_LIMITED,
    ALLOWED,
    CONDITIONS,
    NOT_ADDRESSED,
    PROHIBITED,
    UNKNOWN,
)

from .answers import ActivityAnswer, Layer

SEVERITY = {
    NOT_ADDRESSED: 0,
    ALLOWED: 1,
    AGE_LIMITED: 2,
    CONDITIONS: 2,
    UNKNOWN: 3,
    PROHIBITED: 4,
}


def combine_activities(layers: Sequence[Layer]) -> tuple[ActivityAnswer, ...]:
    """The answer for each activity (in the order of ACTIVITIES) from a result's layers.

    `layers` run broadest first, as Result.layers do. With no applying layer every activity is
    `unknown`; where every applying layer is silent, `not_addressed` with no deciding layer.
    """
    applying = [layer for layer in layers if layer.applies and layer.entry is not None]
    return tuple(_combine(activity, applying) for activity in ACTIVITIES)


def _combine(activity: str, applying: Sequence[Layer]) -> ActivityAnswer:
    if not applying:
        return ActivityAnswer(activity, UNKNOWN)
    said = [layer.entry.coding.rule(activity) for layer in applying]  # type: ignore[union-attr]
    ages = [
        layer.minimum_age
        if layer.minimum_age is not None
        and (rule_here == AGE_LIMITED or activity in layer.entry.coding.minimum_age_applies_to)  # type: ignore[union-attr]
        else None
        for layer, rule_here in zip(applying, said, strict=True)
    ]
    # The most restrictive rule decides. Among equals, the layer that sets the highest age for
    # this activity, so that the age shown and the layer named agree ("21 and over: Colorado",
    # not the federal layer's conditions); then the broadest, since max() keeps the first of
    # equals and layers run broadest first.
    index = max(range(len(said)), key=lambda i: (SEVERITY[said[i]], ages[i] or -1))
    rule = said[index]
    if rule == NOT_ADDRESSED:
        return ActivityAnswer(activity, NOT_ADDRESSED)
    return ActivityAnswer(
        activity,
        rule,
        decided_by=applying[index].jurisdiction,
        minimum_age=max((a for a in ages if a is not None), default=None)
        if rule in (AGE_LIMITED, CONDITIONS)
        else None,
    )
