"""What entries say of each activity: the checks against the status word, and the combination
over layers (unit tests and hypothesis properties)."""

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from legality.activities import (
    ACTIVITIES,
    RULES,
    Coding,
    contradictions,
    doubts,
)
from legality.resolution import (
    UNKNOWN,
    Entry,
    JurisdictionRef,
    Layer,
    Standing,
    combine_activities,
)
from legality.resolution.activities import SEVERITY

US = JurisdictionRef(1, "ocd-division/country:us", "United States", "country")
MS = JurisdictionRef(2, "ocd-division/country:us/state:ms", "Mississippi", "state")
LEE = JurisdictionRef(3, "ocd-division/country:us/state:ms/county:lee", "Lee County", "county")
TUPELO = JurisdictionRef(4, "ocd-division/country:us/state:ms/place:tupelo", "Tupelo", "place")
PLACES = (US, MS, LEE, TUPELO)


def coded(**rules: str) -> dict[str, str]:
    return {activity: rules.get(activity, "not_addressed") for activity in ACTIVITIES}


def layer(where: JurisdictionRef, *, age: int | None = None, standing=Standing.APPLIES, **rules):
    coding = Coding(rules=tuple(coded(**rules).values()))
    entry = Entry(
        id=where.id,
        jurisdiction_id=where.id,
        substance="kratom",
        status="legal",
        minimum_age=age,
        coding=coding,
    )
    return Layer(where, entry, "legal", age, standing)


def answer(layers, activity: str):
    return next(a for a in combine_activities(layers) if a.activity == activity)


# The checks against the status word


def test_a_banned_entry_cannot_allow_sale_or_possession():
    problems = contradictions(
        status="banned",
        minimum_age=None,
        rules=coded(sale="prohibited", possession="conditions"),
    )
    assert problems == [
        "a banned entry cannot code possession 'conditions': a ban prohibits sale and possession"
    ]


def test_a_regulated_entry_with_an_age_has_sale_age_limited():
    assert contradictions(status="regulated", minimum_age=21, rules=coded(sale="age_limited")) == []
    assert contradictions(status="regulated", minimum_age=21, rules=coded(sale="allowed")) == [
        "a regulated entry with a minimum age (21) codes sale 'age_limited', not 'allowed'"
    ]


def test_a_legal_entry_prohibits_nothing():
    rules = coded() | {"import": "prohibited"}  # `import` is no keyword argument
    problems = contradictions(status="legal", minimum_age=None, rules=rules)
    assert problems == ["a legal entry prohibits nothing, but import is coded 'prohibited'"]


def test_age_limited_needs_a_minimum_age():
    problems = contradictions(status="regulated", minimum_age=None, rules=coded(sale="age_limited"))
    assert problems == ["sale is coded 'age_limited' but there is no minimum age"]


@pytest.mark.parametrize("status", ["legal", "regulated", "restricted", "banned"])
def test_unknown_contradicts_no_status(status):
    age = 21 if status == "regulated" else None
    assert (
        contradictions(status=status, minimum_age=age, rules=dict.fromkeys(ACTIVITIES, UNKNOWN))
        == []
    )


def test_a_restricted_entry_that_prohibits_nothing_is_a_doubt_not_a_contradiction():
    rules = coded(sale="conditions")
    assert contradictions(status="restricted", minimum_age=None, rules=rules) == []
    assert doubts(status="restricted", rules=rules)
    assert doubts(status="restricted", rules=coded(sale="prohibited")) == []


# The combination


def test_the_most_restrictive_layer_decides_each_activity():
    layers = [
        layer(US, sale="conditions"),
        layer(MS, sale="age_limited", age=21),
        layer(TUPELO, sale="prohibited", possession="allowed"),
    ]
    sale = answer(layers, "sale")
    assert (sale.rule, sale.decided_by) == ("prohibited", TUPELO)
    possession = answer(layers, "possession")
    assert (possession.rule, possession.decided_by) == ("allowed", TUPELO)


def test_not_addressed_lets_the_next_layer_decide():
    layers = [layer(MS, possession="allowed"), layer(TUPELO, sale="prohibited")]
    possession = answer(layers, "possession")
    assert (possession.rule, possession.decided_by) == ("allowed", MS)


def test_no_layer_addressing_an_activity_says_so():
    result = answer([layer(MS), layer(TUPELO)], "use")
    assert (result.rule, result.decided_by) == ("not_addressed", None)


def test_unknown_is_never_answered_allowed():
    result = answer([layer(MS, sale="allowed"), layer(TUPELO, sale="unknown")], "sale")
    assert (result.rule, result.decided_by) == ("unknown", TUPELO)
    # ... but a prohibition elsewhere says more than "not known".
    result = answer([layer(MS, sale="prohibited"), layer(TUPELO, sale="unknown")], "sale")
    assert (result.rule, result.decided_by) == ("prohibited", MS)


def test_no_applying_layer_leaves_every_activity_unknown():
    layers = [layer(LEE, sale="prohibited", standing=Standing.OUTSIDE_SCOPE)]
    assert {a.rule for a in combine_activities(layers)} == {"unknown"}


def test_a_tie_goes_to_the_layer_setting_the_highest_age_so_age_and_layer_agree():
    layers = [layer(MS, sale="age_limited", age=18), layer(TUPELO, sale="age_limited", age=21)]
    sale = answer(layers, "sale")
    assert (sale.rule, sale.decided_by, sale.minimum_age) == ("age_limited", TUPELO, 21)


def test_federal_conditions_do_not_take_credit_for_a_state_age():
    # As in Denver: a broader layer's conditions tie with a narrower layer's 21-and-over rule.
    layers = [layer(MS, sale="conditions"), layer(TUPELO, sale="age_limited", age=21)]
    sale = answer(layers, "sale")
    assert (sale.rule, sale.decided_by, sale.minimum_age) == ("age_limited", TUPELO, 21)


def test_an_exact_tie_goes_to_the_broadest_layer():
    layers = [layer(MS, sale="age_limited", age=21), layer(TUPELO, sale="age_limited", age=21)]
    assert answer(layers, "sale").decided_by == MS


# Properties

rules = st.sampled_from(RULES)
codings = st.fixed_dictionaries({activity: rules for activity in ACTIVITIES})


@st.composite
def layer_lists(draw, min_size=0):
    places = draw(st.lists(st.sampled_from(PLACES), min_size=min_size, max_size=4, unique=True))
    return [
        layer(p, age=draw(st.none() | st.sampled_from([18, 21])), **draw(codings))
        for p in sorted(places, key=lambda p: p.id)
    ]


@given(layer_lists(min_size=1), codings, st.sampled_from(PLACES))
def test_adding_a_layer_never_makes_an_activity_less_restricted(layers, rules_added, where):
    before = combine_activities(layers)
    added = sorted([*layers, layer(where, **rules_added)], key=lambda la: la.jurisdiction.id)
    after = combine_activities(added)
    for old, new in zip(before, after, strict=True):
        assert SEVERITY[new.rule] >= SEVERITY[old.rule]


@given(layer_lists(), st.sampled_from(PLACES))
def test_a_layer_that_addresses_nothing_changes_no_activity(layers, where):
    silent = layer(where)
    after = combine_activities(sorted([*layers, silent], key=lambda la: la.jurisdiction.id))
    if layers:
        before = combine_activities(layers)
        assert [a.rule for a in after] == [a.rule for a in before]
    else:
        assert {a.rule for a in after} == {"not_addressed"}


@given(layer_lists())
def test_an_activity_a_layer_leaves_unknown_is_never_allowed(layers):
    for combined in combine_activities(layers):
        said = [la.entry.coding.rule(combined.activity) for la in layers]
        if UNKNOWN in said:
            assert combined.rule in ("unknown", "prohibited")
        if combined.rule not in ("unknown", "not_addressed"):
            # The deciding layer says exactly the combined rule.
            decider = next(la for la in layers if la.jurisdiction == combined.decided_by)
            assert decider.entry.coding.rule(combined.activity) == combined.rule


def test_resolution_answers_each_activity_for_each_result():
    from legality.resolution import Enclosure, SubstanceRef, resolve_layers

    kratom = SubstanceRef(1, "kratom", "Kratom")
    entry = Entry(
        id=1,
        jurisdiction_id=MS.id,
        substance="kratom",
        status="banned",
        coding=Coding(rules=("prohibited",) * 6),
    )
    result = resolve_layers(
        MS, [Enclosure(MS, (entry,))], on=date(2026, 1, 1), substances=[kratom]
    ).result_for("kratom")
    assert [(a.activity, a.rule, a.decided_by) for a in result.activities] == [
        (activity, "prohibited", MS) for activity in ACTIVITIES
    ]
