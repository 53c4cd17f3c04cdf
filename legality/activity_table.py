"""The reader's table of what is allowed where: Buy · Carry · Use · Sell · Make · Import.

It speaks the reader's words over the six activities the law codes. Buying here is the sale
rule as it reaches a buyer; selling is the stricter of sale and distribution (a shop that may
not sell, or not distribute, may not sell). Limits and penalties are listed under the layer
whose entry sets them. Only words are chosen here: the rules live in legality.resolution.
"""

from legality.activities import (
    AGE_LIMITED,
    CONDITIONS,
    DISTRIBUTION,
    IMPORT,
    MANUFACTURE,
    POSSESSION,
    SALE,
    USE,
)
from legality.resolution import ActivityAnswer, Result
from legality.resolution.activities import SEVERITY

# (the reader's word, what it means, the activities it reads)
COLUMNS = (
    ("Buy", "buying it here", (SALE,)),
    ("Carry", "having it on you", (POSSESSION,)),
    ("Use", "using it", (USE,)),
    ("Sell", "selling or supplying it", (SALE, DISTRIBUTION)),
    ("Make", "making or processing it", (MANUFACTURE,)),
    ("Import", "bringing it in", (IMPORT,)),
)
RULE_WORDS = {
    "allowed": "Allowed",
    "prohibited": "Prohibited",
    "age_limited": "Age-limited",
    "conditions": "Under conditions",
    "not_addressed": "No law addresses it",
    "unknown": "Not known",
}
KIND_WORDS = {
    "7oh_share_of_alkaloids": "7-OH share of alkaloids",
    "7oh_mg_per_serving": "7-OH per serving",
    "synthetic_alkaloids_banned": "Synthetic alkaloids",
    "labeling": "Labelling",
    "registration": "Registration",
    "testing": "Testing",
    "other": "Other",
}


def describe(answer: ActivityAnswer) -> str:
    words = RULE_WORDS[answer.rule]
    if answer.rule in (AGE_LIMITED, CONDITIONS) and answer.minimum_age is not None:
        return f"{words}: {answer.minimum_age} and over"
    return words


def activity_table(result: Result) -> dict:
    """Rows of the reader's table and the layers' limits and penalties (the page's
    _activities.html)."""
    by_activity = {answer.activity: answer for answer in result.activities}
    rows = []
    for word, meaning, activities in COLUMNS:
        # max() keeps the first of equals: sale before distribution.
        answer = max((by_activity[a] for a in activities), key=lambda a: SEVERITY[a.rule])
        rows.append(
            {
                "word": word,
                "meaning": meaning,
                "rule": answer.rule,
                "words": describe(answer),
                "decided_by": answer.decided_by,
            }
        )
    limits = [
        {
            "jurisdiction": layer.jurisdiction,
            "limits": [
                {"kind": KIND_WORDS.get(limit.kind, limit.kind), "text": limit.text}
                for limit in layer.entry.coding.product_limits
            ],
            "penalty": layer.entry.coding.penalty,
        }
        for layer in result.layers
        if layer.applies
        and layer.entry is not None
        and (layer.entry.coding.product_limits or layer.entry.coding.penalty)
    ]
    return {"rows": rows, "limits": limits}
