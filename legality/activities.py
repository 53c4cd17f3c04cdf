"""What an entry says of each activity, and whether that agrees with its one-word status.

The vocabulary follows the reference data (`activities.json`), coded the way legal-epidemiology
datasets code a law into answers to fixed questions: six activities, each `allowed`,
`prohibited`, `age_limited`, `conditions` (allowed under a licence, registration or product
rules), `not_addressed` (the law is silent) or `unknown` (the sources don't tell).

`contradictions()` are the rules a curator cannot break in the admin (the loader loads the
shipped entries that break them, warns and flags them); `doubts()` are codings that deserve a
curator's look but may well be what the sources say. Both are pure functions of plain values.
"""

from collections.abc import Mapping
from dataclasses import dataclass

SALE = "sale"
POSSESSION = "possession"
USE = "use"
MANUFACTURE = "manufacture"
DISTRIBUTION = "distribution"
IMPORT = "import"
ACTIVITIES = (SALE, POSSESSION, USE, MANUFACTURE, DISTRIBUTION, IMPORT)

ALLOWED = "allowed"
PROHIBITED = "prohibited"
AGE_LIMITED = "age_limited"
CONDITIONS = "conditions"
NOT_ADDRESSED = "not_addressed"
UNKNOWN = "unknown"
RULES = (ALLOWED, PROHIBITED, AGE_LIMITED, CONDITIONS, NOT_ADDRESSED, UNKNOWN)
# Allowed, with or without conditions: what a `banned` entry cannot say of sale or possession.
PERMITTING = (ALLOWED, AGE_LIMITED, CONDITIONS)

PRODUCT_LIMIT_KINDS = (
    "7oh_share_of_alkaloids",
    "7oh_mg_per_serving",
    "synthetic_alkaloids_banned",
    "labeling",
    "registration",
    "testing",
    "other",
)


@dataclass(frozen=True)
class ProductLimit:
    """A limit an entry sets on products: its kind (PRODUCT_LIMIT_KINDS) and what it says."""

    kind: str
    text: str


@dataclass(frozen=True)
class Coding:
    """What one entry says of the activities, as plain data; the default: nobody coded it."""

    rules: tuple[str, ...] = (UNKNOWN,) * len(ACTIVITIES)  # in the order of ACTIVITIES
    minimum_age_applies_to: tuple[str, ...] = ()
    product_limits: tuple[ProductLimit, ...] = ()
    penalty: str = ""

    def rule(self, activity: str) -> str:
        return self.rules[ACTIVITIES.index(activity)]

    @property
    def by_activity(self) -> dict[str, str]:
        return dict(zip(ACTIVITIES, self.rules, strict=True))


def field_name(activity: str) -> str:
    """The LegalStatus field that holds what the entry says of `activity` (`import_rule`, ...).

    A suffix, because `import` cannot be an attribute name in Python.
    """
    return f"{activity}_rule"


def contradictions(*, status: str, minimum_age: int | None, rules: Mapping[str, str]) -> list[str]:
    """Why the activities contradict the status word, in words for a curator; [] when they agree.

    `rules` maps each activity to its rule. `unknown` contradicts nothing: it is no claim.
    - `banned` (sale and possession prohibited) cannot allow sale or possession;
    - `regulated` with a minimum age has sale `age_limited`;
    - `legal` (no kratom-specific law restricts it) prohibits nothing;
    - an activity is `age_limited` only where the entry has a minimum age.
    """
    problems = []
    if status == "banned":
        problems += [
            f"a banned entry cannot code {activity} {rules[activity]!r}: a ban prohibits sale "
            "and possession"
            for activity in (SALE, POSSESSION)
            if rules.get(activity) in PERMITTING
        ]
    if (
        status == "regulated"
        and minimum_age is not None
        and rules.get(SALE)
        not in (
            AGE_LIMITED,
            UNKNOWN,
            None,
        )
    ):
        problems.append(
            f"a regulated entry with a minimum age ({minimum_age}) codes sale 'age_limited', "
            f"not {rules.get(SALE)!r}"
        )
    if status == "legal" and (banned := [a for a in ACTIVITIES if rules.get(a) == PROHIBITED]):
        problems.append(
            f"a legal entry prohibits nothing, but {', '.join(banned)} is coded 'prohibited'"
        )
    if minimum_age is None and (limited := [a for a in ACTIVITIES if rules.get(a) == AGE_LIMITED]):
        problems.append(f"{', '.join(limited)} is coded 'age_limited' but there is no minimum age")
    return problems


def doubts(*, status: str, rules: Mapping[str, str]) -> list[str]:
    """Codings that may disagree with the status word and deserve a curator's look; [] if none.

    A `restricted` entry prohibits some activities or products; one with some activity coded
    but none `prohibited` may restrict only products, or be coded from too little. The coding is
    what the sources say (the reference's README), so this is a question for a curator, not a
    refusal. An entry whose sources tell nothing of any activity (all `unknown`) is no doubt.
    """
    said = [rules.get(activity) for activity in ACTIVITIES]
    if status == "restricted" and PROHIBITED not in said and set(said) != {UNKNOWN}:
        return [
            "a restricted entry with no activity coded 'prohibited': check whether only "
            "products are restricted, or the coding or the status is wrong"
        ]
    return []
